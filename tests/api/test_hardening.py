"""HTTP hardening: body size limit, CSRF protection, CORS allow-list.

Refusals come from the middleware, before the GraphQL view: their body is the refusal alone,
so no operation ran and no source was asked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from padu.middleware import CORS_HEADERS
from tests.api.test_limits import serve

LIMIT = 100_000  # HttpConfig.max_body_bytes by default
APP = "https://app.example"
QUERY = {"query": "{ region { code } }"}
ANSWER = {"data": {"region": {"code": "36.71"}}}
JSON = {"Content-Type": "application/json"}


@pytest_asyncio.fixture(scope="module")
async def cors(dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(dsns, {"http": {"cors_origins": [APP]}}) as http:
        yield http


def padded(size: int) -> bytes:
    """QUERY as JSON of exactly ``size`` bytes (spaces before the closing brace)."""
    text = json.dumps(QUERY)
    return (text[:-1] + " " * (size - len(text)) + "}").encode()


async def chunks(body: bytes, size: int = 8192) -> AsyncIterator[bytes]:
    """``body`` streamed without a Content-Length (chunked)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def refused_with(response: httpx.Response, status: int, code: str) -> str:
    """The message of a refusal before GraphQL runs, checking its status and shape."""
    assert response.status_code == status
    body = response.json()
    [error] = body["errors"]
    assert body == {"errors": [{"message": error["message"], "extensions": {"code": code}}]}
    message: str = error["message"]
    return message


async def test_a_body_at_the_limit_passes_and_one_byte_more_is_refused(
    client: httpx.AsyncClient,
) -> None:
    at_limit = await client.post("/graphql", content=padded(LIMIT), headers=JSON)
    assert at_limit.json() == ANSWER
    over = await client.post("/graphql", content=padded(LIMIT + 1), headers=JSON)
    message = refused_with(over, 413, "PAYLOAD_TOO_LARGE")
    assert message == (
        "The request body is larger than 100000 bytes, the limit; "
        "send a shorter query or fewer operations at once."
    )


async def test_a_streamed_body_is_counted_without_content_length(
    client: httpx.AsyncClient,
) -> None:
    at_limit = await client.post("/graphql", content=chunks(padded(LIMIT)), headers=JSON)
    assert at_limit.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in at_limit.request.headers
    assert at_limit.json() == ANSWER
    over = await client.post("/graphql", content=chunks(padded(LIMIT + 1)), headers=JSON)
    refused_with(over, 413, "PAYLOAD_TOO_LARGE")
    # A body of many times the limit is cut off as well.
    flood = await client.post("/graphql", content=chunks(padded(10 * LIMIT)), headers=JSON)
    refused_with(flood, 413, "PAYLOAD_TOO_LARGE")


async def test_simple_requests_a_browser_sends_cross_site_are_refused(
    client: httpx.AsyncClient,
) -> None:
    body = json.dumps(QUERY)
    simple: list[dict[str, Any]] = [
        {"content": body, "headers": {"Content-Type": "text/plain"}},
        {"content": body, "headers": {"Content-Type": "text/plain; charset=utf-8"}},
        {"data": QUERY},  # application/x-www-form-urlencoded
        {"files": {"operations": ("operations", body, "application/json")}},  # multipart
        {"content": body},  # no Content-Type at all
    ]
    for request in simple:
        response = await client.post("/graphql", **request)
        message = refused_with(response, 400, "CSRF_REJECTED")
        assert "send Content-Type: application/json, or the header X-Padu-CSRF: 1" in message


async def test_a_preflight_header_passes_the_csrf_check(client: httpx.AsyncClient) -> None:
    body = json.dumps(QUERY)
    for header in ("X-Padu-CSRF", "Apollo-Require-Preflight"):
        response = await client.post(
            "/graphql", content=body, headers={"Content-Type": "text/plain", header: "1"}
        )
        # Past the CSRF check, the view itself answers that it reads JSON only.
        assert refused_with(response, 400, "BAD_REQUEST") == "Unsupported content type"
    empty = await client.post(
        "/graphql", content=body, headers={"Content-Type": "text/plain", "X-Padu-CSRF": ""}
    )
    refused_with(empty, 400, "CSRF_REJECTED")


async def test_json_posts_and_get_queries_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.post("/graphql", json=QUERY)).json() == ANSWER
    response = await client.get("/graphql", params=QUERY)
    assert response.json() == ANSWER
    # A mutation over GET is refused before validation, whatever mutations the schema holds.
    mutation = await client.get("/graphql", params={"query": "mutation { __typename }"})
    message = refused_with(mutation, 405, "METHOD_NOT_ALLOWED")
    assert message == "mutations are not allowed when using GET"


async def test_cors_allows_only_listed_origins(cors: httpx.AsyncClient) -> None:
    allowed = await cors.post("/graphql", json=QUERY, headers={"Origin": APP})
    assert allowed.json() == ANSWER
    assert allowed.headers["access-control-allow-origin"] == APP
    assert "access-control-allow-credentials" not in allowed.headers
    other = await cors.post("/graphql", json=QUERY, headers={"Origin": "https://evil.example"})
    assert other.json() == ANSWER  # the browser, not the server, withholds the answer
    assert "access-control-allow-origin" not in other.headers


async def test_cors_preflight(cors: httpx.AsyncClient) -> None:
    request = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-padu-csrf",
    }
    preflight = await cors.options("/graphql", headers={"Origin": APP, **request})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP
    assert preflight.headers["access-control-allow-methods"] == "GET, POST"
    allowed_headers = preflight.headers["access-control-allow-headers"].split(", ")
    assert set(CORS_HEADERS) <= set(allowed_headers)
    denied = await cors.options("/graphql", headers={"Origin": "https://evil.example", **request})
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers
    put = await cors.options(
        "/graphql", headers={"Origin": APP, "Access-Control-Request-Method": "PUT"}
    )
    assert put.status_code == 400


async def test_a_listed_origin_can_read_the_refusals(cors: httpx.AsyncClient) -> None:
    origin = {"Origin": APP}
    too_large = await cors.post("/graphql", content=padded(LIMIT + 1), headers={**JSON, **origin})
    refused_with(too_large, 413, "PAYLOAD_TOO_LARGE")
    assert too_large.headers["access-control-allow-origin"] == APP
    csrf = await cors.post("/graphql", data=QUERY, headers=origin)
    refused_with(csrf, 400, "CSRF_REJECTED")
    assert csrf.headers["access-control-allow-origin"] == APP


async def test_no_cors_headers_without_an_allow_list(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"Origin": APP})
    assert response.json() == ANSWER
    assert not [name for name in response.headers if name.startswith("access-control-")]
    preflight = await client.options(
        "/graphql", headers={"Origin": APP, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers


async def test_bad_tokens_are_401_with_a_reason(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json=QUERY, headers={"Authorization": "Bearer not.a.token"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    basic = await client.post("/graphql", json=QUERY, headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
    assert basic.json()["errors"][0]["message"] == (
        "the Authorization header must be 'Bearer <token>'"
    )
