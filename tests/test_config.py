"""Configuration: defaults, environment references and overrides, and errors naming file and key."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import pytest

import padu.config
from padu.config import (
    ConfigError,
    LoggingConfig,
    MetricsConfig,
    SourceConfig,
    load_config,
    parse_config,
)
from padu.region import load_region
from tests.data import PRODUCTION

FILE = "conf/padu.toml"
UNSET = "PADU_TEST_SURELY_UNSET"
SET = "PADU_TEST_SET"
ENV = {SET: "from-the-environment"}  # what parse_config is given as the environment


@pytest.fixture(autouse=True)
def region_table_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each parse reads the region table (~0.1 s); the table does not change, so read it once."""
    monkeypatch.setattr(padu.config, "load_region", _cached_region)


_cached_region = functools.cache(load_region)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UNSET, raising=False)
    monkeypatch.setenv(SET, "from-the-environment")


def error(data: dict[str, Any], env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_config(data, FILE, {**ENV, **(env or {})})
    return str(raised.value)


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)

    config = load_config({})

    assert config.file == "(defaults)"
    assert config.mode == "development"
    assert config.development
    assert (config.region.code, config.region.name) == ("36.71", "Kota Tangerang")
    assert config.state_dir == tmp_path.resolve() / ".padu"
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.demo_scale == "demo"
    assert config.jp_required == 20
    assert config.executor == "compiled"
    assert config.limits.max_page_size == 100
    assert config.sources == {
        name: SourceConfig(
            name=name,
            dsn=None,
            pool_min=1,
            pool_max=10,
            connect_timeout=5.0,
            statement_timeout=10.0,
        )
        for name in ("population", "service_requests", "performance", "learning")
    }
    assert all(source.embedded for source in config.sources.values())


def test_config_is_frozen() -> None:
    config = parse_config({}, FILE, {})

    with pytest.raises(dataclasses.FrozenInstanceError):
        config.port = 1  # type: ignore[misc]


def test_every_setting_is_read() -> None:
    config = parse_config(
        {
            "padu": {
                "mode": "production",
                "region": "32.73",
                "state_dir": "state",
                "demo_scale": "test",
                "jp_required": 24,
            },
            "server": {"host": "0.0.0.0", "port": 9000},
            "auth": {"hs256_secret": "s" * 32, "issuer": "kota", "audience": "padu-api"},
            "audit": {"hash_key": "k" * 32},
            "limits": {"max_depth": 8, "max_cost": 500},
            "http": {"cors_origins": ["https://live.tangerangkota.go.id"], "max_body_bytes": 4096},
            "state": {"dsn": "postgresql://padu@state/padu"},
            "sources": {
                "population": {
                    "dsn": "postgresql://siak@db.internal/siak",
                    "pool_min": 0,
                    "pool_max": 3,
                    "connect_timeout": 1.5,
                    "statement_timeout": 2,
                },
                "learning": {"dsn": "postgres://moodle@lms/moodle"},
            },
        },
        FILE,
        ENV,
    )

    assert config.mode == "production"
    assert not config.development
    assert config.region.name == "Kota Bandung"
    assert config.state_dir == (Path("conf") / "state").resolve()
    assert (config.host, config.port) == ("0.0.0.0", 9000)
    assert (config.demo_scale, config.jp_required) == ("test", 24)
    assert (config.auth.issuer, config.auth.audience, config.auth.algorithms) == (
        "kota",
        "padu-api",
        ("HS256",),
    )
    assert config.audit_hash_key == "k" * 32
    assert (config.limits.max_depth, config.limits.max_cost, config.limits.max_aliases) == (
        8,
        500,
        15,
    )
    assert config.http.cors_origins == ("https://live.tangerangkota.go.id",)
    assert config.state.dsn == "postgresql://padu@state/padu"
    assert config.sources["population"] == SourceConfig(
        name="population",
        dsn="postgresql://siak@db.internal/siak",
        pool_min=0,
        pool_max=3,
        connect_timeout=1.5,
        statement_timeout=2,
    )
    assert config.sources["learning"].dsn == "postgres://moodle@lms/moodle"
    assert not config.sources["learning"].embedded
    assert config.sources["performance"].embedded


def test_environment_reference_is_replaced() -> None:
    config = parse_config(
        {"sources": {"population": {"dsn": f"postgresql://u@h/${{{SET}}}"}}}, FILE, ENV
    )

    assert config.sources["population"].dsn == "postgresql://u@h/from-the-environment"


def test_environment_reference_default_used_only_when_unset() -> None:
    config = parse_config(
        {
            "server": {"host": f"${{{SET}:-ignored}}", "port": f"${{{UNSET}:-8123}}"},
            "sources": {"performance": {"dsn": f"${{{UNSET}:-}}", "pool_max": f"${{{UNSET}:-4}}"}},
        },
        FILE,
        ENV,
    )

    assert (config.host, config.port) == ("from-the-environment", 8123)
    # An empty default leaves the DSN empty: the embedded server hosts the source.
    assert config.sources["performance"].dsn is None
    assert config.sources["performance"].pool_max == 4


def test_unset_environment_reference_without_default() -> None:
    message = error({"sources": {"learning": {"dsn": f"postgresql://u:${{{UNSET}}}@h/db"}}})

    assert message == (
        f"{FILE}: sources.learning.dsn: environment variable {UNSET} is not set "
        f"(use ${{{UNSET}:-default}} to give a default)"
    )


def test_environment_references_use_the_given_environment() -> None:
    config = parse_config(
        {"sources": {"population": {"dsn": f"${{{UNSET}}}"}}},
        FILE,
        {UNSET: "postgresql://u@h/db"},
    )

    assert config.sources["population"].dsn == "postgresql://u@h/db"


def test_host_and_port_environment_override_the_file() -> None:
    config = parse_config(
        {"server": {"host": "127.0.0.1", "port": 8000}}, FILE, {"HOST": "0.0.0.0", "PORT": "9100"}
    )

    assert (config.host, config.port) == ("0.0.0.0", 9100)


def test_empty_host_and_port_environment_are_ignored() -> None:
    config = parse_config({"server": {"host": "::1", "port": 8001}}, FILE, {"HOST": "", "PORT": ""})

    assert (config.host, config.port) == ("::1", 8001)


@pytest.mark.parametrize(
    ("port", "reason"),
    [
        ("http", "must be a number, got 'http'"),
        ("0", "must be at least 1, got 0"),
        ("65536", "must be at most 65535, got 65536"),
        ("80.5", "must be a number, got '80.5'"),
    ],
)
def test_bad_port_environment(port: str, reason: str) -> None:
    assert error({}, {"PORT": port}) == f"environment: PORT: {reason}"


@pytest.mark.parametrize(
    ("data", "key", "reason"),
    [
        pytest.param(
            {"federation": {"subgraph": "payroll"}},
            "federation.subgraph",
            "no subgraph 'payroll': the subgraphs are population, service_requests, "
            "performance, learning, dashboard, state",
            id="unknown-subgraph",
        ),
        pytest.param(
            {"federation": {"gateway_secret": "short"}},
            "federation.gateway_secret",
            "must be at least 32 bytes (it is the gateway's password)",
            id="short-gateway-secret",
        ),
        pytest.param(
            {"serverr": {}},
            "serverr",
            "unknown key (known: applications, audit, auth, federation, http, limits, logging, "
            "metrics, outbox, padu, persisted_queries, server, sources, state, tracing)",
            id="unknown-top-level-key",
        ),
        pytest.param(
            {"padu": {"regoin": "36.71"}},
            "padu.regoin",
            "unknown key (known: demo_scale, jp_required, min_group_size, mode, region, state_dir)",
            id="unknown-padu-key",
        ),
        pytest.param(
            {"server": {"hostname": "x"}},
            "server.hostname",
            "unknown key (known: executor, host, port, shutdown_grace_seconds, workers)",
            id="unknown-server-key",
        ),
        pytest.param(
            {"server": {"executor": "jit"}},
            "server.executor",
            "must be one of compiled, standard, verify, got 'jit'",
            id="unknown-executor",
        ),
        pytest.param(
            {"sources": {"population": {"pool": 3}}},
            "sources.population.pool",
            "unknown key (known: api_key_header, auth, batch_path, batch_safe, "
            "breaker_cooldown_seconds, breaker_failures, connect_timeout, dsn, health_path, "
            "item_path, kind, max_concurrent, pool_max, pool_min, retries, statement_timeout, "
            "timezone, token, url)",
            id="unknown-source-key",
        ),
        pytest.param(
            {"sources": {"population": {"timezone": "Jakarta"}}},
            "sources.population.timezone",
            "is not a time zone name like Asia/Jakarta, got 'Jakarta'",
            id="unknown-time-zone",
        ),
        pytest.param(
            {"sources": {"learning": {"kind": "oracle"}}},
            "sources.learning.kind",
            "must be one of postgres, mysql, http, got 'oracle'",
            id="unknown-source-kind",
        ),
        pytest.param(
            {"sources": {"learning": {"kind": "mysql", "dsn": "postgresql://x@h/db"}}},
            "sources.learning.dsn",
            "a mysql source needs a mysql:// DSN like mysql://user@host:3306/name (or none: "
            "the embedded PostgreSQL hosts it)",
            id="mysql-with-postgres-dsn",
        ),
        pytest.param(
            {"sources": {"learning": {"kind": "http", "url": "ftp://lms"}}},
            "sources.learning.url",
            "an http source needs an http(s) URL, got 'ftp://lms'",
            id="http-url-scheme",
        ),
        pytest.param(
            {"sources": {"learning": {"kind": "http", "url": "https://lms", "auth": "bearer"}}},
            "sources.learning.token",
            'is required with auth = "bearer" (e.g. token = "${API_TOKEN}")',
            id="http-bearer-without-token",
        ),
        pytest.param(
            {"sources": {"learning": {"kind": "http", "url": "https://lms", "item_path": "/u"}}},
            "sources.learning.item_path",
            "must contain {key}, got '/u'",
            id="http-item-path-without-key",
        ),
        pytest.param(
            {"sources": {"learning": {"url": "https://lms"}}},
            "sources.learning.url",
            "is for http sources only (this source is postgres)",
            id="web-key-on-postgres",
        ),
        pytest.param(
            {"state": {"kind": "mysql"}},
            "state.kind",
            "unknown key (known: breaker_cooldown_seconds, breaker_failures, connect_timeout, dsn, "
            "pool_max, pool_min, retries, statement_timeout)",
            id="state-is-postgres",
        ),
        pytest.param(
            {"sources": {"Crm-2": {}}},
            "sources.Crm-2",
            "a source name is lower-case letters, digits and _",
            id="bad-source-name",
        ),
        pytest.param(
            {"applications": {"crm": {"source": "crm", "types": {}}}},
            "applications.crm.source",
            "names no [sources.crm] table",
            id="application-without-its-source",
        ),
        pytest.param(
            {
                "sources": {"crm": {}},
                "applications": {
                    "crm": {
                        "source": "crm",
                        "types": {
                            "Customer": {
                                "table": "pelanggan",
                                "key": "id",
                                "fields": {"id": {"type": "Money"}},
                            }
                        },
                    }
                },
            },
            "applications.crm.types.Customer.fields.id.type",
            "'Money' is not one of String, Int, Float, Boolean, ID, Date, DateTime, NIK, NIP",
            id="declared-field-type",
        ),
        pytest.param({"padu": "36.71"}, "padu", "must be a table", id="padu-not-a-table"),
        pytest.param({"sources": []}, "sources", "must be a table", id="sources-not-a-table"),
        pytest.param({"padu": {"mode": 1}}, "padu.mode", "must be a string, got 1", id="mode-type"),
        pytest.param(
            {"padu": {"mode": "staging"}},
            "padu.mode",
            "must be one of development, production, got 'staging'",
            id="bad-mode",
        ),
        pytest.param(
            {"padu": {"region": "99.99"}},
            "padu.region",
            "'99.99' is not in the Kemendagri code table",
            id="unknown-region",
        ),
        pytest.param(
            {"padu": {"region": "36.71.01"}},
            "padu.region",
            "'36.71.01' is not a regency/city code; expected the form PP.KK, e.g. 36.71",
            id="district-as-region",
        ),
        pytest.param(
            {"padu": {"region": 36.71}},
            "padu.region",
            "must be a string, got 36.71",
            id="region-as-number",
        ),
        pytest.param(
            {"padu": {"jp_required": -1}},
            "padu.jp_required",
            "must be at least 0, got -1",
            id="negative-jp",
        ),
        pytest.param(
            {"server": {"port": "eighty"}},
            "server.port",
            "must be a number, got 'eighty'",
            id="port-text",
        ),
        pytest.param(
            {"server": {"port": True}},
            "server.port",
            "must be a number, got True",
            id="port-bool",
        ),
        pytest.param(
            {"server": {"port": 80.5}},
            "server.port",
            "must be a whole number, got 80.5",
            id="port-fraction",
        ),
        pytest.param(
            {"server": {"port": 70000}},
            "server.port",
            "must be at most 65535, got 70000",
            id="port-range",
        ),
        pytest.param(
            {"server": {"host": ["a"]}},
            "server.host",
            "must be a string, got ['a']",
            id="host-type",
        ),
        pytest.param(
            {"sources": {"population": {"dsn": "mysql://u@h/db"}}},
            "sources.population.dsn",
            "must be a postgresql:// URL (or empty for the embedded server)",
            id="dsn-scheme",
        ),
        pytest.param(
            {"sources": {"learning": {"pool_min": 5, "pool_max": 2}}},
            "sources.learning.pool_min",
            "must not exceed pool_max (2), got 5",
            id="pool-min-over-max",
        ),
        pytest.param(
            {"sources": {"learning": {"pool_max": 0}}},
            "sources.learning.pool_max",
            "must be at least 1, got 0",
            id="pool-max-zero",
        ),
        pytest.param(
            {"sources": {"performance": {"connect_timeout": 0}}},
            "sources.performance.connect_timeout",
            "must be at least 0.1, got 0",
            id="connect-timeout-zero",
        ),
        pytest.param(
            {"sources": {"performance": {"statement_timeout": "soon"}}},
            "sources.performance.statement_timeout",
            "must be a number, got 'soon'",
            id="statement-timeout-text",
        ),
    ],
)
def test_invalid_setting_names_file_key_and_reason(
    data: dict[str, Any], key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(data, FILE, {})

    assert (raised.value.file, raised.value.key, raised.value.reason) == (FILE, key, reason)
    assert str(raised.value) == f"{FILE}: {key}: {reason}"


def test_number_from_an_environment_reference_is_checked() -> None:
    message = error({"sources": {"population": {"pool_max": f"${{{SET}}}"}}})

    assert message == (
        f"{FILE}: sources.population.pool_max: must be a number, got 'from-the-environment'"
    )


def test_source_that_is_not_a_table() -> None:
    message = error({"sources": {"population": "postgresql://u@h/db"}})

    assert message == f"{FILE}: sources.population: must be a table"


def test_sources_of_each_kind_carry_their_options() -> None:
    sources = {
        "population": {},
        "learning": {"kind": "mysql", "dsn": "mysql://moodle:${PW}@db:3306/moodle"},
        "performance": {
            "kind": "http", "url": "https://ekinerja.test/api/", "auth": "api_key",
            "token": "${EKIN_KEY}", "api_key_header": "X-Key", "batch_path": "/pegawai:batch",
            "batch_safe": True, "max_concurrent": 8, "retries": 0,
        },
    }  # fmt: skip
    config = parse_config({"sources": sources}, FILE, {"PW": "s3cret", "EKIN_KEY": "k-123"})

    population, learning, performance = (config.sources[n] for n in sources)
    assert (population.kind, population.retries, population.web) == ("postgres", 1, None)
    assert (learning.kind, learning.dsn) == ("mysql", "mysql://moodle:s3cret@db:3306/moodle")
    assert (performance.kind, performance.retries, performance.dsn) == ("http", 0, None)
    assert performance.web == padu.config.WebServiceConfig(
        url="https://ekinerja.test/api",
        auth="api_key",
        token="k-123",
        api_key_header="X-Key",
        batch_path="/pegawai:batch",
        batch_safe=True,
        max_concurrent=8,
    )
    assert config.state.kind == "postgres"


def test_unknown_demo_scale() -> None:
    message = error({"padu": {"demo_scale": "huge"}})

    assert message.startswith(f"{FILE}: padu.demo_scale: ")


def test_load_config_reads_the_file_named_by_padu_config(tmp_path: Path) -> None:
    path = tmp_path / "padu.toml"
    path.write_text(
        '[padu]\nregion = "32.73"\nstate_dir = "var"\n\n'
        "[server]\nport = 9001\n\n"
        '[sources.population]\ndsn = "postgresql://siak@db/siak"\n'
    )

    config = load_config({"PADU_CONFIG": str(path)})

    assert config.file == str(path)
    assert config.region.code == "32.73"
    # Relative paths are relative to the file, not to the working directory.
    assert config.state_dir == tmp_path.resolve() / "var"
    assert config.port == 9001
    assert config.sources["population"].dsn == "postgresql://siak@db/siak"


def test_load_config_reads_padu_toml_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "padu.toml").write_text(
        '[padu]\nmode = "production"\n[auth]\nhs256_secret = "${SECRET}"\n'
        '[audit]\nhash_key = "${SECRET}"\n'
    )
    monkeypatch.chdir(tmp_path)

    config = load_config({"SECRET": "s" * 32})

    assert (config.file, config.mode) == ("padu.toml", "production")
    assert config.state_dir == tmp_path.resolve() / ".padu"


def test_load_config_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "padu.toml"
    path.write_text('[padu]\nmode = "staging"\n')

    with pytest.raises(ConfigError) as raised:
        load_config({"PADU_CONFIG": str(path)})

    assert str(raised.value) == (
        f"{path}: padu.mode: must be one of development, production, got 'staging'"
    )


def test_load_config_with_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"

    with pytest.raises(ConfigError) as raised:
        load_config({"PADU_CONFIG": str(path)})

    assert str(raised.value) == f"{path}: PADU_CONFIG: file not found"


def test_load_config_with_bad_toml_syntax(tmp_path: Path) -> None:
    path = tmp_path / "padu.toml"
    path.write_text("[padu\nmode = 'development'\n")

    with pytest.raises(ConfigError) as raised:
        load_config({"PADU_CONFIG": str(path)})

    assert (raised.value.file, raised.value.key) == (str(path), "(syntax)")
    assert str(raised.value).startswith(f"{path}: (syntax): not valid TOML: ")
    assert "line 1" in raised.value.reason


@pytest.mark.parametrize(
    ("data", "key", "reason"),
    [
        pytest.param(
            {"auth": {"algorithms": ["none"]}},
            "auth.algorithms",
            "'none' is not accepted (use HS256, RS256 or ES256)",
            id="alg-none",
        ),
        pytest.param(
            {"auth": {"algorithms": ["HS256", "RS256"], "jwks_url": "https://idp/jwks"}},
            "auth.algorithms",
            "mixes HS256 with public-key algorithms, which invites key confusion; choose one kind",
            id="mixed-algorithms",
        ),
        pytest.param(
            {"auth": {"algorithms": ["RS256"]}},
            "auth.jwks_url",
            "an http(s) URL is required with RS256",
            id="rs256-without-jwks",
        ),
        pytest.param(
            {"auth": {"hs256_secret": "short"}},
            "auth.hs256_secret",
            "must be at least 32 bytes",
            id="short-secret",
        ),
        pytest.param(
            {"padu": {"mode": "production"}, "audit": {"hash_key": "k" * 32}},
            "auth.hs256_secret",
            "is required in production with HS256",
            id="production-without-secret",
        ),
        pytest.param(
            {"padu": {"mode": "production"}, "auth": {"hs256_secret": "s" * 32}},
            "audit.hash_key",
            "is required in production (it keys the NIK hashes)",
            id="production-without-audit-key",
        ),
        pytest.param(
            {"http": {"cors_origins": ["*"]}},
            "http.cors_origins",
            "'*' is not an origin like https://app.example",
            id="cors-wildcard",
        ),
        pytest.param(
            {"limits": {"max_depth": 0}},
            "limits.max_depth",
            "must be at least 1, got 0",
            id="zero-depth",
        ),
        pytest.param(
            {"state": {"pool_max": 0}},
            "state.pool_max",
            "must be at least 1, got 0",
            id="state-pool",
        ),
    ],
)
def test_security_settings_are_checked(data: dict[str, Any], key: str, reason: str) -> None:
    assert error(data) == f"{FILE}: {key}: {reason}"


def test_an_application_source_of_any_kind_joins_the_core_ones() -> None:
    """Any [sources.NAME] beside the four core systems is an application's source; a mysql
    source with no DSN is hosted, like the core ones, in the embedded PostgreSQL."""
    config = parse_config(
        {"sources": {"payments": {"kind": "mysql"}, "clinics": {"kind": "http",
                                                               "url": "http://127.0.0.1:9"}}},
        "padu.toml", {},
    )  # fmt: skip
    assert list(config.sources) == [
        "population", "service_requests", "performance", "learning", "payments", "clinics",
    ]  # fmt: skip
    assert (config.sources["payments"].kind, config.sources["payments"].dsn) == ("mysql", None)
    assert config.applications == ()


METRICS_TOKEN = "m" * 32


def test_metrics_and_logging_defaults_follow_the_mode() -> None:
    development = parse_config({}, FILE, ENV)
    assert development.metrics == MetricsConfig(enabled=True, token=None, bind=None)
    assert development.logging == LoggingConfig(format="text", level="INFO")
    production = parse_config(PRODUCTION, FILE, ENV)
    assert production.metrics.enabled is False  # until a token or a listener protects it
    assert production.logging.format == "json"
    protected = parse_config({**PRODUCTION, "metrics": {"token": METRICS_TOKEN}}, FILE, ENV)
    assert protected.metrics == MetricsConfig(enabled=True, token=METRICS_TOKEN)
    apart = parse_config({"metrics": {"bind": "0.0.0.0:9464"}, "logging": {"level": "debug"}},
                         FILE, ENV)  # fmt: skip
    assert apart.metrics.bind == ("0.0.0.0", 9464) and apart.logging.level == "DEBUG"


@pytest.mark.parametrize(
    ("section", "reason"),
    [
        ({"metrics": {"token": "short"}}, "metrics.token: must be at least 32 bytes"),
        ({"metrics": {"bind": "9464"}}, "metrics.bind: must be host:port"),
        ({"metrics": {"bind": "localhost:99999"}}, "metrics.bind: must be host:port"),
        ({"metrics": {"path": "/m"}}, "metrics.path: unknown key"),
        ({"logging": {"format": "xml"}}, "logging.format: must be one of text, json"),
        ({"logging": {"level": "loud"}}, "logging.level: must be one of"),
        ({"logging": {"colour": True}}, "logging.colour: unknown key"),
        ({**PRODUCTION, "metrics": {"enabled": True}}, "metrics.enabled: in production"),
    ],
)
def test_bad_metrics_or_logging(section: dict[str, Any], reason: str) -> None:
    assert f"{FILE}: {reason}" in error(section)
