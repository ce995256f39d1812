"""Bad input gets a GraphQL error with a stable code and an actionable message, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from padu.app import create_app
from padu.config import Config, parse_config
from padu.principal import Role
from tests.conftest import ADMIN_ID, TEST_SETTINGS, GraphQL, bearer
from tests.data import AGUS


async def test_malformed_nik_literal(gql: GraphQL) -> None:
    body = await gql('{ resident(nik: "123") { fullName } }')
    assert "data" not in body  # refused before execution
    [error] = body["errors"]
    assert error["message"] == "NIK must be exactly 16 digits, got '123'"
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["locations"] == [{"line": 1, "column": 17}]


async def test_malformed_nik_variable_explains_the_structure(gql: GraphQL) -> None:
    body = await gql(
        "query($n: NIK!) { resident(nik: $n) { fullName } }", {"n": "3671013205900001"}
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        "NIK 3671013205900001: birth-date part 320590 is not a date DDMMYY "
        "(women add 40 to the day)"
    )


async def test_malformed_nip(gql: GraphQL) -> None:
    body = await gql('{ officer(nip: "198503152010013001") { fullName } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "gender digit must be 1 (male) or 2 (female)" in error["message"]


async def test_parse_and_validation_errors_have_codes(gql: GraphQL) -> None:
    parse = await gql("{ residents(first: 1) { ")
    assert parse["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    unknown = await gql("{ residents { nodes { shoeSize } } }")
    assert unknown["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "shoeSize" in unknown["errors"][0]["message"]
    variable = await gql("query($f: Int) { residents(first: $f) { totalCount } }", {"f": "ten"})
    assert variable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_year_out_of_range(gql: GraphQL) -> None:
    body = await gql(
        "query($nip: NIP!) { officer(nip: $nip) { learning(year: 20260) { jpCompleted } } }",
        {"nip": AGUS},
    )
    assert body["data"] == {"officer": {"learning": None}}
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "year"}


@pytest_asyncio.fixture(scope="module")
async def learning_down(dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """Padu whose learning source points at a port where nothing listens."""
    settings = {**TEST_SETTINGS, "sources": {"learning": {"connect_timeout": 0.5}}}
    config: Config = parse_config(settings, "test.toml", {})
    broken = {**dsns, "learning": "postgresql://postgres@127.0.0.1:1/learning"}
    app = create_app(config, broken)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
            http.headers.update(bearer(config, Role.ADMIN, ADMIN_ID))
            yield http


async def test_a_source_down_nulls_only_its_own_fields(learning_down: httpx.AsyncClient) -> None:
    response = await learning_down.post(
        "/graphql",
        json={
            "query": "query($nip: NIP!) { officer(nip: $nip) { fullName "
            "learning(year: 2026) { jpCompleted } } }",
            "variables": {"nip": AGUS},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"officer": {"fullName": "Agus Setiawan", "learning": None}}
    [error] = body["errors"]
    assert error["path"] == ["officer", "learning"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "learning"}
    assert "127.0.0.1" not in error["message"]

    health = await learning_down.get("/healthz")
    assert health.status_code == 503
    report = health.json()
    assert report["status"] == "down"
    assert report["sources"]["learning"]["status"] == "down"
    assert {name: s["status"] for name, s in report["sources"].items()} == {
        "population": "up",
        "service_requests": "up",
        "performance": "up",
        "learning": "down",
        "state": "up",
    }
