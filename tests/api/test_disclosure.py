"""No value in an answer carries an identifier the caller may not read in clear.

Cursors, error messages, ids, free-text notes, sync errors: whatever the field, a role that
sees NIKs masked or not at all must not find one in the answer, nor a NIP where it may not read
NIPs. Every root field is asked as wide as the schema goes (every scalar, three levels of
objects), after writes that put text in the timeline, and the whole answer is searched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from graphql import GraphQLObjectType, get_named_type

from padu.config import parse_config
from padu.principal import Role
from padu.schema.build import schema
from tests.conftest import TEST_SETTINGS, Served, served
from tests.data import AGUS, AHMAD, ANDI, BUDI, DEWI, HENDRA, JOKO, MAYA, RUDI, SITI
from tests.schema_walk import literal_arguments

NIKS = {BUDI, SITI, ANDI, DEWI, RUDI, AHMAD}
NIPS = {AGUS, MAYA, JOKO, HENDRA}
DEPTH = 3


def _arguments(field: Any) -> str | None:
    return literal_arguments(field, first=5)


def wide(kind: GraphQLObjectType, depth: int) -> str:
    """Every scalar of ``kind`` and, ``depth`` levels down, of the objects it leads to."""
    parts = []
    for name, field in kind.fields.items():
        child = get_named_type(field.type)
        arguments = _arguments(field)
        if arguments is None or name == "edges":
            continue
        if not isinstance(child, GraphQLObjectType):
            parts.append(f"{name}{arguments}")
        elif depth > 0 and (
            inner := wide(child, depth - 1 if not child.name.endswith("Connection") else depth)
        ):
            parts.append(f"{name}{arguments} {{ {inner} }}")
    if kind.name.endswith("Connection"):
        parts.append("edges { cursor }")
    return " ".join(parts)


def queries() -> list[Any]:
    root = schema._schema.query_type
    assert root is not None
    found = []
    for name, field in root.fields.items():
        child = get_named_type(field.type)
        arguments = _arguments(field)
        if arguments is None or not isinstance(child, GraphQLObjectType):
            continue
        found.append(pytest.param(f"{{ {name}{arguments} {{ {wide(child, DEPTH)} }} }}", id=name))
    return found


@pytest_asyncio.fixture(scope="module")
async def padu(server_dsn: str) -> AsyncIterator[Served]:
    """Padu over fresh data, after writes that leave notes and deliveries behind."""
    # As wide as the schema goes costs far past the default limit; this test is about values.
    wide_open = {"max_cost": 10_000_000, "max_depth": 20, "max_response_bytes": 50_000_000}
    config = parse_config({**TEST_SETTINGS, "limits": wide_open}, "test.toml", {})
    async with served(server_dsn, config) as live:
        boss = (Role.SUPERVISOR, HENDRA)
        assigned = await live.ask(
            'mutation($nip: NIP!) { assignServiceRequest(id: "3", nip: $nip) { errors { code } } }',
            {"nip": AGUS}, boss,
        )  # fmt: skip
        assert assigned["data"]["assignServiceRequest"]["errors"] == []
        yield live


# Who asks, and the identifiers that must appear nowhere in their answers.
CALLERS = [
    pytest.param((Role.CITIZEN, SITI), (NIKS - {BUDI, SITI, ANDI}) | NIPS, id="citizen"),
    pytest.param((Role.DASHBOARD, "dash"), NIKS | NIPS, id="dashboard"),
    pytest.param((Role.OFFICER, AGUS), NIKS | (NIPS - {AGUS, HENDRA}), id="officer"),
    pytest.param((Role.SUPERVISOR, HENDRA), NIKS | {MAYA, JOKO}, id="supervisor"),
]


@pytest.mark.parametrize("query", queries())
@pytest.mark.parametrize(("as_", "hidden"), CALLERS)
async def test_no_answer_carries_a_hidden_identifier(
    padu: Served, query: str, as_: tuple[Role, str], hidden: set[str]
) -> None:
    body = await padu.ask(query, {}, as_)
    codes = {e["extensions"]["code"] for e in body.get("errors", ())}
    assert codes <= {"FORBIDDEN"}, body["errors"]
    text = json.dumps(body)
    assert [secret for secret in hidden if secret in text] == []
