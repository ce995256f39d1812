"""Persisted operations over HTTP (padu.persisted): a document learned from its first request
is answered by hash alone, over POST and GET, through the prepared path; refusals are Padu's
JSON errors; a trusted Padu runs the manifest's documents only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from websockets.asyncio.client import connect

from padu.app import create_app
from padu.config import Config, ConfigError, parse_config
from padu.persisted import sha256
from padu.principal import Role
from padu.view import PaduGraphQL
from tests.conftest import ADMIN_ID, TEST_SETTINGS, bearer, on_a_port

QUERY = "query Region { region { code name } }"
MANIFEST_QUERY = "query Districts { region { districts { code } } }"
ADMIN = (Role.ADMIN, ADMIN_ID)


class Client:
    """Padu in process: its view (to look inside) and requests as an admin."""

    def __init__(self, http: httpx.AsyncClient, config: Config, view: PaduGraphQL) -> None:
        self.http, self.config, self.view = http, config, view

    def extensions(self, text: str, version: int = 1) -> dict[str, Any]:
        return {"persistedQuery": {"version": version, "sha256Hash": sha256(text)}}

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post("/graphql", json=body, headers=bearer(self.config, *ADMIN))

    async def get(self, text: str, accept: str = "application/json") -> httpx.Response:
        params = {"extensions": json.dumps(self.extensions(text))}
        headers = {"Accept": accept, **bearer(self.config, *ADMIN)}
        return await self.http.get("/graphql", params=params, headers=headers)


@asynccontextmanager
async def padu_with(config: Config, dsns: dict[str, str]) -> AsyncIterator[Client]:
    app: Starlette = create_app(config, dsns)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
            yield Client(http, config, app.state.graphql)


@pytest_asyncio.fixture(scope="module")
async def padu(config: Config, dsns: dict[str, str]) -> AsyncIterator[Client]:
    async with padu_with(config, dsns) as client:
        yield client


def manifest(tmp_path: Path, *bodies: str) -> Path:
    operations = [{"id": sha256(b), "name": "Op", "type": "query", "body": b} for b in bodies]
    path = tmp_path / "persisted-documents.json"
    content = {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
    path.write_text(json.dumps(content))
    return path


def trusted_config(path: Path) -> Config:
    return parse_config({**TEST_SETTINGS, "persisted_queries": {"manifest": str(path)}}, "t", {})


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert "data" not in body
    (only,) = body["errors"]
    return {"message": only["message"], "code": only["extensions"]["code"]}


async def test_a_hash_is_learned_from_its_document_then_answered_alone(padu: Client) -> None:
    persisted, prepared = padu.view.persisted, padu.view.prepared
    text = QUERY + " # learned by POST"
    missed = await padu.post({"extensions": padu.extensions(text)})
    assert error(missed, 200) == {"message": "PersistedQueryNotFound",
                                  "code": "PERSISTED_QUERY_NOT_FOUND"}  # fmt: skip
    assert missed.headers["cache-control"] == "private, no-cache, must-revalidate"

    sent = await padu.post({"query": text, "extensions": padu.extensions(text)})
    assert sent.json() == {"data": {"region": {"code": "36.71", "name": "Kota Tangerang"}}}

    before, answered = persisted.by_hash, prepared.answered
    alone = await padu.post({"extensions": padu.extensions(text)})
    assert alone.json() == sent.json()
    assert (persisted.by_hash, prepared.answered) == (before + 1, answered + 1)


async def test_a_get_by_hash_is_answered_and_never_opens_the_playground(padu: Client) -> None:
    text = QUERY + " # learned for GET"
    for accept in ("application/json", "*/*", "text/html"):
        missed = await padu.get(text, accept)
        assert error(missed, 200)["code"] == "PERSISTED_QUERY_NOT_FOUND"
    await padu.post({"query": text, "extensions": padu.extensions(text)})

    answered = padu.view.prepared.answered
    response = await padu.get(text)

    assert response.json() == {"data": {"region": {"code": "36.71", "name": "Kota Tangerang"}}}
    assert padu.view.prepared.answered == answered + 1


async def test_a_mutation_by_hash_is_refused_over_get(padu: Client) -> None:
    # Invalid (no input), so learning it over POST writes nothing; GET is refused before that.
    mutation = "mutation { submitServiceRequest { __typename } }"
    learned = await padu.post({"query": mutation, "extensions": padu.extensions(mutation)})
    assert error(learned, 200)["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error(await padu.get(mutation), 405)["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ region { code } }", "extensions": {"persistedQuery": {
            "version": 1, "sha256Hash": sha256(QUERY)}}}, "PERSISTED_QUERY_HASH_MISMATCH"),
        ({"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256(QUERY)}}},
         "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        ([{"query": QUERY}, {"extensions": {"persistedQuery": {"version": 1,
          "sha256Hash": "0" * 64}}}], "PERSISTED_QUERY_NOT_FOUND"),
    ],
)  # fmt: skip
async def test_bad_persisted_requests_are_refused_before_parsing(
    padu: Client, body: Any, code: str
) -> None:
    response = await padu.http.post("/graphql", json=body, headers=bearer(padu.config, *ADMIN))
    assert error(response, 200 if code == "PERSISTED_QUERY_NOT_FOUND" else 400)["code"] == code


async def test_trusted_padu_runs_manifest_documents_only(
    tmp_path: Path, dsns: dict[str, str]
) -> None:
    async with padu_with(trusted_config(manifest(tmp_path, MANIFEST_QUERY)), dsns) as trusted:
        districts = (await trusted.post({"query": MANIFEST_QUERY})).json()["data"]
        assert len(districts["region"]["districts"]) == 13
        answered = trusted.view.prepared.answered
        by_hash = await trusted.post({"extensions": trusted.extensions(MANIFEST_QUERY)})
        assert by_hash.json()["data"] == districts
        assert (await trusted.get(MANIFEST_QUERY)).json()["data"] == districts
        assert trusted.view.prepared.answered == answered + 2

        for body in ({"query": QUERY}, {"extensions": trusted.extensions(QUERY)}):
            refused = error(await trusted.post(body), 400)
            assert refused["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_an_invalid_trusted_document_stops_start_up(
    tmp_path: Path, dsns: dict[str, str]
) -> None:
    path = manifest(tmp_path, MANIFEST_QUERY, "query Op { region { mayor } }")
    with pytest.raises(ConfigError) as raised:
        async with padu_with(trusted_config(path), dsns):
            pass
    assert (raised.value.file, raised.value.key) == (str(path), "operations[1] (Op)")
    assert "Cannot query field 'mayor' on type 'Region'" in raised.value.reason


async def test_trusted_padu_refuses_an_unknown_subscription_and_takes_one_by_hash(
    tmp_path: Path, dsns: dict[str, str]
) -> None:
    allowed = "subscription Watch { serviceRequestChanged { kind } }"
    config = trusted_config(manifest(tmp_path, MANIFEST_QUERY, allowed))
    async with (
        on_a_port(config, dsns) as address,
        connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[list-item]
    ):
        init = {"type": "connection_init", "payload": bearer(config, *ADMIN)}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        unknown = {"query": "subscription { serviceRequestChanged { status } }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": unknown}))
        refused = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert (refused["id"], refused["type"]) == ("1", "error")
        assert refused["payload"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(allowed)}}}
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": by_hash}))
        with pytest.raises(TimeoutError):  # subscribed: nothing to say until a change
            await asyncio.wait_for(ws.recv(), 0.5)
