"""Padu's configuration: ``padu.toml`` (path from ``PADU_CONFIG``) read once into frozen objects."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from padu.region import Region, UnknownRegion, load_region

SOURCE_NAMES = ("population", "service_requests", "performance", "learning")
DEMO_SCALES = ("test", "demo", "city")  # sizes of padu.sources.demo.SCALES
MODES = ("development", "production")
DEFAULT_CONFIG = "padu.toml"

Mode = Literal["development", "production"]
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """Invalid configuration: names the file, the key and what is wrong."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


@dataclass(frozen=True)
class SourceConfig:
    """How to reach one source system; ``dsn`` None means the embedded server hosts it."""

    name: str
    dsn: str | None
    pool_min: int = 1
    pool_max: int = 10
    connect_timeout: float = 5.0
    statement_timeout: float = 10.0

    @property
    def embedded(self) -> bool:
        return self.dsn is None


@dataclass(frozen=True)
class Config:
    """All of Padu's settings, validated."""

    file: str
    mode: Mode
    region: Region
    state_dir: Path
    host: str
    port: int
    demo_scale: str
    jp_required: int
    sources: Mapping[str, SourceConfig]

    @property
    def development(self) -> bool:
        return self.mode == "development"


class _Reader:
    """Typed access to one TOML table, raising ConfigError that names the full key."""

    def __init__(
        self,
        file: str,
        table: Mapping[str, Any],
        prefix: str,
        known: Sequence[str],
        env: Mapping[str, str],
        kind: str = "key",
    ) -> None:
        self.file, self.table, self.prefix, self.env = file, table, prefix, env
        for key in table:
            if key not in known:
                listed = ", ".join(known)
                raise ConfigError(file, prefix + key, f"unknown {kind} (known: {listed})")

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.file, self.prefix + key, reason)

    def _interpolate(self, key: str, value: str) -> str:
        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in self.env:
                return self.env[name]
            if default is not None:
                return default
            hint = f"use ${{{name}:-default}} to give a default"
            raise self.fail(key, f"environment variable {name} is not set ({hint})")

        return _ENV_REF.sub(replace, value)

    def string(self, key: str, default: str) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {value!r}")
        return self._interpolate(key, value)

    def number(
        self,
        key: str,
        default: float,
        *,
        minimum: float,
        maximum: float = float("inf"),
        integer: bool = False,
    ) -> float:
        value = self.table.get(key, default)
        if isinstance(value, str):
            text = self._interpolate(key, value)
            try:
                value = int(text) if integer else float(text)
            except ValueError:
                raise self.fail(key, f"must be a number, got {text!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, got {value!r}")
        if integer and not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum:g}, got {value!r}")
        if value > maximum:
            raise self.fail(key, f"must be at most {maximum:g}, got {value!r}")
        return value

    def port(self, key: str, default: int) -> int:
        return int(self.number(key, default, minimum=1, maximum=65535, integer=True))

    def table_at(self, key: str) -> Mapping[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value


def _source(file: str, name: str, table: Mapping[str, Any], env: Mapping[str, str]) -> SourceConfig:
    known = ("connect_timeout", "dsn", "pool_max", "pool_min", "statement_timeout")
    r = _Reader(file, table, f"sources.{name}.", known, env)
    dsn = r.string("dsn", "").strip() or None
    if dsn is not None and not dsn.startswith(("postgresql://", "postgres://")):
        raise r.fail("dsn", "must be a postgresql:// URL (or empty for the embedded server)")
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
    )


def parse_config(data: Mapping[str, Any], file: str, env: Mapping[str, str]) -> Config:
    """Validate parsed TOML into a Config; ``env`` supplies HOST and PORT overrides."""
    top = _Reader(file, data, "", ("padu", "server", "sources"), env)
    padu_keys = ("demo_scale", "jp_required", "mode", "region", "state_dir")
    padu = _Reader(file, top.table_at("padu"), "padu.", padu_keys, env)
    server = _Reader(file, top.table_at("server"), "server.", ("host", "port"), env)
    sources = _Reader(file, top.table_at("sources"), "sources.", SOURCE_NAMES, env, "source")

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

    host = env.get("HOST") or server.string("host", "127.0.0.1")
    if env.get("PORT"):
        port = _Reader("environment", {"PORT": env["PORT"]}, "", ("PORT",), env).port("PORT", 8000)
    else:
        port = server.port("port", 8000)

    base = Path(file).parent if file != "(defaults)" else Path.cwd()
    return Config(
        file=file,
        mode=mode,  # type: ignore[arg-type]
        region=region,
        state_dir=(base / padu.string("state_dir", ".padu")).resolve(),
        host=host,
        port=port,
        demo_scale=demo_scale,
        jp_required=int(padu.number("jp_required", 20, minimum=0, integer=True)),
        sources={name: _source(file, name, sources.table_at(name), env) for name in SOURCE_NAMES},
    )


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
