"""Padu's configuration: ``padu.toml`` (path from ``PADU_CONFIG``) read once into frozen objects."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from padu.config_operations import (
    CORE_SUBGRAPHS,
    GATEWAY_SECRET_HEADER,
    LOGGING_KEYS,
    METRICS_KEYS,
    FederationConfig,
    LoggingConfig,
    MetricsConfig,
    PersistedQueriesConfig,
    TracingConfig,
    federation_config,
    logging_config,
    metrics_config,
    persisted_queries_config,
    subgraph_names,
    tracing_config,
)
from padu.config_reader import ConfigError, Reader
from padu.declared.declaration import ApplicationDecl, DeclarationError, parse_applications
from padu.region import Region, UnknownRegion, load_region
from padu.source_config import SOURCE_KINDS, WEB_AUTH, SourceConfig, WebServiceConfig, parse_source

# Re-exported: the rest of Padu reads configuration from here.
__all__ = [
    "CORE_SUBGRAPHS",
    "DEFAULT_CONFIG",
    "DEMO_SCALES",
    "EXECUTORS",
    "GATEWAY_SECRET_HEADER",
    "MODES",
    "SOURCE_KINDS",
    "SOURCE_NAMES",
    "WEB_AUTH",
    "AuthConfig",
    "Config",
    "ConfigError",
    "FederationConfig",
    "HttpConfig",
    "LimitsConfig",
    "LoggingConfig",
    "MetricsConfig",
    "Mode",
    "OutboxConfig",
    "PersistedQueriesConfig",
    "SourceConfig",
    "TracingConfig",
    "WebServiceConfig",
    "load_config",
    "parse_config",
    "subgraph_names",
]  # fmt: skip

SOURCE_NAMES = ("population", "service_requests", "performance", "learning")
DEMO_SCALES = ("test", "demo", "city")  # sizes of padu.sources.demo.SCALES
MODES = ("development", "production")
# How queries run: from a plan compiled per document, by the standard executor, or both
# with the results compared (verify; the test suite runs so). See padu.compiled.
EXECUTORS = ("compiled", "standard", "verify")
DEFAULT_CONFIG = "padu.toml"

Mode = Literal["development", "production"]
_SOURCE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class AuthConfig:
    """How bearer tokens are verified: pinned algorithms, issuer, audience and keys."""

    algorithms: tuple[str, ...] = ("HS256",)
    issuer: str = "padu"
    audience: str = "padu"
    hs256_secret: str | None = None
    jwks_url: str | None = None
    jwks_cache_seconds: float = 300.0
    leeway_seconds: float = 30.0

    @property
    def symmetric(self) -> bool:
        return self.algorithms[0].startswith("HS")


@dataclass(frozen=True)
class LimitsConfig:
    """What one request may ask for, checked before any resolver runs."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 10_000
    max_batch: int = 5
    max_page_size: int = 100  # the largest `first` of any list
    max_subscriptions: int = 10  # open subscriptions on one WebSocket connection
    max_string_chars: int = 10_000  # any String argument or variable; fields may cap lower
    assumed_units: int = 60  # units (OPD, kecamatan offices) a unit list is priced at
    max_response_bytes: int = 5_000_000  # a larger answer is replaced by RESPONSE_TOO_LARGE
    max_concurrent_per_caller: int = 4  # GraphQL requests of one caller running at once
    max_queued_per_caller: int = 8  # more of them waiting for a turn are refused at once
    queue_wait_seconds: float = 2.0  # a request waits this long for its turn, then gets 429
    pool_share_per_caller: float = 0.5  # of each source's pool one caller may hold at once
    # Open WebSocket connections of one caller (token subject; client address before sign-in).
    max_connections_per_caller: int = 20


@dataclass(frozen=True)
class HttpConfig:
    """HTTP hardening: the CORS allow-list and the bounds on every request before it is parsed."""

    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 100_000  # also the largest WebSocket message
    max_header_bytes: int = 32_768  # the request line and all headers together
    max_header_value_bytes: int = 8_192  # any one header, Authorization included
    read_timeout_seconds: float = 10.0  # for a request's head and body to arrive
    keep_alive_seconds: int = 5  # an idle keep-alive connection is closed after this
    max_connections: int = 1000  # open connections (HTTP and WebSocket) per worker


@dataclass(frozen=True)
class OutboxConfig:
    """How the outbox dispatcher retries: exponential backoff between base and max seconds."""

    retry_base_seconds: float = 0.5
    retry_max_seconds: float = 60.0
    poll_seconds: float = 1.0


@dataclass(frozen=True)
class Config:
    """All of Padu's settings, validated."""

    file: str
    mode: Mode
    region: Region
    state_dir: Path
    host: str
    port: int
    shutdown_grace: float
    workers: int
    executor: str
    demo_scale: str
    jp_required: int
    min_group_size: int  # smallest group of officers whose ratings a dashboard may see
    sources: Mapping[str, SourceConfig]
    state: SourceConfig = field(default_factory=lambda: SourceConfig(name="state", dsn=None))
    auth: AuthConfig = AuthConfig()
    limits: LimitsConfig = LimitsConfig()
    http: HttpConfig = HttpConfig()
    outbox: OutboxConfig = OutboxConfig()
    audit_hash_key: str | None = None
    applications: tuple[ApplicationDecl, ...] = ()  # joined by declaration (padu.declared)
    federation: FederationConfig = field(default_factory=FederationConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    tracing: TracingConfig = field(default_factory=TracingConfig)
    persisted_queries: PersistedQueriesConfig = field(default_factory=PersistedQueriesConfig)

    @property
    def development(self) -> bool:
        return self.mode == "development"


ASYMMETRIC = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256")


def _auth(r: Reader, production: bool) -> AuthConfig:
    algorithms = r.strings("algorithms", ("HS256",))
    if not algorithms:
        raise r.fail("algorithms", "must name at least one algorithm")
    for alg in algorithms:
        if alg not in ("HS256", *ASYMMETRIC):
            raise r.fail("algorithms", f"{alg!r} is not accepted (use HS256, RS256 or ES256)")
    if len({alg.startswith("HS") for alg in algorithms}) > 1:
        raise r.fail(
            "algorithms",
            "mixes HS256 with public-key algorithms, which invites key confusion; choose one kind",
        )
    secret = r.string("hs256_secret", "") or None
    jwks_url = r.string("jwks_url", "").strip() or None
    if algorithms[0].startswith("HS"):
        if secret is not None and len(secret.encode()) < 32:
            raise r.fail("hs256_secret", "must be at least 32 bytes")
        if secret is None and production:
            raise r.fail("hs256_secret", "is required in production with HS256")
    elif jwks_url is None or not jwks_url.startswith(("https://", "http://")):
        raise r.fail("jwks_url", f"an http(s) URL is required with {', '.join(algorithms)}")
    return AuthConfig(
        algorithms=algorithms,
        issuer=r.string("issuer", "padu"),
        audience=r.string("audience", "padu"),
        hs256_secret=secret,
        jwks_url=jwks_url,
        jwks_cache_seconds=float(r.number("jwks_cache_seconds", 300, minimum=1)),
        leeway_seconds=float(r.number("leeway_seconds", 30, minimum=0)),
    )


def _limits(r: Reader) -> LimitsConfig:
    return LimitsConfig(
        max_depth=r.integer("max_depth", 10, minimum=1),
        max_aliases=r.integer("max_aliases", 15, minimum=0),
        max_tokens=r.integer("max_tokens", 2000, minimum=10),
        max_cost=r.integer("max_cost", 10_000, minimum=1),
        max_batch=r.integer("max_batch", 5, minimum=1),
        max_page_size=r.integer("max_page_size", 100, minimum=1),
        max_subscriptions=r.integer("max_subscriptions", 10, minimum=1),
        max_string_chars=r.integer("max_string_chars", 10_000, minimum=64),
        assumed_units=r.integer("assumed_units", 60, minimum=1),
        max_response_bytes=r.integer("max_response_bytes", 5_000_000, minimum=1024),
        max_concurrent_per_caller=r.integer("max_concurrent_per_caller", 4, minimum=1),
        max_queued_per_caller=r.integer("max_queued_per_caller", 8, minimum=0),
        queue_wait_seconds=float(r.number("queue_wait_seconds", 2.0, minimum=0)),
        pool_share_per_caller=float(
            r.number("pool_share_per_caller", 0.5, minimum=0.01, maximum=1.0)
        ),
        max_connections_per_caller=r.integer("max_connections_per_caller", 20, minimum=1),
    )


def _http(r: Reader) -> HttpConfig:
    origins = r.strings("cors_origins", ())
    for origin in origins:
        if origin == "*" or not origin.startswith(("https://", "http://")):
            raise r.fail("cors_origins", f"{origin!r} is not an origin like https://app.example")
    max_header_bytes = r.integer("max_header_bytes", 32_768, minimum=1024)
    max_header_value_bytes = r.integer("max_header_value_bytes", 8_192, minimum=256)
    if max_header_value_bytes > max_header_bytes:
        raise r.fail(
            "max_header_value_bytes",
            f"must not exceed max_header_bytes ({max_header_bytes}), got {max_header_value_bytes}",
        )
    return HttpConfig(
        cors_origins=origins,
        max_body_bytes=r.integer("max_body_bytes", 100_000, minimum=1024),
        max_header_bytes=max_header_bytes,
        max_header_value_bytes=max_header_value_bytes,
        read_timeout_seconds=float(r.number("read_timeout_seconds", 10, minimum=0.1)),
        keep_alive_seconds=r.integer("keep_alive_seconds", 5, minimum=1),
        max_connections=r.integer("max_connections", 1000, minimum=1),
    )


def parse_config(data: Mapping[str, Any], file: str, env: Mapping[str, str]) -> Config:
    """Validate parsed TOML into a Config; ``env`` supplies HOST and PORT overrides."""
    sections = (
        "applications", "audit", "auth", "federation", "http", "limits", "logging", "metrics",
        "outbox", "padu", "persisted_queries", "server", "sources", "state", "tracing",
    )  # fmt: skip
    top = Reader(file, data, "", sections, env)
    padu_keys = ("demo_scale", "jp_required", "min_group_size", "mode", "region", "state_dir")
    padu = Reader(file, top.table_at("padu"), "padu.", padu_keys, env)
    server_keys = ("executor", "host", "port", "shutdown_grace_seconds", "workers")
    server = Reader(file, top.table_at("server"), "server.", server_keys, env)
    source_tables = top.table_at("sources")
    # The core systems always; any other name is an application's source (padu.declared).
    source_names = (*SOURCE_NAMES, *(n for n in source_tables if n not in SOURCE_NAMES))
    sources = Reader(file, source_tables, "sources.", source_names, env, "source")
    for name in source_names:
        if not _SOURCE_NAME.fullmatch(name) or name == "state":
            raise sources.fail(name, "a source name is lower-case letters, digits and _")

    mode = padu.string("mode", "development")
    if mode not in MODES:
        raise padu.fail("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    try:
        region = load_region(padu.string("region", "36.71"))
    except UnknownRegion as exc:
        raise padu.fail("region", str(exc)) from None
    demo_scale = padu.string("demo_scale", "demo")
    if demo_scale not in DEMO_SCALES:
        raise padu.fail(
            "demo_scale", f"must be one of {', '.join(DEMO_SCALES)}, got {demo_scale!r}"
        )

    executor = server.string("executor", "compiled")
    if executor not in EXECUTORS:
        raise server.fail("executor", f"must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    host = env.get("HOST") or server.string("host", "127.0.0.1")
    if env.get("PORT"):
        port = Reader("environment", {"PORT": env["PORT"]}, "", ("PORT",), env).port("PORT", 8000)
    else:
        port = server.port("port", 8000)

    production = mode == "production"
    auth_keys = ("algorithms", "audience", "hs256_secret", "issuer", "jwks_cache_seconds")
    auth = Reader(
        file, top.table_at("auth"), "auth.", (*auth_keys, "jwks_url", "leeway_seconds"), env
    )
    limit_keys = (
        "max_aliases", "max_batch", "max_connections_per_caller", "max_cost", "max_depth",
        "max_page_size", "max_string_chars", "max_subscriptions", "max_tokens", "assumed_units",
        "max_response_bytes", "max_concurrent_per_caller", "max_queued_per_caller",
        "queue_wait_seconds", "pool_share_per_caller",
    )  # fmt: skip
    limits = Reader(file, top.table_at("limits"), "limits.", limit_keys, env)
    http_keys = (
        "cors_origins", "keep_alive_seconds", "max_body_bytes", "max_connections",
        "max_header_bytes", "max_header_value_bytes", "read_timeout_seconds"
    )  # fmt: skip
    http = Reader(file, top.table_at("http"), "http.", http_keys, env)
    audit = Reader(file, top.table_at("audit"), "audit.", ("hash_key",), env)
    outbox_keys = ("poll_seconds", "retry_base_seconds", "retry_max_seconds")
    outbox = Reader(file, top.table_at("outbox"), "outbox.", outbox_keys, env)
    audit_key = audit.string("hash_key", "") or None
    if audit_key is not None and len(audit_key.encode()) < 32:
        raise audit.fail("hash_key", "must be at least 32 bytes")
    if audit_key is None and production:
        raise audit.fail("hash_key", "is required in production (it keys the NIK hashes)")

    configured = {
        name: parse_source(file, name, sources.table_at(name), env) for name in source_names
    }
    try:
        applications = parse_applications(top.table_at("applications"), configured)
    except DeclarationError as exc:
        raise ConfigError(file, f"applications.{exc.key}", exc.reason) from None
    federation = Reader(
        file, top.table_at("federation"), "federation.", ("gateway_secret", "subgraph"), env
    )
    tracing_keys = ("enabled", "otlp_endpoint", "sample_ratio", "service_name")
    tracing = Reader(file, top.table_at("tracing"), "tracing.", tracing_keys, env)
    base = Path(file).parent if file != "(defaults)" else Path.cwd()
    persisted = Reader(
        file, top.table_at("persisted_queries"), "persisted_queries.", ("manifest", "mode"), env
    )
    return Config(
        file=file,
        mode=mode,  # type: ignore[arg-type]
        region=region,
        state_dir=(base / padu.string("state_dir", ".padu")).resolve(),
        host=host,
        port=port,
        shutdown_grace=float(server.number("shutdown_grace_seconds", 10, minimum=0)),
        workers=server.integer("workers", 1, minimum=1),
        executor=executor,
        demo_scale=demo_scale,
        jp_required=int(padu.number("jp_required", 20, minimum=0, integer=True)),
        min_group_size=int(padu.number("min_group_size", 5, minimum=1, integer=True)),
        sources=configured,
        applications=applications,
        state=parse_source(file, "state", top.table_at("state"), env, prefix="state."),
        auth=_auth(auth, production),
        limits=_limits(limits),
        http=_http(http),
        outbox=OutboxConfig(
            retry_base_seconds=float(outbox.number("retry_base_seconds", 0.5, minimum=0.01)),
            retry_max_seconds=float(outbox.number("retry_max_seconds", 60, minimum=0.01)),
            poll_seconds=float(outbox.number("poll_seconds", 1, minimum=0.01)),
        ),
        audit_hash_key=audit_key,
        federation=federation_config(federation, applications, env),
        metrics=metrics_config(Reader(file, top.table_at("metrics"), "metrics.", METRICS_KEYS, env),
                         production),
        logging=logging_config(Reader(file, top.table_at("logging"), "logging.", LOGGING_KEYS, env),
                         production),
        tracing=tracing_config(tracing),
        persisted_queries=persisted_queries_config(persisted, base),
    )  # fmt: skip


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Read ``PADU_CONFIG`` (default ``./padu.toml``; built-in defaults when neither exists)."""
    env = os.environ if env is None else env
    path = env.get("PADU_CONFIG")
    if path is None and not Path(DEFAULT_CONFIG).exists():
        return parse_config({}, "(defaults)", env)
    file = path or DEFAULT_CONFIG
    try:
        with open(file, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(file, "PADU_CONFIG", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "(syntax)", f"not valid TOML: {exc}") from None
    return parse_config(data, file, env)
