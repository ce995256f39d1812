"""The Starlette application: routes, lifespan (sources and their pools), health."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from padu import tracing
from padu.access.audit import audit_key
from padu.auth import Authenticator
from padu.config import Config, load_config
from padu.declared.catalogue import field_kinds
from padu.dispatcher import Dispatcher
from padu.errors import PaduError
from padu.logs import configure_logging, install_redaction
from padu.metrics import MULTIPROC_ENV, MetricsEndpoint, Observed, serve_separately, worker_stopped
from padu.middleware import hardening_middleware
from padu.pages import dashboard_routes
from padu.persisted import check_trusted
from padu.playground import playground_routes
from padu.schema.build import build_schema
from padu.sources import Sources
from padu.sources.base import Source
from padu.sources.demo.applications import seed_application, seed_web_application
from padu.sources.hosting import source_dsns, unseeded, unseeded_applications
from padu.sources.service_request_changes import ChangeFeed
from padu.view import PaduGraphQL

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

log = logging.getLogger("padu")


class GraphQLEndpoint:
    """Forwards to the view made in the lifespan, once the sources it needs are started."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["app"].state.graphql(scope, receive, send)


async def _ping(source: Source) -> dict[str, object]:
    try:
        latency = await asyncio.wait_for(source.ping(), timeout=source.config.connect_timeout)
    except (PaduError, TimeoutError) as exc:
        return {
            "status": "down",
            "error": str(exc) or "timed out",
            "circuit": source.breaker.state.value,
        }
    return {"status": "up", "latencyMs": round(latency, 2), "circuit": source.breaker.state.value}


async def healthz(request: Request) -> Response:
    """Each source's status and latency: 200 when all are up, 503 otherwise."""
    sources: Sources = request.app.state.sources
    checks = await asyncio.gather(*(_ping(s) for s in sources))
    report = {s.name: check for s, check in zip(sources, checks, strict=True)}
    healthy = all(check["status"] == "up" for check in checks)
    body = {"status": "up" if healthy else "down", "sources": report}
    return JSONResponse(body, status_code=200 if healthy else 503)


async def home(request: Request) -> Response:
    return RedirectResponse("/graphql")


async def seed_if_empty(config: Config, dsns: Mapping[str, str]) -> None:
    """First run on the embedded server: load the demo data into sources that have none."""
    missing = await unseeded(config, dsns)
    if missing:
        from padu.sources.demo import SCALES, seed

        log.info("first run: seeding %s demo data into %s", config.demo_scale, ", ".join(missing))
        await seed(
            {name: dsns[name] for name in missing},
            config.region,
            SCALES[config.demo_scale],
            progress=True,
        )
    for app in await unseeded_applications(config, dsns):
        assert app.demo is not None
        log.info("first run: seeding the %s demo data into %s", app.name, app.source)
        source = config.sources[app.source]
        await seed_application(app.demo, source.kind, dsns[app.source], dsns["population"])
    if not config.sources["population"].embedded:
        return  # demo web services are seeded with the demo residents only
    for app in config.applications:
        source = config.sources[app.source]
        if app.demo is not None and source.kind == "http":
            try:
                await seed_web_application(source, dsns["population"], only_if_empty=True, wait=5)
            except OSError as exc:
                log.warning("%s; the %s demo data was not seeded", exc, app.name)


def create_app(
    config: Config, dsns: Mapping[str, str] | None = None, spans: SpanExporter | None = None
) -> Starlette:
    """Padu as an ASGI app; without ``dsns`` the sources are found (and seeded) from ``config``.

    With ``[tracing] enabled``, spans go to ``spans`` (tests), else to the OTLP endpoint.
    """
    install_redaction()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        resolved = dict(dsns) if dsns is not None else await source_dsns(config)
        if dsns is None:
            await seed_if_empty(config, resolved)
        sources = Sources.create(config, resolved)
        await sources.start()
        try:
            await sources.state.migrate()
            # A declaration its source contradicts stops start-up here, before anything runs.
            schema = build_schema(config, await field_kinds(config, sources.applications))
            check_trusted(config.persisted_queries, schema._schema)  # a bad manifest stops here
        except BaseException:
            await sources.stop()
            raise
        app.state.sources = sources
        app.state.config = config
        authenticator = Authenticator(
            config.auth, development=config.development, state_dir=config.state_dir
        )
        dispatcher = Dispatcher(sources, config)
        await dispatcher.start()
        app.state.dispatcher = dispatcher
        changes = ChangeFeed(config.sources["service_requests"], resolved["service_requests"])
        await changes.start()
        app.state.changes = changes
        app.state.graphql = PaduGraphQL(
            schema,
            config,
            sources,
            authenticator,
            audit_key(config),
            dispatcher,
            changes,
        )
        # What start-up made (schema, plans' types, pools, configuration) lives as long as
        # the process: moved out of the collector's sight, later collections skip it.
        gc.collect()
        gc.freeze()
        log.info(
            "Padu serves region %s (%s) in %s mode",
            config.region.code,
            config.region.name,
            config.mode,
        )
        # A lone process serves its own metrics listener; `padu serve` runs one for all workers.
        listener = None
        if config.metrics.enabled and config.metrics.bind and MULTIPROC_ENV not in os.environ:
            listener = serve_separately(config.metrics)
        if config.tracing.enabled:
            tracing.start(config.tracing, spans)
        try:
            yield
        finally:
            if listener is not None:
                listener.shutdown()
                listener.server_close()
            worker_stopped()
            await changes.stop()
            await dispatcher.stop()
            await sources.stop()
            tracing.stop()

    endpoint = Observed(GraphQLEndpoint())  # metrics and the access log (padu.metrics)
    graphql = tracing.traced_requests(endpoint, config.tracing)  # a span per request, if on
    routes = [
        Route("/", home),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", endpoint),
        Route("/healthz", healthz),
        *dashboard_routes(),
        *(playground_routes() if config.development else []),
    ]
    if config.metrics.enabled and config.metrics.bind is None:
        routes.append(Route("/metrics", MetricsEndpoint(config.metrics)))
    return Starlette(routes=routes, middleware=hardening_middleware(config.http), lifespan=lifespan)


def from_environment() -> Starlette:
    """The app for one uvicorn worker, configured from PADU_CONFIG and the environment."""
    config = load_config()
    configure_logging(config.logging)
    return create_app(config)
