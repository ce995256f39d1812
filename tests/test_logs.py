"""Log lines never carry a NIK or KK number, in messages, arguments or tracebacks."""

from __future__ import annotations

import logging

import pytest

from padu.logs import redact
from tests.data import BUDI, KK_BUDI


def test_redact_replaces_runs_of_sixteen_digits_or_more() -> None:
    assert redact(f"nik={BUDI} kk {KK_BUDI} url %22{BUDI}%22 n=123456789012345") == (
        "nik=[redacted] kk [redacted] url %[redacted]%22 n=123456789012345"
    )


def test_access_log_lines_lose_their_query_string(caplog: pytest.LogCaptureFixture) -> None:
    access = logging.getLogger("uvicorn.access")
    path = '/graphql?query={residents(filter:{name:"Budi Santoso"}){totalCount}}'
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    assert caplog.messages == ['127.0.0.1:5000 - "GET /graphql?… HTTP/1.1" 200']


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
