"""Fair use: per-caller turns (429 RATE_LIMITED), pool shares, the breaker under load, the
response size cap (RESPONSE_TOO_LARGE), and another caller's latency under a burst."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from padu.config import Config, ConfigError, parse_config
from padu.fairness import Share
from padu.principal import Role
from padu.sources.breaker import Circuit, CircuitBreaker
from tests.conftest import TEST_SETTINGS, bearer, on_a_port, serving
from tests.data import BUDI
from tests.proxy import Proxy

SIMPLE = "{ region { code } }"
RESIDENT = "query($nik: NIK!) { resident(nik: $nik) { gender } }"
# Nine population figures: allowed (cost 9,187 of 10,000), nine round trips to one source.
FIGURES = (
    "{ dashboard { "
    + " ".join(
        f"{dimension.lower()}{i}: residentsBy(dimension: {dimension}) {{ key residents }}"
        for dimension in ("GENDER", "AGE_BAND", "DISTRICT")
        for i in range(3)
    )
    + " } }"
)


def configured(limits: dict[str, Any], **sources: dict[str, Any]) -> Config:
    settings = {**TEST_SETTINGS, "limits": limits, "sources": sources}
    return parse_config(settings, "padu.toml", {})


def as_(config: Config, role: Role, subject: str) -> dict[str, str]:
    return bearer(config, role, subject)


async def post(
    http: httpx.AsyncClient,
    query: str,
    headers: dict[str, str] | None = None,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    body = {"query": query, "variables": variables or {}}
    return await http.post("/graphql", json=body, headers=headers or {})


def code(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") if response.content else None
    return errors[0]["extensions"]["code"] if errors and isinstance(errors, list) else None


class HeldBody:
    """A request whose body arrives only when released: it holds its turn until then."""

    def __init__(self) -> None:
        self.released = asyncio.Event()

    async def chunks(self) -> AsyncIterator[bytes]:
        yield b'{"query": "{ region { code } }"'
        await self.released.wait()
        yield b"}"


async def test_a_caller_over_its_turns_gets_429_and_no_one_else_does(dsns: dict[str, str]) -> None:
    limits = {"max_concurrent_per_caller": 2, "max_queued_per_caller": 1, "queue_wait_seconds": 0.5}
    config = configured(limits)
    officer = as_(config, Role.OFFICER, "198503152010011001")
    async with serving(config, dsns) as http:
        held = [HeldBody() for _ in range(2)]
        running = [
            asyncio.create_task(
                http.post(
                    "/graphql",
                    content=h.chunks(),
                    headers={**officer, "Content-Type": "application/json"},
                )
            )
            for h in held
        ]
        await asyncio.sleep(0.1)  # both hold their turn, waiting for their bodies
        started = time.perf_counter()
        queued = asyncio.create_task(post(http, SIMPLE, officer))
        await asyncio.sleep(0.05)
        at_once = await post(http, SIMPLE, officer)  # the queue (1) is full
        assert time.perf_counter() - started < 0.3
        assert at_once.status_code == 429
        assert at_once.headers["retry-after"] == "1"
        assert at_once.json() == {
            "errors": [
                {
                    "message": "Too many requests at once: at most 2 of yours run at a time and "
                    "1 wait; retry after the ones running finish.",
                    "extensions": {"code": "RATE_LIMITED"},
                }
            ]
        }
        # Others are served at once all the while: another token, the same subject in
        # another role, and an anonymous caller.
        others = [
            as_(config, Role.OFFICER, "199002202015032002"),
            as_(config, Role.SUPERVISOR, "198503152010011001"),
            {},
        ]
        for headers in others:
            answer = await post(http, SIMPLE, headers)
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"data": {"region": {"code": "36.71"}}}
        waited = await queued  # no turn came free within 0.5 s
        assert waited.status_code == 429 and code(waited) == "RATE_LIMITED"
        assert time.perf_counter() - started >= 0.5
        # A queued request takes the turn a finished one gives back.
        queued = asyncio.create_task(post(http, SIMPLE, officer))
        await asyncio.sleep(0.1)
        held[0].released.set()
        assert (await queued).json() == {"data": {"region": {"code": "36.71"}}}
        held[1].released.set()
        for finished in await asyncio.gather(*running):
            assert finished.json() == {"data": {"region": {"code": "36.71"}}}
        assert (await post(http, SIMPLE, officer)).status_code == 200
        assert http._transport.app.state.graphql.turns._callers == {}  # type: ignore[attr-defined]


async def test_anonymous_callers_are_told_apart_by_address(dsns: dict[str, str]) -> None:
    config = configured({"max_concurrent_per_caller": 1, "max_queued_per_caller": 0})
    async with serving(config, dsns) as http:
        held = HeldBody()
        headers = {"Content-Type": "application/json"}
        holding = asyncio.create_task(http.post("/graphql", content=held.chunks(), headers=headers))
        await asyncio.sleep(0.1)
        assert (await post(http, SIMPLE)).status_code == 429  # the same address
        other = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=http._transport.app, client=("10.0.0.2", 4000)),  # type: ignore[attr-defined]
            base_url="http://padu.test",
        )
        async with other:
            assert (await post(other, SIMPLE)).json() == {"data": {"region": {"code": "36.71"}}}
        held.released.set()
        assert (await holding).status_code == 200


async def test_an_answer_over_the_size_cap_is_replaced_by_an_error(dsns: dict[str, str]) -> None:
    config = configured({"max_response_bytes": 2000})
    query = "{ region { districts { name villages { code name } } } }"
    async with serving(config, dsns) as http:
        small = await post(http, SIMPLE)
        assert small.json() == {"data": {"region": {"code": "36.71"}}}
        large = await post(http, query)
        assert large.status_code == 200
        assert "Cipondoh" not in large.text  # nothing of the answer is sent
        body = large.json()
        [error] = body["errors"]
        assert body["data"] is None
        assert error["extensions"]["code"] == "RESPONSE_TOO_LARGE"
        assert error["extensions"]["max"] == 2000
        assert error["extensions"]["actual"] > 2000
        assert error["message"].startswith(f"The answer is {error['extensions']['actual']} bytes")
        assert "ask for less" in error["message"]
        assert int(large.headers["content-length"]) == len(large.content) < 2000
        batch = await http.post("/graphql", json=[{"query": SIMPLE}, {"query": query}])
        assert [b["errors"][0]["extensions"]["code"] for b in batch.json()] == [
            "RESPONSE_TOO_LARGE"
        ] * 2


async def test_a_full_pool_is_load_and_does_not_trip_the_breaker(dsns: dict[str, str]) -> None:
    config = configured({}, population={"pool_max": 2, "connect_timeout": 0.2})
    admin = as_(config, Role.ADMIN, "admin@padu.test")
    async with serving(config, dsns) as http:
        population = http._transport.app.state.sources.population  # type: ignore[attr-defined]
        held = [await population.pool.acquire() for _ in range(2)]
        try:
            for _ in range(config.sources["population"].breaker_failures + 2):
                answer = (await post(http, RESIDENT, admin, {"nik": BUDI})).json()
                [error] = answer["errors"]
                assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "population"}
                assert "gave no connection within 0.2s, all busy" in error["message"]
        finally:
            for connection in held:
                await population.pool.release(connection)
        assert population.breaker.state.value == "closed"
        answer = (await post(http, RESIDENT, admin, {"nik": BUDI})).json()
        assert answer == {"data": {"resident": {"gender": "MALE"}}}


@asynccontextmanager
async def slow_population(dsns: dict[str, str], delay: float) -> AsyncIterator[dict[str, str]]:
    """``dsns`` with the population registry behind a proxy adding ``delay`` to each answer."""
    proxy = Proxy(dsns["population"], delay=delay)
    await proxy.start()
    try:
        yield {**dsns, "population": proxy.dsn}
    finally:
        await proxy.stop()


async def timed(http: httpx.AsyncClient, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    answer = await post(http, RESIDENT, headers, {"nik": BUDI})
    assert answer.json() == {"data": {"resident": {"gender": "MALE"}}}, answer.text
    return time.perf_counter() - started


async def test_a_burst_from_one_token_leaves_others_their_latency(dsns: dict[str, str]) -> None:
    # Every population round trip takes 50 ms more; the pool has 4 connections.
    config = configured({}, population={"pool_max": 4, "pool_min": 4, "connect_timeout": 1.0})
    board = as_(config, Role.DASHBOARD, "mayor-office")
    other = as_(config, Role.ADMIN, "admin@padu.test")
    async with (
        slow_population(dsns, 0.05) as slow,
        on_a_port(config, slow) as address,
        httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as http,
    ):
        assert "errors" not in (await post(http, FIGURES, board)).json()
        quiet = [await timed(http, other) for _ in range(10)]
        answers: list[httpx.Response] = []
        stop = time.perf_counter() + 2.5

        async def flood() -> None:
            while time.perf_counter() < stop:
                answers.append(await post(http, FIGURES, board))

        burst = [asyncio.create_task(flood()) for _ in range(16)]
        await asyncio.sleep(0.3)
        loaded = []
        while time.perf_counter() < stop - 0.2:
            loaded.append(await timed(http, other))
        await asyncio.gather(*burst)
        health = (await http.get("/healthz")).json()
        assert health["sources"]["population"]["circuit"] == "closed"

    served = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert all(code(a) is None for a in served), served[0].text
    assert refused and {(a.status_code, code(a)) for a in refused} == {(429, "RATE_LIMITED")}
    assert len(served) >= 4  # the burst is served too, four at a time
    quiet_median, loaded_median = statistics.median(quiet), statistics.median(loaded)
    assert loaded_median < 5 * quiet_median, (quiet_median, loaded_median)
    assert loaded_median < 1.0


def test_an_inconclusive_probe_lets_the_next_call_probe() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=1, cooldown=5, clock=lambda: now[0])
    breaker.failed()
    now[0] = 6.0
    breaker.before_call()  # the half-open probe
    breaker.inconclusive()  # it found the pool busy: nothing learnt of the source
    assert breaker.state is Circuit.HALF_OPEN
    breaker.before_call()  # so another call may probe, rather than waiting forever
    breaker.succeeded()
    assert breaker.state is Circuit.CLOSED


def test_the_pool_share_is_configurable_and_never_below_one_connection() -> None:
    def slots(settings: dict[str, Any], pool_max: int) -> int:
        limits = parse_config({**TEST_SETTINGS, "limits": settings}, "test.toml", {}).limits
        return Share(limits.pool_share_per_caller).slot("population", pool_max)._value

    assert slots({}, 10) == 5
    assert slots({}, 1) == 1
    assert slots({"pool_share_per_caller": 1.0}, 10) == 10
    assert slots({"pool_share_per_caller": 0.25}, 10) == 2
    with pytest.raises(ConfigError, match=r"limits\.pool_share_per_caller"):
        parse_config({**TEST_SETTINGS, "limits": {"pool_share_per_caller": 1.5}}, "t.toml", {})
