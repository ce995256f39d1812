"""Log lines never carry a NIK or KK number, in messages, arguments or tracebacks."""

from __future__ import annotations

import logging

import pytest

from padu.logs import redact
from tests.data import BUDI, KK_BUDI


def test_redact_replaces_sixteen_digit_runs_only() -> None:
    assert redact(f"nik={BUDI} kk {KK_BUDI} nip 198503152010011001 n=12") == (
        "nik=[redacted] kk [redacted] nip 198503152010011001 n=12"
    )


def test_records_are_redacted_whoever_logs(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("some.library")
    with caplog.at_level(logging.INFO, logger="some.library"):
        log.info("lookup %s failed", BUDI)
        try:
            raise ValueError(f"no resident {BUDI}")
        except ValueError:
            log.exception("while reading KK %s", KK_BUDI)
    assert BUDI not in caplog.text and KK_BUDI not in caplog.text
    assert "lookup [redacted] failed" in caplog.text
    assert "ValueError: no resident [redacted]" in caplog.text
