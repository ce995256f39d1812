"""Prometheus metrics: what Padu counts, and ``/metrics``, correct under several uvicorn workers.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``padu serve`` sets it to a fresh folder before the
workers start, and before prometheus_client is imported), every worker writes its values to
files there and a scrape adds them up (``MultiProcessCollector``); without it (tests, one
process) the values live in ``REGISTRY``.

Labels are bounded: sources and error codes are Padu's own; an operation name is the client's,
so it is kept only for documents that passed validation, only while fewer than
``MAX_OPERATION_NAMES`` names were seen, and never when it holds a NIK-like run of digits.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
from functools import lru_cache
from typing import Any, Literal

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from padu.config import MetricsConfig
from padu.graphql_errors import refusal
from padu.logs import current_request, redact

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# prometheus_client chose file-backed values at import when the folder was set; so do we.
MULTIPROCESS = bool(os.environ.get(MULTIPROC_ENV))
MAX_OPERATION_NAMES = 100
OTHER = "other"
ANONYMOUS = "anonymous"

REGISTRY = CollectorRegistry()
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_ROUND_TRIP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)

REQUESTS = Counter(
    "padu_graphql_requests", "GraphQL requests by operation name and outcome (ok, errors, "
    "refused)", ["operation", "outcome"], registry=REGISTRY,
)  # fmt: skip
LATENCY = Histogram(
    "padu_graphql_request_duration_seconds", "Time to answer a GraphQL request, by operation",
    ["operation"], buckets=_LATENCY_BUCKETS, registry=REGISTRY,
)  # fmt: skip
ERRORS = Counter(
    "padu_graphql_errors", "GraphQL errors sent, by extensions.code", ["code"], registry=REGISTRY
)
ROUND_TRIPS = Counter(
    "padu_source_round_trips", "Answered calls to a source system", ["source"], registry=REGISTRY
)
ROUND_TRIP_SECONDS = Histogram(
    "padu_source_round_trip_duration_seconds", "Time of one call to a source system",
    ["source"], buckets=_ROUND_TRIP_BUCKETS, registry=REGISTRY,
)  # fmt: skip


Mode = Literal["livesum", "livemax", "livemostrecent"]


def _gauge(name: str, documentation: str, mode: Mode, *labels: str) -> Gauge:
    """A gauge, with how several workers' values add up (``mode``, prometheus_client's)."""
    return Gauge(name, documentation, labels, multiprocess_mode=mode, registry=REGISTRY)


POOL_IN_USE = _gauge(
    "padu_source_pool_in_use", "Connections of a source's pools in use", "livesum", "source"
)
POOL_WAITING = _gauge(
    "padu_source_pool_waiting", "Calls to a source waiting for a connection", "livesum", "source"
)
CIRCUIT = _gauge(
    "padu_source_circuit_state",
    "A source's circuit breaker: 0 closed, 1 open, 2 half-open (the worst of the workers)",
    "livemax",
    "source",
)
# Counted from the state database, the same for every worker: the latest reading counts.
OUTBOX_PENDING = _gauge("padu_outbox_pending", "Outbox deliveries not delivered", "livemostrecent")
OUTBOX_FAILING = _gauge(
    "padu_outbox_failing", "Pending outbox deliveries whose last try failed", "livemostrecent"
)
OUTBOX_LAG = _gauge(
    "padu_outbox_lag_seconds", "Age of the oldest pending outbox delivery", "livemostrecent"
)
SUBSCRIPTIONS = _gauge("padu_subscriptions_open", "GraphQL subscriptions running", "livesum")
WEBSOCKETS = _gauge(
    "padu_websocket_connections_open", "WebSocket connections open at /graphql", "livesum"
)
AUDIT_ENTRIES = Counter("padu_audit_entries", "Audit log entries written", registry=REGISTRY)

CIRCUIT_VALUES = {"closed": 0, "open": 1, "half_open": 2}
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,47}")
_ERRORS_KEY = b'"errors":['

access_log = logging.getLogger("padu.access")


@lru_cache(maxsize=256)
def _of_source(source: str) -> tuple[Any, Any, Any, Any, Any]:
    """A source's labelled metrics, looked up once: ``labels()`` checks its arguments on
    every call, and these are updated three times per round trip."""
    return (
        ROUND_TRIPS.labels(source),
        ROUND_TRIP_SECONDS.labels(source),
        CIRCUIT.labels(source),
        POOL_IN_USE.labels(source),
        POOL_WAITING.labels(source),
    )


@lru_cache(maxsize=1024)
def _of_operation(operation: str, outcome: str) -> tuple[Any, Any]:
    """An operation's labelled request count and latency (operation names are bounded)."""
    return REQUESTS.labels(operation, outcome), LATENCY.labels(operation)


def round_trip(source: str, seconds: float) -> None:
    """One answered call to ``source`` that took ``seconds``."""
    trips, latency, *_ = _of_source(source)
    trips.inc()
    latency.observe(seconds)


def source_state(source: str, circuit: str, in_use: int, calls: int) -> None:
    """A source's circuit and pool after a call began or ended (``calls`` under way)."""
    *_, state, used, waiting = _of_source(source)
    state.set(CIRCUIT_VALUES[circuit])
    used.set(in_use)
    waiting.set(max(calls - in_use, 0))


def audit_written(entries: int) -> None:
    AUDIT_ENTRIES.inc(entries)


def outbox_backlog(pending: int, failing: int, lag_seconds: float) -> None:
    OUTBOX_PENDING.set(pending)
    OUTBOX_FAILING.set(failing)
    OUTBOX_LAG.set(lag_seconds)


class OperationNames:
    """The operation names labels may carry: validated, GraphQL names, at most ``cap`` of them."""

    def __init__(self, cap: int = MAX_OPERATION_NAMES) -> None:
        self.cap = cap
        self.seen: set[str] = set()

    def label(self, name: str | None, validated: bool) -> str:
        if not validated:
            return OTHER
        if name is None:
            return ANONYMOUS
        if not _NAME.fullmatch(name) or redact(name) != name:
            return OTHER
        if name not in self.seen:
            if len(self.seen) >= self.cap:
                return OTHER
            self.seen.add(name)
        return name


def _error_codes(body: bytes) -> tuple[list[str], bool]:
    """The codes of a response's top-level errors, and whether it (or any of a batch) had data."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return [], False
    answers = parsed if isinstance(parsed, list) else [parsed]
    codes, executed = [], False
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        executed = executed or "data" in answer
        for error in answer.get("errors") or ():
            code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
            codes.append(code if isinstance(code, str) and _CODE.fullmatch(code) else "OTHER")
    return codes, executed


class Observed:
    """ASGI middleware around the GraphQL endpoint: counts and times each request, counts its
    errors by code and open WebSockets, and writes one access-log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.names = OperationNames()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            with WEBSOCKETS.track_inprogress():
                await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})
        current_request.set(state)
        seen: dict[str, Any] = {"status": 500, "html": False, "body": b""}

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                headers = dict(message.get("headers", ()))
                seen["html"] = headers.get(b"content-type", b"").startswith(b"text/html")
            elif message["type"] == "http.response.body" and not seen["html"]:
                chunk = message.get("body", b"")
                if seen["body"] or _ERRORS_KEY in chunk:
                    seen["body"] += chunk
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            if not seen["html"]:  # the playground page is no GraphQL request
                self.record(state, seen["status"], seen["body"], time.perf_counter() - started)

    def record(self, state: dict[str, Any], status: int, body: bytes, seconds: float) -> None:
        codes, executed = _error_codes(body) if body else ([], status < 400)
        refused = status >= 400 or not executed
        outcome = "refused" if refused else "errors" if codes else "ok"
        context = state.get("padu")
        name = getattr(context, "operation_name", None)
        operation = self.names.label(name, outcome != "refused")
        requests, latency = _of_operation(operation, outcome)
        requests.inc()
        latency.observe(seconds)
        for code in codes:
            ERRORS.labels(code).inc()
        principal = state.get("principal")
        trace = getattr(context, "trace", None)
        access_log.info(
            "%s %s in %.1f ms",
            operation,
            outcome,
            seconds * 1000,
            extra={
                "request_id": getattr(context, "request_id", None),
                "operation": operation,
                "role": principal.role.value if principal is not None else None,
                "duration_ms": round(seconds * 1000, 2),
                "outcome": outcome,
                "status": status,
                "sources": {n: c.round_trips for n, c in trace.counts.items()} if trace else {},
            },
        )


def exposition() -> bytes:
    """Every metric in Prometheus's text format, added up over the workers if there are several."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


class MetricsEndpoint:
    """``/metrics`` on the main app: behind ``[metrics] token`` when one is configured."""

    def __init__(self, config: MetricsConfig) -> None:
        self.token = config.token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is not None and not _bearer_matches(Request(scope), self.token):
            challenge = {"WWW-Authenticate": 'Bearer realm="metrics"'}
            message = "Scraping the metrics needs the metrics bearer token"
            await refusal(401, "UNAUTHENTICATED", message, challenge)(scope, receive, send)
            return
        response = Response(exposition(), media_type=CONTENT_TYPE_LATEST)
        await response(scope, receive, send)


def _bearer_matches(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def serve_separately(config: MetricsConfig) -> Any:
    """``/metrics`` on its own listener (``[metrics] bind``), in a thread; returns the server.

    ``padu serve`` runs it once, in the process that supervises the workers; a lone app (one
    process, no ``PROMETHEUS_MULTIPROC_DIR``) runs it from its lifespan.
    """
    assert config.bind is not None
    host, port = config.bind
    if MULTIPROCESS or os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    server, _thread = start_http_server(port, host, registry=registry)
    return server


def worker_stopped() -> None:
    """Drop this worker's live gauges from the sums (its counters and histograms stay)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
