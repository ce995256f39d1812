"""Log lines never carry a NIK or KK number, in messages, arguments or tracebacks."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from padu.config import Config
from padu.logs import JsonFormatter, redact
from padu.principal import Role
from tests.conftest import bearer
from tests.data import BUDI, KK_BUDI, PERSONAL


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


async def test_json_access_line_of_a_request_has_its_fields_and_no_secrets(
    client: httpx.AsyncClient, config: Config
) -> None:
    lines: list[str] = []
    handler = logging.Handler(level=logging.INFO)
    formatter = JsonFormatter()
    handler.emit = lambda record: lines.append(formatter.format(record))  # type: ignore[method-assign]
    access = logging.getLogger("padu.access")
    access.addHandler(handler)
    headers = bearer(config, Role.CITIZEN, BUDI)
    query = "query Me($nik: NIK!) { resident(nik: $nik) { fullName } }"
    try:
        response = await client.post(
            "/graphql", json={"query": query, "variables": {"nik": BUDI}}, headers=headers
        )
    finally:
        access.removeHandler(handler)
    assert response.status_code == 200
    records = [json.loads(line) for line in lines]
    assert len(records) == 1
    line = records[0]
    assert line["level"] == "INFO" and line["logger"] == "padu.access"
    assert line["request_id"] == response.headers["x-request-id"]
    assert (line["operation"], line["role"], line["outcome"]) == ("Me", "citizen", "ok")
    assert line["duration_ms"] > 0 and line["time"].endswith("+00:00")
    assert line["sources"]["population"] >= 1
    token = headers["Authorization"].removeprefix("Bearer ")
    for secret in (*PERSONAL, token):
        assert secret not in lines[0]
    assert "variables" not in line and '"nik"' not in lines[0]


def test_json_lines_are_redacted_too() -> None:
    record = logging.getLogger("padu.sources").makeRecord(
        "padu.sources", logging.WARNING, __file__, 1, "no resident %s", (BUDI,), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "no resident [redacted]" and line["level"] == "WARNING"
