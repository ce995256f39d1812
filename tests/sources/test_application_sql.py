"""The statements of a declared type, run on a real PostgreSQL (and MariaDB, see the transports).

Each is checked for what it returns, batch and page semantics included, not for its text.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest_asyncio

from padu.declared.declaration import parse_applications
from padu.sources.application_sql import IN_PAGE, POSTGRES, TOTAL, Statement, Statements
from padu.sources.embedded import drop_database, ensure_database, with_database
from tests.declared.test_declaration import PAYMENTS, SOURCES

TABLE = """
CREATE TABLE pembayaran (
    id_pembayaran bigint PRIMARY KEY, no_kuitansi text NOT NULL, jumlah integer NOT NULL,
    status text NOT NULL, nik char(16) NOT NULL
);
INSERT INTO pembayaran VALUES
  (1, 'KW-1', 100, 'LUNAS', '3671011505800001'),
  (2, 'KW-2', 200, 'LUNAS', '3671011505800001'),
  (3, 'KW-3', 300, 'BELUM', '3671011505800001'),
  (4, 'KW-4', 400, 'LUNAS', '3671056304900001'),
  (5, 'KW-5', 500, 'LUNAS', '3671130101700004');
"""
BUDI, DEWI, AHMAD, NOBODY = (
    "3671011505800001", "3671056304900001", "3671130101700004", "3174012510920001",
)  # fmt: skip


@pytest_asyncio.fixture(scope="module")
async def run(server_dsn: str) -> AsyncIterator[Any]:
    name = f"padu_declared_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_dsn, name)
    connection = await asyncpg.connect(with_database(server_dsn, name))
    await connection.execute(TABLE)

    async def fetch(statement: Statement) -> list[dict[str, Any]]:
        return [dict(r) for r in await connection.fetch(statement.sql, *statement.args)]

    yield fetch
    await connection.close()
    await drop_database(server_dsn, name)


STATEMENTS = Statements(parse_applications(PAYMENTS, SOURCES)[0].types[0], POSTGRES)


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows]


async def test_page_per_parent_pages_every_parent_with_its_total(run: Any) -> None:
    rows = await run(STATEMENTS.page_per_parent("nik", [BUDI, DEWI, NOBODY], {}, None, 2))
    by_parent: dict[str, list[tuple[int, int, int]]] = {}
    for r in rows:
        by_parent.setdefault(r["nik"], []).append((r["id"], r[TOTAL], r[IN_PAGE]))
    assert {k: sorted(v) for k, v in by_parent.items()} == {
        BUDI: [(1, 3, 1), (2, 3, 1)],  # the first two of three
        DEWI: [(4, 1, 1)],
    }
    after = await run(STATEMENTS.page_per_parent("nik", [BUDI, DEWI], {}, 2, 2))
    assert sorted((r["id"], r[TOTAL], r[IN_PAGE]) for r in after) == [
        (3, 3, 1),  # Budi's page after payment 2
        (4, 1, 1),  # Dewi's 4 lies after 2 as well
    ]
    past = await run(STATEMENTS.page_per_parent("nik", [DEWI], {}, 4, 2))
    assert [(r[TOTAL], r[IN_PAGE]) for r in past] == [(1, 0)]  # nothing left, total still known
    lunas = await run(STATEMENTS.page_per_parent("nik", [BUDI], {"status": "LUNAS"}, None, 5))
    assert sorted((r["id"], r[TOTAL]) for r in lunas) == [(1, 2), (2, 2)]


async def test_page_answers_a_list_after_its_cursor_with_the_total(run: Any) -> None:
    first = await run(STATEMENTS.page({}, None, 2))
    assert [(r["id"], r[TOTAL]) for r in first] == [(1, 5), (2, 5)]
    second = await run(STATEMENTS.page({}, 2, 2))
    assert [(r["id"], r[TOTAL]) for r in second] == [(3, 5), (4, 5)]
    empty = await run(STATEMENTS.page({"status": "LUNAS"}, 5, 2))
    assert [(r["id"], r[TOTAL]) for r in empty] == [(None, 4)]  # an empty page carries the total
    own = await run(STATEMENTS.page({"nik": AHMAD}, None, 10))
    assert [(r["id"], r["amount"]) for r in own] == [(5, 500)]
