"""HTTP hardening in front of the GraphQL endpoint: CORS allow-list, body size limit, CSRF."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from padu.config import HttpConfig

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


def _refusal(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


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
        await _refusal(413, "PAYLOAD_TOO_LARGE", message)(scope, receive, send)


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
        await _refusal(400, "CSRF_REJECTED", message)(scope, receive, send)


def hardening_middleware(http: HttpConfig) -> list[Middleware]:
    """The pure-ASGI middleware stack for ``http``, outermost first.

    CORS comes first so that a browser app may read the refusals of the others.
    """
    stack = [Middleware(BodySizeLimit, max_bytes=http.max_body_bytes), Middleware(CSRFProtection)]
    if http.cors_origins:
        cors = Middleware(
            CORSMiddleware,
            allow_origins=http.cors_origins,
            allow_methods=("GET", "POST"),
            allow_headers=CORS_HEADERS,
            allow_credentials=False,
        )
        stack.insert(0, cors)
    return stack
