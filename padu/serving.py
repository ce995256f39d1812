"""How uvicorn serves Padu: one set of server limits for ``padu serve`` and the tests.

uvicorn bounds idle keep-alive connections and WebSocket messages, but with httptools it
bounds neither the size of a request head nor the time a client takes to send one: a header
streamed for minutes, or one byte every few seconds, holds a socket and grows the parser's
buffer without end. ``BoundedHttpProtocol`` adds both bounds, and answers an overloaded server
with a JSON 503 like Padu's other refusals.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from padu.config import Config, HttpConfig
from padu.graphql_errors import refusal_body

log = logging.getLogger("padu.http")

# How long a refused connection is read and drained before it closes (see _refuse).
LINGER_SECONDS = 1.0
_BUSY = "The server is at its connection limit; try again in a moment."
_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large",
            503: b"Service Unavailable"}  # fmt: skip


def server_settings(config: Config) -> dict[str, Any]:
    """uvicorn's settings for ``config``: its limits, protocols and address."""
    http = config.http
    return {
        "host": config.host,
        "port": config.port,
        "loop": "uvloop",
        # A partial, not a subclass made here: workers are spawned with the settings pickled.
        "http": partial(BoundedHttpProtocol, limits=http),
        "ws": "websockets-sansio",
        "ws_max_size": http.max_body_bytes,  # a WebSocket message is bounded like a body
        "timeout_keep_alive": http.keep_alive_seconds,
        "limit_concurrency": http.max_connections,
        "backlog": http.max_connections,
        # For the h11 parser, should anyone choose it; httptools has no such setting.
        "h11_max_incomplete_event_size": http.max_header_bytes,
        # On SIGTERM: stop accepting, let in-flight requests finish, then run the lifespan
        # shutdown (outbox dispatcher, pools).
        "timeout_graceful_shutdown": max(1, round(config.shutdown_grace)),
    }


def uvicorn_config(config: Config, app: Any, **overrides: Any) -> uvicorn.Config:
    """A uvicorn.Config serving ``app`` (an ASGI app or import string) under Padu's limits."""
    return uvicorn.Config(app, **{**server_settings(config), **overrides})


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a read timeout, a head size cap and a JSON 503.

    - A request must arrive, head and body, within ``read_timeout_seconds`` of its first byte
      (of the connection opening, for the first request); else 408 and the connection closes.
      A connection that asks nothing in that time is closed without an answer.
    - A head still incomplete after ``max_header_bytes`` is refused with 431 as it streams,
      before the parser has buffered more than one read past the limit.
    - Past ``max_connections`` open connections (WebSockets included), 503 in JSON.
    """

    def __init__(self, *args: Any, limits: HttpConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.limit_concurrency = None  # checked in on_headers_complete, answered in JSON
        self.read_deadline: asyncio.TimerHandle | None = None
        self.head_bytes: int | None = None  # bytes of the head read so far; None: not in one
        self.refused = False  # answered by _refuse: what the client still sends is dropped

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        self._arm()
        super().data_received(data)
        if self.head_bytes is not None and not self.refused:
            # Counted after parsing, so a read that completed the head is not counted: the
            # exact header sizes are then checked by padu.middleware.HeaderSizeLimit. (A read
            # holding the end of one pipelined request and the start of the next counts whole.)
            self.head_bytes += len(data)
            if self.head_bytes > self.limits.max_header_bytes:
                message = (
                    f"The request headers are larger than {self.limits.max_header_bytes} bytes, "
                    "the limit; send fewer or shorter headers."
                )
                self._refuse(431, "HEADERS_TOO_LARGE", message)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes = 0
        self._arm()

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        if self._busy():
            self._refuse(503, "SERVER_BUSY", _BUSY)
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:  # else the rest of the request is dropped
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        if not self.refused:
            super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the WebSocket protocol takes the transport over from here
        if not self.refused:
            super().handle_websocket_upgrade()

    def _busy(self) -> bool:
        # This connection is among self.connections; the cap counts it.
        limit = self.limits.max_connections
        return len(self.connections) > limit or len(self.tasks) >= limit

    def _arm(self) -> None:
        if self.read_deadline is None:
            timeout = self.limits.read_timeout_seconds
            self.read_deadline = self.loop.call_later(timeout, self._timed_out)

    def _disarm(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _timed_out(self) -> None:
        self.read_deadline = None
        cycle = self.cycle
        if self.head_bytes is None and (cycle is None or cycle.response_complete):
            # Nothing asked yet (a browser's preconnected socket, say): close without a word.
            self.transport.close()
            return
        seconds = f"{self.limits.read_timeout_seconds:g}"
        log.info("closed a connection whose request did not arrive in %s s", seconds)
        message = f"The request did not arrive within {seconds} seconds; send it again, whole."
        self._refuse(408, "REQUEST_TIMEOUT", message)

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer ``status`` and close, unless a response is under way (then only close).

        The close lingers: closing a socket with unread data in it sends a reset, which can
        discard the answer before the client reads it; so what arrives meanwhile is read and
        dropped for up to LINGER_SECONDS.
        """
        self.refused = True
        self._disarm()
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()
            return
        body = json.dumps(refusal_body(code, message)).encode()
        retry = b"retry-after: 1\r\n" if status == 503 else b""
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n%sconnection: close\r\n\r\n%s"
            % (status, _REASONS[status], len(body), retry, body)
        )
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
