"""Traces with OpenTelemetry (``[tracing]``): off by default, and then nothing is created.

When enabled, one span per GraphQL request over HTTP (its parent from the caller's W3C
``traceparent``) and per subscription event sent, carrying the operation's name and type and
the caller's role; under it one span per loader batch (the loader and its batch size) and
one per source round trip (the source; for SQL the statement text, whose values are ``$n``
parameters; for a web service the method and path template, its ``traceparent`` passed on);
and one span per outbox delivery (the effect's kind). Never a NIK, NIP, token or variable.

Off, the hooks below are one check of a module global: no tracer, span or context object is
made, and the request wrapper is not installed at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from padu.config import TracingConfig

K = TypeVar("K")
V = TypeVar("V")

_OFF: AbstractContextManager[None] = nullcontext()
_W3C = TraceContextTextMapPropagator()
_tracer: Tracer | None = None
_provider: TracerProvider | None = None


def start(settings: TracingConfig, exporter: SpanExporter | None = None) -> None:
    """Begin tracing in this process, sending spans to ``exporter`` (default: OTLP over HTTP
    to ``otlp_endpoint``, in batches from a background thread)."""
    global _tracer, _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
        )
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    _provider, _tracer = provider, provider.get_tracer("padu")


def stop() -> None:
    """Send what is left and stop tracing in this process."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


@contextmanager
def _span(
    tracer: Tracer, name: str, attributes: Mapping[str, Any], **options: Any
) -> Iterator[Span]:
    """A current span that records only an exception's type: its message may hold data."""
    with tracer.start_as_current_span(
        name, attributes=attributes, record_exception=False, **options
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__name__)
            raise


def round_trip(source: str, kind: str, statement: str | None) -> AbstractContextManager[Any]:
    """The span of one round trip to ``source``, inside a traced request or delivery only."""
    tracer = _tracer
    if tracer is None:
        return _OFF
    if not trace.get_current_span().is_recording():
        return _OFF  # health checks and start-up probes are no one's request
    attributes: dict[str, Any] = {"padu.source": source}
    if kind == "http":
        method, _, template = (statement or "").partition(" ")
        attributes |= {"http.request.method": method, "url.template": template}
    else:
        attributes["db.system"] = "postgresql" if kind == "postgres" else kind
        if statement is not None:
            attributes["db.query.text"] = " ".join(statement.split())
    return _span(tracer, f"source {source}", attributes, kind=SpanKind.CLIENT)


def traced_batches(
    loader: str, batch: Callable[[list[K]], Awaitable[list[V]]]
) -> Callable[[list[K]], Awaitable[list[V]]]:
    """``batch`` (a DataLoader's batch function) in a span per batch, when tracing is on."""
    tracer = _tracer
    if tracer is None:
        return batch

    async def traced(keys: list[K]) -> list[V]:
        attributes = {"padu.loader": loader, "padu.batch_size": len(keys)}
        with _span(tracer, f"load {loader}", attributes):
            return await batch(keys)

    return traced


def delivery(kind: str) -> AbstractContextManager[Any]:
    """The span of one outbox delivery: the effect's kind, never its subject."""
    if _tracer is None:
        return _OFF
    return _span(_tracer, f"deliver {kind}", {"padu.effect": kind})


def operation(name: str | None, kind: str) -> None:
    """Name the current request's span after the operation now executing."""
    if _tracer is None:
        return
    span = trace.get_current_span()
    if span.is_recording():
        _name(span, name, kind)


def _name(span: Span, name: str | None, kind: str) -> None:
    span.update_name(f"{kind} {name}" if name else kind)
    span.set_attribute("graphql.operation.type", kind)
    if name:
        span.set_attribute("graphql.operation.name", name)


def event(name: str | None, role: str) -> AbstractContextManager[Any]:
    """The span of one subscription event sent to a subscriber."""
    if _tracer is None:
        return _OFF
    attributes = {"graphql.operation.type": "subscription", "padu.role": role}
    if name:
        attributes["graphql.operation.name"] = name
    title = f"subscription {name}" if name else "subscription"
    return _span(_tracer, title, attributes, kind=SpanKind.SERVER)


def with_traceparent(headers: dict[str, str] | None) -> dict[str, str] | None:
    """``headers`` of an outgoing web-service call, with the current span's ``traceparent``."""
    if _tracer is None:
        return headers
    carrier = dict(headers or {})
    _W3C.inject(carrier)
    return carrier


def traced_requests(app: ASGIApp, settings: TracingConfig) -> ASGIApp:
    """``app`` (the GraphQL endpoint) with a span per HTTP request, when tracing is enabled."""
    return TracedRequests(app) if settings.enabled else app


class TracedRequests:
    """Pure-ASGI wrapper: one server span per GraphQL request over HTTP, whichever path
    answers it (general, prepared, compiled); its parent is the caller's ``traceparent``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = _tracer
        if tracer is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope.get("headers", ())
            if key in (b"traceparent", b"tracestate")
        }
        parent = _W3C.extract(carrier)
        attributes = {"http.request.method": scope["method"], "url.path": scope["path"]}
        status: list[int] = []

        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        with _span(tracer, "graphql", attributes, context=parent, kind=SpanKind.SERVER) as span:
            try:
                await self.app(scope, receive, sent)
            finally:
                state = scope.get("state", {})
                principal = state.get("principal")
                if principal is not None:
                    span.set_attribute("padu.role", principal.role.value)
                if status:
                    span.set_attribute("http.response.status_code", status[0])
