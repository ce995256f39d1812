"""The http transport against a real local web service: batches and bounded per-key calls,
credentials from configuration, timeouts, retries of reads only, malformed answers, the
breaker and keyed writes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
import pytest_asyncio

from padu.config import SourceConfig, WebServiceConfig, parse_config
from padu.errors import SourceTimeout, SourceUnavailable
from padu.sources.base import AlreadyApplied, Source
from padu.sources.breaker import Circuit
from padu.sources.trace import SourceCount, SourceTrace
from padu.sources.transports.shape import Shape
from tests.sources.web_service import RESIDENTS, TOKEN, Behaviour, hanging_up, web_service

K1, K2, K3 = RESIDENTS
MISSING = "3671010101909999"
RESIDENT = Shape(key="nik", fields={"nama": "string", "umur": "integer"})


class Health(Source):
    """A declared-application-like source that is a web service."""

    name = "health"


def health_config(url: str, **overrides: Any) -> SourceConfig:
    web = WebServiceConfig(
        url=url,
        auth="bearer",
        token=TOKEN,
        item_path="/residents/{key}",
        max_concurrent=2,
        health_path="/health",
    )
    web = replace(web, **{k: v for k, v in overrides.items() if hasattr(web, k)})
    config = SourceConfig(
        name="health",
        dsn=None,
        kind="http",
        pool_max=4,
        connect_timeout=1.0,
        statement_timeout=1.0,
        retries=2,
        web=web,
    )
    return replace(config, **{k: v for k, v in overrides.items() if hasattr(config, k)})


@pytest_asyncio.fixture
async def behaviour() -> Behaviour:
    return Behaviour()


@pytest_asyncio.fixture
async def url(behaviour: Behaviour) -> AsyncIterator[str]:
    async with web_service(behaviour) as base:
        yield base


async def start(started: list[Source], config: SourceConfig) -> Source:
    assert config.web is not None
    source = Health(config, config.web.url)
    await source.start()
    started.append(source)
    return source


async def test_a_batch_is_one_round_trip_aligned_with_the_keys(
    started: list[Source], url: str, behaviour: Behaviour, trace: SourceTrace
) -> None:
    health = await start(started, health_config(url, batch_path="/residents:batch"))

    found = await health.fetch_keys([K2, MISSING, K1], RESIDENT)

    assert found == [RESIDENTS[K2], None, RESIDENTS[K1]]
    assert behaviour.hits == {"POST /residents:batch": 1}
    assert behaviour.credentials == [f"Bearer {TOKEN}"]
    assert trace.counts == {"health": SourceCount(round_trips=1, rows=2)}


async def test_per_key_calls_stay_within_max_concurrent(
    started: list[Source], url: str, behaviour: Behaviour, trace: SourceTrace
) -> None:
    health = await start(started, health_config(url, max_concurrent=2))
    behaviour.delay = 0.1
    keys = [K1, K2, K3, MISSING, K1, K2]

    found = await health.fetch_keys(keys, RESIDENT)

    assert found == [
        RESIDENTS[K1],
        RESIDENTS[K2],
        RESIDENTS[K3],
        None,
        RESIDENTS[K1],
        RESIDENTS[K2],
    ]
    assert behaviour.max_in_flight == 2
    assert sum(behaviour.hits.values()) == 6
    assert trace.counts == {"health": SourceCount(round_trips=6, rows=5)}


async def test_a_path_given_by_the_caller_picks_batch_or_per_key(
    started: list[Source], url: str, behaviour: Behaviour
) -> None:
    health = await start(started, health_config(url, batch_path="/nowhere", item_path=None))

    per_key = await health.fetch_keys([K1, K2], RESIDENT, path="/residents/{key}")
    batched = await health.fetch_keys([K3], RESIDENT, path="/residents:batch")

    assert per_key == [RESIDENTS[K1], RESIDENTS[K2]]
    assert batched == [RESIDENTS[K3]]
    assert behaviour.hits == {
        f"GET /residents/{K1}": 1,
        f"GET /residents/{K2}": 1,
        "POST /residents:batch": 1,
    }


async def test_an_api_key_comes_from_the_environment_through_configuration(
    started: list[Source], url: str, behaviour: Behaviour
) -> None:
    table = {
        "kind": "http", "url": url, "auth": "api_key", "token": "${DINKES_KEY}",
        "api_key_header": "X-Dinkes-Key", "item_path": "/residents/{key}",
    }  # fmt: skip
    config = parse_config({"sources": {"population": table}}, "padu.toml", {"DINKES_KEY": TOKEN})
    health = await start(started, config.sources["population"])

    assert await health.fetch_keys([K3], RESIDENT) == [RESIDENTS[K3]]
    assert behaviour.credentials == [TOKEN]


async def test_wrong_credentials_are_reported_and_not_retried(
    started: list[Source], url: str, behaviour: Behaviour
) -> None:
    health = await start(started, health_config(url, token="salah"))

    with pytest.raises(SourceUnavailable) as raised:
        await health.fetch_keys([K1], RESIDENT)

    assert str(raised.value) == (
        "The health source system refused Padu's credentials (HTTP 401); its fields are null."
    )
    assert behaviour.hits == {f"GET /residents/{K1}": 1}


async def test_a_slow_answer_is_a_timeout_and_not_retried(
    started: list[Source], url: str, behaviour: Behaviour
) -> None:
    health = await start(started, health_config(url, statement_timeout=0.3))
    behaviour.mode = "slow"

    with pytest.raises(SourceTimeout) as raised:
        await health.get(f"/residents/{K1}")

    error = raised.value
    assert error.extensions == {"code": "SOURCE_TIMEOUT", "source": "health"}
    assert str(error) == "The health source system did not answer within 0.3s; its fields are null."
    assert behaviour.hits == {f"GET /residents/{K1}": 1}


async def test_reads_are_retried_and_writes_are_not(
    started: list[Source], url: str, behaviour: Behaviour
) -> None:
    health = await start(started, health_config(url, retries=2))
    behaviour.mode = "error"

    with pytest.raises(SourceUnavailable, match=r"answered HTTP 500; its fields are null\.$"):
        await health.get(f"/residents/{K1}")
    with pytest.raises(SourceUnavailable, match=r"answered HTTP 500; its fields are null\.$"):
        await health.post("/registrations", {"nik": K1}, key="daftar-1")

    assert behaviour.hits == {f"GET /residents/{K1}": 3, "POST /registrations": 1}


@pytest.mark.parametrize(("safe", "calls"), [(False, 1), (True, 3)], ids=["unmarked", "safe"])
async def test_a_batch_post_is_retried_only_when_marked_safe(
    started: list[Source], url: str, behaviour: Behaviour, safe: bool, calls: int
) -> None:
    config = health_config(url, batch_path="/residents:batch", batch_safe=safe, retries=2)
    health = await start(started, config)
    behaviour.mode = "error"

    with pytest.raises(SourceUnavailable):
        await health.fetch_keys([K1, K2], RESIDENT)

    assert behaviour.hits == {"POST /residents:batch": calls}


@pytest.mark.parametrize(
    ("mode", "batch", "shape", "reason"),
    [
        ("malformed", False, RESIDENT, "answered malformed data (not JSON)"),
        (
            "wrong-types",
            True,
            RESIDENT,
            "answered malformed data (object, not a list of objects with `nik`)",
        ),
        (
            "wrong-types",
            False,
            RESIDENT,
            "answered malformed data (the object without a string or integer `nik`)",
        ),
        (
            "well",
            False,
            Shape("nik", {"umur": "string"}),
            "answered malformed data (the object with `umur` integer, not string)",
        ),
        (
            "well",
            True,
            Shape("nik", {"alamat": "object"}),
            "answered malformed data (item 1 with `alamat` null, not object)",
        ),
    ],
    ids=["not-json", "batch-not-a-list", "object-without-key", "wrong-field-type", "missing-field"],
)
async def test_a_malformed_answer_is_unavailable_with_the_reason(
    started: list[Source],
    url: str,
    behaviour: Behaviour,
    mode: str,
    batch: bool,
    shape: Shape,
    reason: str,
) -> None:
    config = health_config(url, batch_path="/residents:batch" if batch else None)
    health = await start(started, config)
    behaviour.mode = mode

    with pytest.raises(SourceUnavailable) as raised:
        await health.fetch_keys([K1, K2], shape)

    error = raised.value
    assert type(error) is SourceUnavailable
    assert error.extensions == {"code": "SOURCE_UNAVAILABLE", "source": "health"}
    assert str(error) == f"The health source system {reason}; its fields are null."
    assert health.breaker.state is Circuit.CLOSED  # it answered: a probe would learn no more


async def test_unreachable_service_is_source_unavailable(started: list[Source]) -> None:
    health = await start(started, health_config("http://127.0.0.1:1"))

    with pytest.raises(SourceUnavailable) as raised:
        await health.ping()

    error = raised.value
    assert type(error) is SourceUnavailable
    assert str(error) == "The health source system could not be reached; its fields are null."
    assert error.__cause__ is None


async def test_a_dropped_connection_is_retried_for_reads(started: list[Source]) -> None:
    hits: list[int] = []
    async with hanging_up(hits) as base:
        health = await start(started, health_config(base, retries=2))
        with pytest.raises(SourceUnavailable, match="could not be reached"):
            await health.get("/residents/x")
        reads = len(hits)
        with pytest.raises(SourceUnavailable, match="could not be reached"):
            await health.post("/registrations", {}, key="k")

    assert reads == 3
    assert len(hits) == 4


async def test_breaker_opens_after_failures_and_closes_after_cooldown(
    started: list[Source], url: str, behaviour: Behaviour
) -> None:
    config = health_config(url, retries=0, breaker_failures=2, breaker_cooldown=0.3)
    health = await start(started, config)
    behaviour.mode = "error"

    for _ in range(2):
        with pytest.raises(SourceUnavailable, match="answered HTTP 500"):
            await health.ping()
    with pytest.raises(SourceUnavailable, match=r"is failing; calls paused \(circuit open"):
        await health.ping()
    assert behaviour.hits == {"GET /health": 2}  # the open circuit did not call the service
    assert health.breaker.state is Circuit.OPEN

    behaviour.mode = "well"
    await asyncio.sleep(0.35)
    assert await health.get(f"/residents/{K1}") == RESIDENTS[K1]
    assert health.breaker.state is Circuit.CLOSED


async def test_a_keyed_write_happens_once(
    started: list[Source], url: str, behaviour: Behaviour, trace: SourceTrace
) -> None:
    health = await start(started, health_config(url))

    created = await health.post("/registrations", {"nik": K1}, key="daftar-7")
    with pytest.raises(AlreadyApplied):
        await health.post("/registrations", {"nik": K1, "again": True}, key="daftar-7")

    assert created == {"id": 1}
    assert behaviour.written == {"daftar-7": {"nik": K1}}
    assert trace.counts == {"health": SourceCount(round_trips=1, rows=1)}


def test_every_configured_kind_has_a_transport() -> None:
    from padu.config import SOURCE_KINDS
    from padu.sources.transports import TRANSPORTS

    assert sorted(TRANSPORTS) == sorted(SOURCE_KINDS)
    assert all(TRANSPORTS[kind].kind == kind for kind in TRANSPORTS)
