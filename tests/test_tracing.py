"""OpenTelemetry traces: a span per request, loader batch and source round trip, counted like
X-Padu-Trace; the caller's traceparent honoured and passed on to web services; no personal
data in any attribute; nothing recorded with tracing off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import connect

from padu import tracing
from padu.config import Config, ConfigError, TracingConfig, parse_config
from padu.principal import Role
from padu.sources.transports.shape import Shape
from tests.api.subscribing import CHANGES, RESOLVE, Socket, listening
from tests.conftest import ADMIN_ID, TEST_SETTINGS, bearer, eventually, served, serving
from tests.data import AGUS, PERSONAL, RUDI
from tests.sources.test_transport_http import Health, health_config
from tests.sources.web_service import RESIDENTS, Behaviour, web_service

# Q3 of bench/run.py: residents → serviceRequests → assignee → performance, learning.
DEEP = """query Deep { residents(first: 20) { nodes { nik serviceRequests(first: 5) { nodes {
  ticketNumber assignee { nip performance(year: 2026, quarter: 1) { predicate activityCount }
  learning(year: 2026) { jpCompleted compliant } } } } } } }"""
CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
ON = TracingConfig(enabled=True, service_name="padu-test")


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest_asyncio.fixture
async def traced(
    config: Config, dsns: dict[str, str], exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    # Compiled, as served: the suite's "verify" runs each query twice, the second uncounted.
    traced_config = replace(config, executor="compiled", tracing=ON)
    async with serving(traced_config, dsns, exporter) as http:
        yield http


async def ask(
    http: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """POST ``query`` as an admin with X-Padu-Trace; the body, checked free of errors."""
    admin = bearer(parse_config(TEST_SETTINGS, "test.toml", {}), Role.ADMIN, ADMIN_ID)
    sent = {"X-Padu-Trace": "1", **admin}
    response = await http.post(
        "/graphql", json={"query": query}, headers={**sent, **(headers or {})}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


def children(spans: tuple[ReadableSpan, ...], root: ReadableSpan) -> list[ReadableSpan]:
    """Every span below ``root`` in its trace."""
    assert root.context is not None
    below, ids = [], {root.context.span_id}
    for span in sorted(spans, key=lambda s: s.start_time or 0):
        if span.parent is not None and span.parent.span_id in ids and span.context is not None:
            below.append(span)
            ids.add(span.context.span_id)
    return below


def check_request(spans: tuple[ReadableSpan, ...], body: dict[str, Any]) -> ReadableSpan:
    """The one request span of a Deep query, its round trips as counted, no NIK anywhere."""
    roots = [s for s in spans if s.name == "query Deep"]
    assert len(roots) == 1, [s.name for s in spans]
    root = roots[0]
    assert root.attributes is not None
    assert root.attributes["graphql.operation.name"] == "Deep"
    assert root.attributes["graphql.operation.type"] == "query"
    assert root.attributes["padu.role"] == "admin"
    assert root.attributes["http.response.status_code"] == 200
    below = children(spans, root)
    trips = [s for s in below if s.name.startswith("source ")]
    counted = body["extensions"]["sources"]
    per_source: dict[str, int] = {}
    for span in trips:
        assert span.attributes is not None
        per_source[str(span.attributes["padu.source"])] = (
            per_source.get(str(span.attributes["padu.source"]), 0) + 1
        )
    assert per_source == {name: c["roundTrips"] for name, c in counted.items()}
    population = next(
        s for s in trips if s.attributes and s.attributes["padu.source"] == "population"
    )
    assert population.attributes is not None
    assert population.attributes["db.system"] == "postgresql"
    assert "SELECT" in str(population.attributes["db.query.text"])
    assert "$1" in str(population.attributes["db.query.text"])
    batches = {
        str(s.attributes["padu.loader"])
        for s in below
        if s.attributes and "padu.loader" in s.attributes
    }
    assert {"ServiceRequestsByResidentLoader", "LearningTotalByOfficerLoader"} <= batches
    for batch in below:
        if batch.attributes and "padu.loader" in batch.attributes:
            assert int(str(batch.attributes["padu.batch_size"])) >= 1
    # Each round trip of a loader's batch runs inside the batch's span.
    loaded = [s for s in trips if s.parent and s.parent.span_id != root.context.span_id]  # type: ignore[union-attr]
    assert loaded
    niks = {r["nik"] for r in body["data"]["residents"]["nodes"]}
    for span in (root, *below):
        text = repr(dict(span.attributes or {})) + span.name
        leaked = [secret for secret in (*PERSONAL, *niks) if secret in text]
        assert not leaked, (span.name, leaked)
    return root


async def test_the_deep_query_is_one_request_span_over_its_batches_and_round_trips(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    general = await ask(traced, DEEP)
    check_request(exporter.get_finished_spans(), general)
    exporter.clear()
    # The second time the document is known valid: the prepared fast path answers, the same.
    prepared = await ask(traced, DEEP)
    assert prepared["data"] == general["data"]
    check_request(exporter.get_finished_spans(), prepared)


async def test_the_callers_traceparent_is_the_request_spans_parent(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    header = {"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
    await ask(traced, "query Region { region { code } }", header)
    (root,) = [s for s in exporter.get_finished_spans() if s.name == "query Region"]
    assert root.parent is not None and root.parent.is_remote
    assert f"{root.parent.span_id:016x}" == CALLER_SPAN
    assert root.context is not None and f"{root.context.trace_id:032x}" == CALLER_TRACE


async def test_a_citizens_nik_is_not_in_the_request_span(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter, config: Config
) -> None:
    query = "query Me($nik: NIK!) { resident(nik: $nik) { fullName } }"
    response = await traced.post(
        "/graphql",
        json={"query": query, "variables": {"nik": RUDI}},
        headers=bearer(config, Role.CITIZEN, RUDI),
    )
    assert response.json()["data"]["resident"] is not None
    spans = exporter.get_finished_spans()
    (root,) = [s for s in spans if s.name == "query Me"]
    assert root.attributes is not None and root.attributes["padu.role"] == "citizen"
    for span in spans:
        assert RUDI not in repr(dict(span.attributes or {})) + span.name


async def test_with_tracing_off_nothing_is_recorded(
    config: Config, dsns: dict[str, str], exporter: InMemorySpanExporter
) -> None:
    assert not config.tracing.enabled
    async with serving(config, dsns, exporter) as http:
        await ask(http, DEEP)
    assert exporter.get_finished_spans() == ()
    assert tracing.round_trip("population", "postgres", "SELECT 1") is tracing.round_trip(
        "learning", "postgres", None
    )  # one shared do-nothing context: no span made


async def test_a_web_service_call_carries_the_traceparent(exporter: InMemorySpanExporter) -> None:
    behaviour = Behaviour()
    async with web_service(behaviour) as url:
        source = Health(health_config(url, batch_path="/residents:batch"), url)
        await source.start()

        async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            shape = Shape(key="nik", fields={"nama": "string", "umur": "integer"})
            found = await source.fetch_keys(list(RESIDENTS), shape)
            await JSONResponse({"found": len(found)})(scope, receive, send)

        app = tracing.traced_requests(endpoint, ON)
        tracing.start(ON, exporter)
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
                assert (await http.post("/graphql")).json() == {"found": 3}
        finally:
            tracing.stop()
            await source.stop()
    (trip,) = [s for s in exporter.get_finished_spans() if s.name == "source health"]
    assert trip.attributes is not None and trip.context is not None
    assert trip.attributes["http.request.method"] == "POST"
    assert trip.attributes["url.template"] == "/residents:batch"
    (sent,) = behaviour.traceparents
    assert sent is not None
    assert sent[:-3] == f"00-{trip.context.trace_id:032x}-{trip.context.span_id:016x}"


def test_tracing_is_configured_in_its_section() -> None:
    assert parse_config({}, "padu.toml", {}).tracing == TracingConfig()
    section = {
        "enabled": True,
        "otlp_endpoint": "http://collector:4318/v1/traces",
        "sample_ratio": 0.1,
    }
    assert parse_config({"tracing": section}, "padu.toml", {}).tracing == TracingConfig(
        enabled=True, otlp_endpoint="http://collector:4318/v1/traces", sample_ratio=0.1
    )
    with pytest.raises(ConfigError, match=r"tracing\.sample_ratio.*at most 1"):
        parse_config({"tracing": {"sample_ratio": 2}}, "padu.toml", {})
    with pytest.raises(ConfigError, match=r"tracing\.otlp_endpoint"):
        parse_config({"tracing": {"otlp_endpoint": "collector:4318"}}, "padu.toml", {})
    with pytest.raises(ConfigError, match=r"tracing\.colour"):
        parse_config({"tracing": {"colour": "blue"}}, "padu.toml", {})


async def test_a_mutation_its_delivery_and_the_subscription_event_are_spans(
    server_dsn: str, exporter: InMemorySpanExporter
) -> None:
    config = replace(parse_config(TEST_SETTINGS, "test.toml", {}), tracing=ON)
    async with served(server_dsn, config, exporter) as padu:
        ws = await connect(padu.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        try:
            init = {"type": "connection_init", "payload": bearer(config, Role.ADMIN, ADMIN_ID)}
            await ws.send(json.dumps(init))
            admin = Socket(ws)
            assert (await admin.receive())["type"] == "connection_ack"
            await admin.subscribe(CHANGES, {"f": {"kind": ["STATUS_CHANGED"]}})
            await listening(padu)
            body = await padu.ask(RESOLVE, {"id": "2"}, (Role.OFFICER, AGUS))
            assert body["data"]["resolveServiceRequest"]["errors"] == [], body
            assert (await admin.receive())["type"] == "next"
            names = await eventually(
                lambda: asyncio.sleep(0, {s.name for s in exporter.get_finished_spans()}),
                lambda seen: "deliver credit_activity" in seen,
            )
        finally:
            await ws.close()
    spans = exporter.get_finished_spans()
    assert "deliver credit_activity" in names
    (mutation,) = [s for s in spans if s.name.startswith("mutation")]
    assert mutation.attributes is not None and mutation.attributes["padu.role"] == "officer"
    (event,) = [s for s in spans if s.name.startswith("subscription")]
    assert event.attributes is not None and event.attributes["padu.role"] == "admin"
    (delivery,) = [s for s in spans if s.name == "deliver credit_activity"]
    assert delivery.attributes == {"padu.effect": "credit_activity"}
    assert any(s.parent and s.parent.span_id == delivery.context.span_id for s in spans)  # type: ignore[union-attr]
    for span in spans:
        assert AGUS not in repr(dict(span.attributes or {})) + span.name
