"""Serving: GraphiQL for browsers, GraphQL over HTTP, health, traces only when asked."""

from __future__ import annotations

import httpx

from padu.app import create_app
from padu.config import parse_config
from tests.data import PRODUCTION, RUDI


async def test_browser_get_opens_graphiql_with_examples(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "query ResidentsAcrossSources" in page and "query OfficerProfile" in page
    # Variables are filled with a real NIK from the data (the first in NIK order).
    assert RUDI in page
    assert "X-Padu-Trace" in page
    # It explains how to get a token, with a real NIK to try.
    assert f".venv/bin/padu token citizen {RUDI}" in page
    assert "subscription LiveCounters" in page
    assert "<title>Padu GraphiQL</title>" in page


async def test_get_and_post_queries(client: httpx.AsyncClient) -> None:
    get = await client.get("/graphql", params={"query": "{ region { code } }"})
    assert get.status_code == 200
    assert get.json() == {"data": {"region": {"code": "36.71"}}}
    post = await client.post("/graphql", json={"query": "{ region { name } }"})
    assert post.json() == {"data": {"region": {"name": "Kota Tangerang"}}}
    assert "extensions" not in post.json()
    bad_json = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400


async def test_graphql_response_media_type_when_accepted(client: httpx.AsyncClient) -> None:
    accept = {"Accept": "application/graphql-response+json"}
    ok = await client.post("/graphql", json={"query": "{ region { code } }"}, headers=accept)
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "application/graphql-response+json"
    assert ok.headers["x-request-id"]
    invalid = await client.post("/graphql", json={"query": "{ region { x } }"}, headers=accept)
    assert invalid.status_code == 400
    assert "data" not in invalid.json()
    assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # A field error during execution is still a 200 with data, whatever the media type.
    field_error = await client.post(
        "/graphql", json={"query": "{ residents(first: 101) { totalCount } }"}, headers=accept
    )
    assert (field_error.status_code, field_error.json()["data"]) == (200, {"residents": None})


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ region { code } }"}, headers={"X-Request-Id": "abc123"}
    )
    assert response.headers["x-request-id"] == "abc123"
    odd = await client.post(
        "/graphql", json={"query": "{ region { code } }"}, headers={"X-Request-Id": "a b;c"}
    )
    assert len(odd.headers["x-request-id"]) == 32  # replaced by a generated id


async def test_healthz_reports_every_source(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert set(body["sources"]) == {
        "population",
        "service_requests",
        "performance",
        "learning",
        "state",
    }
    for report in body["sources"].values():
        assert report["status"] == "up"
        assert report["latencyMs"] >= 0


async def test_root_redirects_to_the_playground(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert (response.status_code, response.headers["location"]) == (307, "/graphql")


async def test_production_has_no_playground_and_no_traces(dsns: dict[str, str]) -> None:
    config = parse_config(PRODUCTION, "prod.toml", {})
    app = create_app(config, dsns)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
            page = await http.get("/graphql", headers={"Accept": "text/html"})
            assert page.status_code == 404
            traced = await http.post(
                "/graphql", json={"query": "{ units { code } }"}, headers={"X-Padu-Trace": "1"}
            )
            assert "extensions" not in traced.json()
