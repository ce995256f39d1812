"""How to reach one source system: ``[sources.NAME]`` and ``[state]`` of padu.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from padu.config_reader import Reader

# Engines a source may run on: one transport each (padu.sources.transports.TRANSPORTS).
SOURCE_KINDS = ("postgres", "mysql", "http")
WEB_AUTH = ("none", "bearer", "api_key")


@dataclass(frozen=True)
class WebServiceConfig:
    """How to call a JSON web service (``kind = "http"``): its URL, credentials and paths."""

    url: str
    auth: str = "none"  # one of WEB_AUTH
    token: str | None = None  # the bearer token or API key, usually "${ENV_VAR}"
    api_key_header: str = "X-API-Key"
    item_path: str | None = None  # one object by key, e.g. "/residents/{key}"
    batch_path: str | None = None  # many by POST {"keys": [...]}, e.g. "/residents:batch"
    batch_safe: bool = False  # whether the batch POST only reads, so it may be retried
    max_concurrent: int = 4  # per-key calls in flight at once when there is no batch path
    health_path: str = "/"


@dataclass(frozen=True)
class SourceConfig:
    """How to reach one source system; ``dsn`` None means the embedded server hosts it."""

    name: str
    dsn: str | None
    pool_min: int = 1
    pool_max: int = 10
    connect_timeout: float = 5.0
    statement_timeout: float = 10.0  # for http: the time for one request's answer
    breaker_failures: int = 5
    breaker_cooldown: float = 5.0
    kind: str = "postgres"  # one of SOURCE_KINDS
    retries: int = 1  # tries again of a read whose connection failed; writes never
    web: WebServiceConfig | None = None  # for kind "http"
    timezone: str = "UTC"  # the zone of the source's times without one (MySQL DATETIME, …)

    @property
    def embedded(self) -> bool:
        """Hosted in the embedded PostgreSQL: a SQL source given no DSN."""
        return self.dsn is None and self.kind != "http"

    @property
    def target(self) -> str | None:
        """Where the source is reached: its DSN, or a web service's base URL."""
        return self.web.url if self.web is not None else self.dsn


_WEB_KEYS = (
    "api_key_header", "auth", "batch_path", "batch_safe", "health_path", "item_path",
    "max_concurrent", "token", "url",
)  # fmt: skip
_DSN_PREFIXES = {"postgres": ("postgresql://", "postgres://"), "mysql": ("mysql://", "mariadb://")}


def parse_source(
    file: str, name: str, table: Mapping[str, Any], env: Mapping[str, str], prefix: str = ""
) -> SourceConfig:
    known: tuple[str, ...] = (
        "breaker_cooldown_seconds", "breaker_failures", "connect_timeout", "dsn", "pool_max",
        "pool_min", "retries", "statement_timeout",
    )  # fmt: skip
    if not prefix:  # Padu's own state database is always PostgreSQL
        known = tuple(sorted((*known, "kind", "timezone", *_WEB_KEYS)))
    r = Reader(file, table, prefix or f"sources.{name}.", known, env)
    kind = r.string("kind", "postgres")
    if kind not in SOURCE_KINDS:
        raise r.fail("kind", f"must be one of {', '.join(SOURCE_KINDS)}, got {kind!r}")
    dsn = r.string("dsn", "").strip() or None
    if kind == "http":
        if dsn is not None:
            raise r.fail("dsn", "an http source is reached by its url, not a dsn")
    elif kind == "postgres" and dsn is not None and not dsn.startswith(_DSN_PREFIXES[kind]):
        raise r.fail("dsn", "must be a postgresql:// URL (or empty for the embedded server)")
    elif kind == "mysql" and dsn is not None and not dsn.startswith(_DSN_PREFIXES[kind]):
        raise r.fail(
            "dsn",
            "a mysql source needs a mysql:// DSN like mysql://user@host:3306/name (or none: "
            "the embedded PostgreSQL hosts it)",
        )
    for key in _WEB_KEYS:
        if key in table and kind != "http":
            raise r.fail(key, f"is for http sources only (this source is {kind})")
    timezone = r.string("timezone", "UTC") if not prefix else "UTC"
    try:
        ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise r.fail(
            "timezone", f"is not a time zone name like Asia/Jakarta, got {timezone!r}"
        ) from None
    pool_min = int(r.number("pool_min", 1, minimum=0, integer=True))
    pool_max = int(r.number("pool_max", 10, minimum=1, integer=True))
    if pool_min > pool_max:
        raise r.fail("pool_min", f"must not exceed pool_max ({pool_max}), got {pool_min}")
    return SourceConfig(
        name=name,
        dsn=dsn,
        pool_min=pool_min,
        pool_max=pool_max,
        connect_timeout=float(r.number("connect_timeout", 5.0, minimum=0.1)),
        statement_timeout=float(r.number("statement_timeout", 10.0, minimum=0.1)),
        breaker_failures=r.integer("breaker_failures", 5, minimum=1),
        breaker_cooldown=float(r.number("breaker_cooldown_seconds", 5.0, minimum=0.1)),
        kind=kind,
        retries=r.integer("retries", 2 if kind == "http" else 1, minimum=0),
        web=_web_service(r) if kind == "http" else None,
        timezone=timezone,
    )


def _web_service(r: Reader) -> WebServiceConfig:
    url = r.string("url", "").strip()
    if not url.startswith(("https://", "http://")):
        raise r.fail("url", f"an http source needs an http(s) URL, got {url!r}")
    auth = r.string("auth", "none")
    if auth not in WEB_AUTH:
        raise r.fail("auth", f"must be one of {', '.join(WEB_AUTH)}, got {auth!r}")
    token = r.string("token", "") or None
    if auth != "none" and token is None:
        raise r.fail("token", f'is required with auth = "{auth}" (e.g. token = "${{API_TOKEN}}")')
    paths = {key: r.string(key, "").strip() or None for key in ("item_path", "batch_path")}
    for key, path in paths.items():
        if path is not None and not path.startswith("/"):
            raise r.fail(key, f"must be a path starting with /, got {path!r}")
    item_path = paths["item_path"]
    if item_path is not None and "{key}" not in item_path:
        raise r.fail("item_path", f"must contain {{key}}, got {item_path!r}")
    return WebServiceConfig(
        url=url.rstrip("/"),
        auth=auth,
        token=token,
        api_key_header=r.string("api_key_header", "X-API-Key"),
        item_path=item_path,
        batch_path=paths["batch_path"],
        batch_safe=r.boolean("batch_safe", False),
        max_concurrent=r.integer("max_concurrent", 4, minimum=1),
        health_path=r.string("health_path", "/"),
    )
