"""A uniquely named MariaDB database for a test module, on the machine's server (CI needs one)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncmy
import pytest

MARIADB = "mysql://root@127.0.0.1:3306"


async def admin() -> asyncmy.Connection:
    """A connection to the MariaDB server; skips (fails in CI) when none is reachable."""
    try:
        return await asyncmy.connect(
            host="127.0.0.1", port=3306, user="root", password="", connect_timeout=2
        )
    except (OSError, asyncmy.errors.MySQLError) as exc:
        reason = f"needs MariaDB on 127.0.0.1:3306 as root without password ({exc})"
        if os.environ.get("PADU_REQUIRE_MARIADB"):
            pytest.fail(reason)
        pytest.skip(reason)


async def execute(connection: asyncmy.Connection, *statements: str) -> list[dict[str, object]]:
    """Run ``statements`` in order; the rows of the last one, as dicts."""
    rows: list[dict[str, object]] = []
    async with connection.cursor(asyncmy.cursors.DictCursor) as cursor:
        for statement in statements:
            await cursor.execute(statement)
            rows = list(await cursor.fetchall())
    await connection.commit()
    return rows


@asynccontextmanager
async def fresh_database(*ddl: str) -> AsyncIterator[str]:
    """A new database with ``ddl`` run in it, dropped afterwards; yields its DSN."""
    name = f"padu_test_{secrets.token_hex(4)}"
    connection = await admin()
    try:
        await execute(connection, f"CREATE DATABASE {name}", f"USE {name}", *ddl)
        yield f"{MARIADB}/{name}"
    finally:
        await execute(connection, f"DROP DATABASE IF EXISTS {name}")
        await connection.ensure_closed()
