"""Each system as a Federation v2 subgraph: its SDL, `_entities` by opaque key, the gateway secret.

Subgraphs are served on real ports over the test databases, with the single process's access
rules, loaders, limits and audit; their SDL is the committed ``subgraphs/NAME.graphql``.
"""

from __future__ import annotations

import socket
import tomllib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from padu.config import parse_config
from padu.declared.catalogue import declared_kinds
from padu.principal import Role
from padu.schema.build import build_schema
from padu.schema.federation import names
from padu.supergraph import SupergraphError, port_free
from tests.conftest import ADMIN_ID, TEST_SETTINGS, bearer, on_a_port, poster
from tests.data import AGUS, BUDI, DEWI, SITI

ROOT = Path(__file__).parents[2]
SECRET = "test-only-gateway-secret-0123456789abcdef"
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on Resident { id nik fullName } } }"""
OFFICERS = """query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on Officer { id fullName position } } }"""


def test_subgraph_files_are_up_to_date() -> None:
    shipped = parse_config(tomllib.loads((ROOT / "padu.toml").read_text()), "padu.toml", {})
    kinds = declared_kinds(shipped.applications)
    for name in names(shipped.applications):
        env = {"PADU_SUBGRAPH": name}
        config = parse_config(tomllib.loads((ROOT / "padu.toml").read_text()), "padu.toml", env)
        sdl = build_schema(config, kinds).subgraph_sdl
        assert (ROOT / "subgraphs" / f"{name}.graphql").read_text(encoding="utf-8") == sdl, (
            f"subgraphs/{name}.graphql is out of date: run `make schema` and review the change"
        )


@asynccontextmanager
async def subgraph(
    name: str, dsns: dict[str, str], **federation: str
) -> AsyncIterator[Callable[..., Any]]:
    settings = {**TEST_SETTINGS, "federation": {"subgraph": name, **federation}}
    config = parse_config(settings, "test.toml", {})
    async with (
        on_a_port(config, dsns) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as http,
    ):
        yield poster(http, config)


async def test_a_subgraph_answers_its_sdl_and_only_its_part(dsns: dict[str, str]) -> None:
    async with subgraph("learning", dsns) as ask:
        body = await ask("{ _service { sdl } }")
        assert body["data"]["_service"]["sdl"] == (ROOT / "subgraphs/learning.graphql").read_text()
        body = await ask("{ residents(first: 1) { nodes { fullName } } }")
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_entities_resolve_in_one_round_trip_with_the_callers_rules(
    gql: Any, dsns: dict[str, str]
) -> None:
    """Ids come from the single process; the subgraph finds them all in one batch, with
    the caller's row scope and field rules (an officer sees the NIK masked)."""
    listed = await gql("{ residents(first: 10) { nodes { id nik } } }")
    ids = {r["nik"]: r["id"] for r in listed["data"]["residents"]["nodes"]}
    officers = await gql(f'{{ officer(nip: "{AGUS}") {{ id fullName position }} }}')
    agus = officers["data"]["officer"]
    assert BUDI not in ids[BUDI] and all(len(i) > 20 for i in ids.values())
    wanted = [{"__typename": "Resident", "id": ids[n]} for n in (BUDI, SITI, DEWI)]
    async with subgraph("population", dsns) as ask:
        body = await ask(ENTITIES, {"r": wanted})
        assert "data" in body, body
        assert [e["nik"] for e in body["data"]["_entities"]] == [BUDI, SITI, DEWI]
        assert body["extensions"]["sources"]["population"]["roundTrips"] == 1
        # A citizen sees their own family only: Dewi is not Siti's.
        as_siti = await ask(ENTITIES, {"r": wanted}, (Role.CITIZEN, SITI))
        found = as_siti["data"]["_entities"]
        assert found[1]["nik"] == SITI and found[2] is None
        # Forged, foreign and moved ids resolve as nothing, like a missing resident.
        odd = [
            {"__typename": "Resident", "id": ids[BUDI][:-2] + "AA"},
            {"__typename": "Resident", "id": agus["id"]},  # an officer's id is no resident's
            {"__typename": "Resident", "id": 42},
        ]
        body = await ask(ENTITIES, {"r": odd})
        assert body["data"]["_entities"] == [None, None, None]
        body = await ask(ENTITIES, {"r": [{"__typename": "Officer", "id": agus["id"]}]})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    async with subgraph("performance", dsns) as ask:
        reps = [{"__typename": "Officer", "id": agus["id"]}]
        body = await ask(OFFICERS, {"r": reps})
        assert body["data"]["_entities"] == [{"__typename": "Officer", **agus}]
        # Masked for an officer reading a resident (as in the single process).
    async with subgraph("population", dsns) as ask:
        body = await ask(ENTITIES, {"r": wanted[:1]}, (Role.OFFICER, AGUS))
        assert body["data"]["_entities"][0]["nik"] == "3671********0001"


async def test_with_a_secret_only_the_gateway_is_answered(dsns: dict[str, str]) -> None:
    async with subgraph("population", dsns, gateway_secret=SECRET) as ask:
        with pytest.raises(AssertionError, match="403"):
            await ask("{ _service { sdl } }")
    settings = {**TEST_SETTINGS, "federation": {"subgraph": "population", "gateway_secret": SECRET}}
    config = parse_config(settings, "test.toml", {})
    async with (
        on_a_port(config, dsns) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as http,
    ):
        query = {"query": "{ region { code } }"}
        headers = bearer(config, Role.ADMIN, ADMIN_ID)
        refused = await http.post("/graphql", json=query, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        wrong = await http.post(
            "/graphql", json=query, headers={**headers, "X-Padu-Gateway-Secret": "x" * 40}
        )
        assert wrong.status_code == 403
        right = await http.post(
            "/graphql", json=query, headers={**headers, "X-Padu-Gateway-Secret": SECRET}
        )
        assert right.json() == {"data": {"region": {"code": "36.71"}}}


def test_the_supergraph_refuses_a_port_in_use() -> None:
    """A port something listens on would have its answers taken for a subgraph's."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SupergraphError, match=f"port {port} is in use"):
            port_free(port)
    port_free(port)  # free again once closed


async def test_a_residents_requests_need_no_round_trip_to_the_population_registry(
    gql: Any, dsns: dict[str, str]
) -> None:
    """service_requests adds only fields found by the NIK, under the caller's request scope:
    it resolves residents by their key alone, and still shows a citizen only their own."""
    ids = await gql(f'{{ resident(nik: "{SITI}") {{ id family {{ members {{ id nik }} }} }} }}')
    members = {m["nik"]: m["id"] for m in ids["data"]["resident"]["family"]["members"]}
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Resident { id serviceRequests { totalCount } } } }"""
    wanted = [{"__typename": "Resident", "id": members[n]} for n in (BUDI, SITI)]
    async with subgraph("service_requests", dsns) as ask:
        body = await ask(query, {"r": wanted})
        trips = {n: s["roundTrips"] for n, s in body["extensions"]["sources"].items()}
        assert "population" not in trips and trips["service_requests"] == 1, trips
        assert [e["serviceRequests"]["totalCount"] for e in body["data"]["_entities"]] == [2, 1]
        as_siti = await ask(query, {"r": wanted}, (Role.CITIZEN, SITI))
        counts = [e["serviceRequests"]["totalCount"] for e in as_siti["data"]["_entities"]]
        assert counts == [0, 1]  # Budi's requests are not hers to see
