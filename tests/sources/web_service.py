"""A real JSON web service for the http transport's tests: it answers well, slowly, malformed,
with 500s or 401s as a test asks, and counts what it was asked."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.conftest import uvicorn_serving
from tests.padu_process import free_port

TOKEN = "rahasia-dinas-kesehatan"
RESIDENTS = {
    "3671010101900001": {"nik": "3671010101900001", "nama": "Siti Aminah", "umur": 34},
    "3671010101900002": {"nik": "3671010101900002", "nama": "Budi Santoso", "umur": 51},
    "3671010101900003": {"nik": "3671010101900003", "nama": "Dewi Lestari", "umur": 28},
}


@dataclass
class Behaviour:
    """How the service answers now, and what it has been asked."""

    mode: str = "well"  # well | slow | malformed | error | wrong-types
    delay: float = 0.0  # seconds before every answer
    hits: Counter[str] = field(default_factory=Counter)  # "METHOD path" -> calls
    in_flight: int = 0
    max_in_flight: int = 0
    written: dict[str, Any] = field(default_factory=dict)  # Idempotency-Key -> body
    credentials: list[str] = field(default_factory=list)
    traceparents: list[str | None] = field(default_factory=list)  # W3C header of each call


def service(behaviour: Behaviour) -> Starlette:
    async def answering(request: Request, answer: Any, status: int = 200) -> Response:
        behaviour.hits[f"{request.method} {request.url.path}"] += 1
        behaviour.traceparents.append(request.headers.get("traceparent"))
        behaviour.credentials.append(
            request.headers.get("authorization") or request.headers.get("x-dinkes-key") or ""
        )
        behaviour.in_flight += 1
        behaviour.max_in_flight = max(behaviour.max_in_flight, behaviour.in_flight)
        try:
            await asyncio.sleep(2 if behaviour.mode == "slow" else behaviour.delay)
        finally:
            behaviour.in_flight -= 1
        if behaviour.mode == "error":
            return JSONResponse({"error": "database down"}, status_code=500)
        authorized = f"Bearer {TOKEN}", TOKEN
        if behaviour.credentials[-1] not in authorized:
            return JSONResponse({"error": "who are you"}, status_code=401)
        if behaviour.mode == "malformed":
            return Response("<html>maintenance</html>", media_type="text/html")
        if behaviour.mode == "wrong-types":
            return JSONResponse({"items": [{"nama": "no nik"}]})
        return JSONResponse(answer, status_code=status)

    async def health(request: Request) -> Response:
        return await answering(request, {"status": "ok"})

    async def resident(request: Request) -> Response:
        found = RESIDENTS.get(request.path_params["nik"])
        return await answering(request, found or {"error": "not found"}, 200 if found else 404)

    async def batch(request: Request) -> Response:
        keys = (await request.json())["keys"]
        return await answering(request, [RESIDENTS[k] for k in keys if k in RESIDENTS])

    async def register(request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        if key in behaviour.written:
            return await answering(request, {"error": "already applied"}, 409)
        response = await answering(request, {"id": len(behaviour.written) + 1}, 201)
        if response.status_code == 201:
            behaviour.written[key] = await request.json()
        return response

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/residents/{nik}", resident),
            Route("/residents:batch", batch, methods=["POST"]),
            Route("/registrations", register, methods=["POST"]),
        ]
    )


@asynccontextmanager
async def web_service(behaviour: Behaviour) -> AsyncIterator[str]:
    """The service under uvicorn on a free local port; yields its base URL."""
    port = free_port()
    settings = uvicorn.Config(
        service(behaviour),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    async with uvicorn_serving(settings):
        yield f"http://127.0.0.1:{port}"


@asynccontextmanager
async def hanging_up(hits: list[int]) -> AsyncIterator[str]:
    """A server that closes each connection without a word (noted in ``hits``); yields its URL."""

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(1)
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()
