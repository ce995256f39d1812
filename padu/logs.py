"""Logging that never carries a NIK or KK number, whoever writes the line.

Every log record Padu's process creates is redacted at creation: runs of 16 or more digits
(NIK and KK numbers) become ``[redacted]`` in the message, its arguments and any traceback,
and access-log lines lose their query strings. Resident names are never logged in the first
place: logs carry codes, ids and request ids only.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

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
