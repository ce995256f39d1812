"""Cursors are opaque for real: no key inside can be read, forged or moved between lists.

A resident's cursor used to be the base64 of their NIK, handed to officers who see the NIK
masked; an officer's cursor carried the NIP to roles that may not read it. Every list's
cursor is now sealed under a server key, and still pages through its index.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from typing import Any

import pytest

from padu.config import parse_config
from padu.principal import Role
from tests.conftest import TEST_SETTINGS, GraphQL, poster, serving
from tests.data import AGUS, AHMAD, ANDI, BUDI, DEWI, HENDRA, JOKO, MAYA, RUDI, SITI

NIKS = [RUDI, ANDI, BUDI, SITI, DEWI, AHMAD]  # NIK order
NIPS = [HENDRA, AGUS, JOKO, MAYA]  # NIP order
RESIDENTS = "query($a: String) { residents(first: 2, after: $a) { edges { cursor } } }"
OFFICERS = "query($a: String) { officers(first: 1, after: $a) { edges { cursor } } }"
UNIT_OFFICERS = "{ units { officers(first: 5) { edges { cursor } } } }"
REQUESTS = "{ residents { nodes { serviceRequests { edges { cursor } } } } }"


def cursors(value: Any) -> list[str]:
    """Every cursor anywhere in an answer."""
    if isinstance(value, dict):
        return [c for k, v in value.items() for c in ([v] if k == "cursor" else cursors(v))]
    if isinstance(value, list):
        return [c for item in value for c in cursors(item)]
    return []


def readings(cursor: str) -> list[str]:
    """What a client could make of a cursor: the text, and its base64 and hex decodings."""
    seen = [cursor]
    for decode in (base64.urlsafe_b64decode, base64.b64decode):
        with contextlib.suppress(binascii.Error, ValueError):
            seen.append(decode(cursor + "=" * (-len(cursor) % 4)).decode("latin-1"))
    if re.fullmatch(r"[0-9a-fA-F]+", cursor) and len(cursor) % 2 == 0:
        seen.append(bytes.fromhex(cursor).decode("latin-1"))
    return seen


def carries(cursor: str, secret: str) -> bool:
    """Whether the secret, or any 8 of its digits in a row, can be read off the cursor."""
    parts = {secret[i : i + 8] for i in range(len(secret) - 7)}
    return any(part in text for text in readings(cursor) for part in parts)


@pytest.mark.parametrize(
    ("as_", "query", "secrets"),
    [
        pytest.param((Role.OFFICER, AGUS), RESIDENTS, [BUDI, DEWI], id="officer-residents-masked"),
        pytest.param((Role.DASHBOARD, "dash"), RESIDENTS, NIKS, id="dashboard-residents-no-nik"),
        pytest.param((Role.DASHBOARD, "dash"), OFFICERS, NIPS, id="dashboard-officers-no-nip"),
        pytest.param((Role.DASHBOARD, "dash"), UNIT_OFFICERS, NIPS, id="dashboard-unit-officers"),
        pytest.param((Role.CITIZEN, BUDI), REQUESTS, [BUDI, SITI, ANDI, AGUS], id="citizen-nested"),
        pytest.param((Role.ADMIN, "ops"), RESIDENTS, NIKS, id="admin-residents"),
    ],
)
async def test_no_cursor_carries_a_nik_or_nip(
    gql: GraphQL, as_: tuple[Role, str], query: str, secrets: list[str]
) -> None:
    body = await gql(query, as_=as_)
    found = cursors(body["data"])
    assert found, body  # the query did return cursors
    leaked = [(c, s) for c in found for s in secrets if carries(c, s)]
    assert leaked == []


async def test_sealed_cursors_still_walk_every_list_in_index_order(gql: GraphQL) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await gql(
            "query($a: String) { residents(first: 2, after: $a) { edges { cursor node { nik } } "
            "pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        page = body["data"]["residents"]
        seen += [edge["node"]["nik"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == NIKS
    walked: list[str] = []
    after = None
    for _ in NIPS:
        body = await gql(
            "query($a: String) { officers(first: 1, after: $a) { nodes { nip } "
            "pageInfo { endCursor } } }",
            {"a": after},
        )
        walked += [node["nip"] for node in body["data"]["officers"]["nodes"]]
        after = body["data"]["officers"]["pageInfo"]["endCursor"]
    assert walked == NIPS


async def test_the_same_item_has_the_same_cursor_every_time(gql: GraphQL) -> None:
    first = await gql(RESIDENTS)
    again = await gql(RESIDENTS)
    assert cursors(first) == cursors(again)
    assert len(set(cursors(first))) == 2


def old_style(tag: str, *key: Any) -> str:
    """A cursor as Padu used to make them: base64 of the list's name and the raw key."""
    raw = json.dumps([tag, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def refused(gql: GraphQL, query: str, cursor: str) -> None:
    body = await gql(query, {"a": cursor})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}, cursor
    assert "is not a cursor of this" in error["message"]
    assert not cursor or cursor not in error["message"]


async def test_forged_tampered_and_foreign_cursors_are_refused(gql: GraphQL) -> None:
    # Forged from a known NIK, the way the old cursors could be made by anyone.
    await refused(gql, RESIDENTS, old_style("resident", BUDI))
    await refused(gql, OFFICERS, old_style("officer", AGUS))
    genuine = cursors(await gql(RESIDENTS))[1]
    # One character changed anywhere breaks the seal.
    for at in (0, len(genuine) // 2, len(genuine) - 1):
        flipped = "A" if genuine[at] != "A" else "B"
        await refused(gql, RESIDENTS, genuine[:at] + flipped + genuine[at + 1 :])
    await refused(gql, RESIDENTS, genuine[:-4])
    # A resident cursor is not an officer cursor, though both lists sort by a digit string.
    await refused(gql, OFFICERS, genuine)
    for junk in ["", "=", "é" * 10, "A" * 10_000, "\u0661\u0662"]:
        await refused(gql, RESIDENTS, junk)


async def test_a_cursor_sealed_by_another_key_is_refused(dsns: dict[str, str]) -> None:
    """A server with another [audit] hash_key (another deployment) opens none of these."""
    other_key = {**TEST_SETTINGS, "audit": {"hash_key": "another-test-only-audit-key-0123456789"}}
    theirs = parse_config(other_key, "other.toml", {})
    async with serving(theirs, dsns) as http:
        cursor = cursors(await poster(http, theirs)(RESIDENTS))[0]
    ours = parse_config(TEST_SETTINGS, "test.toml", {})
    async with serving(ours, dsns) as http:
        await refused(poster(http, ours), RESIDENTS, cursor)
