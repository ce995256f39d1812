"""Logging that never carries a NIK or KK number, whoever writes the line.

Every log record Padu's process creates is redacted at creation: 16-digit runs (NIK and KK
numbers) become ``[redacted]`` in the message, its arguments and any traceback. Resident
names are never logged in the first place: logs carry codes, ids and request ids only.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def redact(text: str) -> str:
    """``text`` with every NIK- or KK-like 16-digit run replaced."""
    return _SIXTEEN_DIGITS.sub("[redacted]", text)


class RedactedRecord(logging.LogRecord):
    """A log record whose message and traceback are redacted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.exc_info and self.exc_info[0] is not None:
            self.exc_text = redact("".join(traceback.format_exception(*self.exc_info)).rstrip())
        if self.stack_info:
            self.stack_info = redact(self.stack_info)

    def getMessage(self) -> str:
        return redact(super().getMessage())


def install_redaction() -> None:
    """Make every record created from now on a RedactedRecord."""
    logging.setLogRecordFactory(RedactedRecord)
