"""Logging that never carries a NIK or KK number, whoever writes the line.

Every log record Padu's process creates is redacted at creation: runs of 16 or more digits
(NIK and KK numbers) become ``[redacted]`` in the message, its arguments and any traceback,
and access-log lines lose their query strings. Resident names are never logged in the first
place: logs carry codes, ids and request ids only.

``[logging] format = "json"`` writes one JSON object per line (``JsonFormatter``), from the
same redacted records; variables and tokens are never put in a record at all.
"""

from __future__ import annotations

import logging
import re
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from padu.config import LoggingConfig

# 16 digits or more: a NIK or KK, also when URL-encoding glues digits to it (%22…%22).
_LONG_DIGITS = re.compile(r"\d{16,}")


def redact(text: str) -> str:
    """``text`` with every NIK- or KK-like run of 16 or more digits replaced."""
    return _LONG_DIGITS.sub("[redacted]", text)


def _without_query(args: Any) -> Any:
    """Access-log arguments with the query string cut from the path (it may hold a name)."""
    if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
        return (*args[:2], args[2].split("?", 1)[0] + ("?…" if "?" in args[2] else ""), *args[3:])
    return args


class RedactedRecord(logging.LogRecord):
    """A log record whose message and traceback are redacted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.name == "uvicorn.access":
            self.args = _without_query(self.args)
        if self.exc_info and self.exc_info[0] is not None:
            self.exc_text = redact("".join(traceback.format_exception(*self.exc_info)).rstrip())
        if self.stack_info:
            self.stack_info = redact(self.stack_info)

    def getMessage(self) -> str:
        return redact(super().getMessage())


def install_redaction() -> None:
    """Make every record created from now on a RedactedRecord."""
    logging.setLogRecordFactory(RedactedRecord)


# Fields a record may carry (``extra=``) that JSON lines keep; anything else is left out.
_FIELDS = ("request_id", "operation", "role", "duration_ms", "outcome", "status", "source",
           "sources")  # fmt: skip
_HANDLER = "padu"
# The request being answered (its ASGI scope state), set by padu.metrics.Observed: lines
# written while it runs name its request id and operation.
current_request: ContextVar[dict[str, Any] | None] = ContextVar("padu_request", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = (current_request.get() or {}).get("padu")
        if context is not None:
            line["request_id"] = context.request_id
            if context.operation_name is not None:
                line["operation"] = redact(context.operation_name)
        for name in _FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


def configure_logging(config: LoggingConfig) -> None:
    """Padu's and uvicorn's lines in ``config.format`` at ``config.level`` (once per process)."""
    install_redaction()
    text = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter = JsonFormatter() if config.format == "json" else text
    padu = logging.getLogger("padu")
    padu.setLevel(config.level)
    ours = [h for h in padu.handlers if h.get_name() == _HANDLER]
    if not ours:
        ours = [logging.StreamHandler()]
        ours[0].set_name(_HANDLER)
        padu.addHandler(ours[0])
    ours[0].setFormatter(formatter)
    if config.format == "json":
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            for other in logging.getLogger(name).handlers:
                other.setFormatter(formatter)
