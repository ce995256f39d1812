"""Turn every GraphQL error into one with a stable ``extensions.code`` and no internals."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from starlette.responses import JSONResponse

from padu.errors import PaduError
from padu.identifiers import InvalidIdentifier

log = logging.getLogger("padu.errors")
_TOO_DEEP = "Variable values are nested too deeply."  # graphql-core's, naming no variable


def _wrapped(error: BaseException) -> list[BaseException]:
    """An error and those it wraps (graphql-core nests a scalar's own error)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = getattr(current, "original_error", None) or current.__cause__
    return chain


def classify(error: GraphQLError) -> tuple[str, str, dict[str, Any]]:
    """The code, client message and extra extensions for one error."""
    chain = _wrapped(error)
    for cause in chain:
        if isinstance(cause, PaduError):
            return str(cause.extensions["code"]), str(cause), dict(cause.extensions)
        if isinstance(cause, InvalidIdentifier):
            return "BAD_USER_INPUT", str(cause), {}
    if error.extensions and "code" in error.extensions:
        return str(error.extensions["code"]), error.message, dict(error.extensions)
    if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        return "INTERNAL_SERVER_ERROR", error.message, {}
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED", error.message, {}
    if error.message.startswith("Variable '$") or error.message == _TOO_DEEP:
        return "BAD_USER_INPUT", error.message, {}
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED", error.message, {}
    return "INTERNAL_SERVER_ERROR", error.message, {}


def format_error(error: GraphQLError, *, production: bool, request_id: str) -> dict[str, Any]:
    """The error as sent to clients; unexpected ones are logged and, in production, masked."""
    code, message, extensions = classify(error)
    if code == "INTERNAL_SERVER_ERROR":
        log.error(
            "unexpected error at %s (request %s)",
            error.path,
            request_id,
            exc_info=error.original_error or error,
        )
        extensions["requestId"] = request_id
        if production:
            message = f"Internal server error; quote request id {request_id} when reporting it."
    formatted: dict[str, Any] = {"message": message}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path is not None:
        formatted["path"] = error.path
    formatted["extensions"] = {**extensions, "code": code}
    return formatted


def refusal(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A request refused before GraphQL ran: ``status`` with one error carrying ``code``."""
    return JSONResponse(refusal_body(code, message), status, headers)


def refusal_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of every refusal made before GraphQL runs (middleware, view, server)."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
