"""The settings for running Padu in production: as a federation subgraph, observed (metrics,
logs, traces), and with persisted operations. Part of ``padu.config``, which re-exports them
and reads each section with the parsers here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from padu.config_reader import Reader
from padu.declared.declaration import ApplicationDecl
from padu.persisted import PERSISTED_MODES, PersistedDocument, PersistedMode, load_manifest


@dataclass(frozen=True)
class MetricsConfig:
    """``/metrics`` for Prometheus: on its own listener (``bind``), else on the main app, where
    a ``token`` protects it (required in production)."""

    enabled: bool = True
    token: str | None = None  # the bearer the scraper sends
    bind: tuple[str, int] | None = None  # host and port of a listener serving only /metrics


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class LoggingConfig:
    """How log lines are written: readable text, or one JSON object per line."""

    format: str = "text"
    level: str = "INFO"


@dataclass(frozen=True)
class TracingConfig:
    """OpenTelemetry traces (padu.tracing): off unless enabled, sent over OTLP/HTTP."""

    enabled: bool = False
    otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"
    service_name: str = "padu"
    sample_ratio: float = 1.0  # of traces started here; a caller's traceparent decides its own


def tracing_config(r: Reader) -> TracingConfig:
    endpoint = r.string("otlp_endpoint", TracingConfig.otlp_endpoint).strip()
    if not endpoint.startswith(("https://", "http://")):
        raise r.fail("otlp_endpoint", f"must be an http(s) URL, got {endpoint!r}")
    service_name = r.string("service_name", "padu").strip()
    if not service_name:
        raise r.fail("service_name", "must not be empty")
    return TracingConfig(
        enabled=r.boolean("enabled", False),
        otlp_endpoint=endpoint,
        service_name=service_name,
        sample_ratio=float(r.number("sample_ratio", 1.0, minimum=0, maximum=1)),
    )


@dataclass(frozen=True)
class PersistedQueriesConfig:
    """Operations named by hash (padu.persisted): learned as they come, or a trusted list only."""

    mode: PersistedMode = "automatic"
    manifest: str | None = None  # the trusted documents' file, resolved
    documents: tuple[PersistedDocument, ...] = ()


# The subgraphs of the core systems (padu.schema.federation); each declared application is one too.
CORE_SUBGRAPHS = ("population", "service_requests", "performance", "learning", "dashboard", "state")
GATEWAY_SECRET_HEADER = "x-padu-gateway-secret"


def subgraph_names(applications: Iterable[ApplicationDecl]) -> tuple[str, ...]:
    """Every subgraph: the core systems', then one per declared application."""
    return (*CORE_SUBGRAPHS, *(app.name for app in applications))


@dataclass(frozen=True)
class FederationConfig:
    """Serving one subgraph of a federated graph (issue 15), and whom to accept requests from."""

    subgraph: str | None = None  # None: the whole schema, as one process
    # When set, every request must carry it in X-Padu-Gateway-Secret: only the gateway may ask.
    gateway_secret: str | None = None


METRICS_KEYS = ("bind", "enabled", "token")
LOGGING_KEYS = ("format", "level")


def metrics_config(r: Reader, production: bool) -> MetricsConfig:
    """``[metrics]``: in production, served only behind a token or on a listener of its own."""
    token = r.string("token", "") or None
    if token is not None and len(token.encode()) < 32:
        raise r.fail("token", "must be at least 32 bytes (it is the scraper's password)")
    bind = r.string("bind", "") or None
    address = None
    if bind is not None:
        host, _, port = bind.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise r.fail("bind", f"must be host:port, like 127.0.0.1:9464, got {bind!r}")
        address = (host.strip("[]"), int(port))
    enabled = r.boolean("enabled", not production or token is not None or bind is not None)
    if enabled and production and token is None and address is None:
        raise r.fail("enabled", "in production /metrics needs a token or a bind address of its own")
    return MetricsConfig(enabled=enabled, token=token, bind=address)


def logging_config(r: Reader, production: bool) -> LoggingConfig:
    kind = r.string("format", "json" if production else "text")
    if kind not in LOG_FORMATS:
        raise r.fail("format", f"must be one of {', '.join(LOG_FORMATS)}, got {kind!r}")
    level = r.string("level", "INFO").upper()
    if level not in LOG_LEVELS:
        raise r.fail("level", f"must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    return LoggingConfig(format=kind, level=level)


def federation_config(
    r: Reader, applications: tuple[ApplicationDecl, ...], env: Mapping[str, str]
) -> FederationConfig:
    """``[federation]``; ``padu serve --subgraph NAME`` gives the subgraph as PADU_SUBGRAPH."""
    subgraph = env.get("PADU_SUBGRAPH") or r.string("subgraph", "") or None
    names = subgraph_names(applications)
    if subgraph is not None and subgraph not in names:
        raise r.fail("subgraph", f"no subgraph {subgraph!r}: the subgraphs are {', '.join(names)}")
    secret = r.string("gateway_secret", "") or None
    if secret is not None and len(secret.encode()) < 32:
        raise r.fail("gateway_secret", "must be at least 32 bytes (it is the gateway's password)")
    return FederationConfig(subgraph=subgraph, gateway_secret=secret)


def persisted_queries_config(r: Reader, base: Path) -> PersistedQueriesConfig:
    """``[persisted_queries]``: ``trusted`` when a manifest is given, else ``automatic``."""
    manifest = r.string("manifest", "") or None
    mode = r.string("mode", "trusted" if manifest else "automatic")
    if mode not in PERSISTED_MODES:
        raise r.fail("mode", f"must be one of {', '.join(PERSISTED_MODES)}, got {mode!r}")
    if mode == "trusted" and manifest is None:
        raise r.fail("manifest", 'is required with mode = "trusted" (the allowed operations)')
    if mode != "trusted" and manifest is not None:
        raise r.fail("manifest", f'is read only with mode = "trusted", not {mode!r}')
    if manifest is None:
        return PersistedQueriesConfig(mode=mode)  # type: ignore[arg-type]
    path = (base / manifest).resolve()
    if not path.is_file():
        raise r.fail("manifest", f"no file {str(path)!r}")
    return PersistedQueriesConfig(mode="trusted", manifest=str(path), documents=load_manifest(path))
