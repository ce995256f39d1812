"""HTTP hardening in front of the GraphQL endpoint: CORS, header and body limits, CSRF."""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from padu.config import HttpConfig
from padu.graphql_errors import refusal

log = logging.getLogger("padu.http")

CORS_HEADERS = ("Authorization", "Content-Type", "X-Padu-Trace", "X-Padu-CSRF", "X-Request-Id")
PREFLIGHT_HEADERS = ("x-padu-csrf", "apollo-require-preflight")
# What a browser form or a plain fetch may send cross-site without a CORS preflight.
SIMPLE_CONTENT_TYPES = (
    "",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class QuietDisconnects:
    """Ends a request whose client went away with one short log line, not a traceback.

    Starlette raises ``ClientDisconnect`` when the client closes the connection before its
    body arrived; nothing in Strawberry catches it, so uvicorn would log it as an application
    error with the full traceback, once per disconnect.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            log.info("client went away before its request arrived: %s %s",
                     scope.get("method", "-"), scope["path"])  # fmt: skip


class HeaderSizeLimit:
    """Refuses with 431 a request (or WebSocket handshake) whose headers pass the limits.

    Runs before anything reads a header, the token check included. The HTTP protocol
    (padu.serving) already cut off a head that streamed past ``max_header_bytes``; this
    checks the exact sizes, and covers any server Padu runs under.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_value_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_value_bytes = max_value_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            message = self._oversized(scope["headers"])
            if message is not None:
                await refusal(431, "HEADERS_TOO_LARGE", message)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _oversized(self, headers: list[tuple[bytes, bytes]]) -> str | None:
        total = 0
        for name, value in headers:
            if len(value) > self.max_value_bytes:
                shown = name.decode("latin-1")[:40].title()
                return (
                    f"The {shown} header is longer than {self.max_value_bytes} bytes, the limit; "
                    "send a shorter one."
                )
            total += len(name) + len(value) + 4  # "name: value\r\n"
        if total > self.max_bytes:
            return (
                f"The request headers are larger than {self.max_bytes} bytes, the limit; "
                "send fewer or shorter headers."
            )
        return None


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once a streamed body passes the limit."""


class BodySizeLimit:
    """Refuses a request body over ``max_bytes`` with 413, by Content-Length or as it streams."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            f"The request body is larger than {self.max_bytes} bytes, the limit; "
            "send a shorter query or fewer operations at once."
        )
        await refusal(413, "PAYLOAD_TOO_LARGE", message)(scope, receive, send)


class CSRFProtection:
    """Refuses state-changing requests a browser could send cross-site without a preflight.

    Such a request (a form post, or ``fetch`` with a simple content type) must say so with
    ``X-Padu-CSRF`` or ``Apollo-Require-Preflight``, which no page can add without CORS.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        preflighted = media_type not in SIMPLE_CONTENT_TYPES or any(
            headers.get(name, "").strip() for name in PREFLIGHT_HEADERS
        )
        if preflighted:
            await self.app(scope, receive, send)
            return
        message = (
            f"A {scope['method']} with content type {media_type or '(none)'!r} could come from "
            "another site; send Content-Type: application/json, or the header X-Padu-CSRF: 1."
        )
        await refusal(400, "CSRF_REJECTED", message)(scope, receive, send)


def hardening_middleware(http: HttpConfig) -> list[Middleware]:
    """The pure-ASGI middleware stack for ``http``, outermost first.

    CORS comes first (after the disconnect guard, which only catches) so that a browser app
    may read the refusals of the others.
    """
    stack = [
        Middleware(
            HeaderSizeLimit,
            max_bytes=http.max_header_bytes,
            max_value_bytes=http.max_header_value_bytes,
        ),
        Middleware(BodySizeLimit, max_bytes=http.max_body_bytes),
        Middleware(CSRFProtection),
    ]
    if http.cors_origins:
        cors = Middleware(
            CORSMiddleware,
            allow_origins=http.cors_origins,
            allow_methods=("GET", "POST"),
            allow_headers=CORS_HEADERS,
            allow_credentials=False,
        )
        stack.insert(0, cors)
    return [Middleware(QuietDisconnects), *stack]
