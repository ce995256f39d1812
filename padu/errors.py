"""Errors that reach clients, each with a stable ``extensions.code``."""

from __future__ import annotations

from typing import Any


class PaduError(Exception):
    """An error a client can act on; ``extensions`` is copied into the GraphQL error."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInput(PaduError):
    """An argument or variable the client must change."""

    code = "BAD_USER_INPUT"


class SourceUnavailable(PaduError):
    """A source system could not be reached; only its own fields are null."""

    code = "SOURCE_UNAVAILABLE"

    def __init__(self, source: str, reason: str = "could not be reached") -> None:
        super().__init__(
            f"The {source} source system {reason}; its fields are null.", source=source
        )


class SourceTimeout(SourceUnavailable):
    """A source system did not answer within its configured timeout."""

    code = "SOURCE_TIMEOUT"
