"""One execution per subscription event, shared by subscribers who would get the same answer.

Over real WebSockets: like subscribers share one stream (counted by the process's
``SharedSubscriptions``) yet each is audited as itself; callers who see differently never
share; a dashboard joining late gets the current count at once. The stream's own rules (a slow
subscriber dropped alone, the last one leaving stops it) are tested on the stream itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from padu.access.audit import AuditTrail
from padu.principal import ANONYMOUS, Role
from padu.subscription_share import (
    EVENT_BACKLOG,
    FELL_BEHIND,
    Ended,
    Event,
    SharedSubscriptions,
    Stream,
)
from tests.api.subscribing import CHANGES, COUNTERS, DELIVERY_SECONDS, listening, submit
from tests.conftest import ADMIN_ID, Served
from tests.data import DEWI, SITI

OTHER_ADMIN = "admin-two"


async def test_like_subscribers_share_one_execution_per_change(live: Served, sockets: Any) -> None:
    shared = live.view.shared
    first = [await sockets((Role.ADMIN, ADMIN_ID)) for _ in range(2)]
    second = [await sockets((Role.ADMIN, OTHER_ADMIN)) for _ in range(2)]
    for socket_ in (*first, *second):
        for _ in range(2):  # twice on one connection too
            await socket_.subscribe(CHANGES, {"f": {"kind": ["CREATED"]}})
    await listening(live)
    assert len(shared.streams) == 1  # two admins see alike: one stream for all eight
    before = shared.events
    created = await submit(live, "36.71.01.1001")
    for socket_ in (*first, *second):
        frames = [await socket_.receive() for _ in range(2)]
        assert {f["id"] for f in frames} == {"1", "2"}
        heard = {f["payload"]["data"]["serviceRequestChanged"]["requestId"] for f in frames}
        assert heard == {created}
    assert shared.events == before + 1
    for socket_ in (*first, *second):
        await socket_.ws.close()
    await listening(live)
    assert shared.streams == {}  # the last subscriber gone, the stream stopped


async def test_each_subscriber_of_a_shared_stream_is_audited_as_itself(
    live: Served, sockets: Any
) -> None:
    watch = "subscription SharedWatch { serviceRequestChanged { request { title } } }"
    one = await sockets((Role.ADMIN, ADMIN_ID))
    two = await sockets((Role.ADMIN, OTHER_ADMIN))
    await one.subscribe(watch)
    await two.subscribe(watch)
    await listening(live)
    await submit(live, "36.71.05.1001", as_=(Role.CITIZEN, DEWI))
    await one.receive()
    await two.receive()
    log = await live.ask(
        "{ auditLog(first: 20, filter: {actorRole: \"admin\"}) { edges { node { operationName "
        "fields actor requestId } } } }",
        {}, (Role.ADMIN, ADMIN_ID),
    )  # fmt: skip
    entries = [
        e["node"]
        for e in log["data"]["auditLog"]["edges"]
        if e["node"]["operationName"] == "SharedWatch"
    ]
    assert sorted(e["actor"] for e in entries) == sorted([ADMIN_ID, OTHER_ADMIN])
    assert all(e["fields"] == ["ServiceRequest.title"] for e in entries)
    assert len({e["requestId"] for e in entries}) == 2  # each connection's own request id


async def test_callers_who_see_differently_never_share(live: Served, sockets: Any) -> None:
    shared = live.view.shared
    siti = await sockets((Role.CITIZEN, SITI))
    dewi = await sockets((Role.CITIZEN, DEWI))
    dashboard = await sockets((Role.DASHBOARD, "mayor-office"))
    for socket_ in (siti, dewi, dashboard):
        await socket_.subscribe(CHANGES)
    await listening(live)
    assert len(shared.streams) == 3  # two citizens' rows differ; a dashboard's fields differ
    before = shared.events
    created = await submit(live, "36.71.05.1001", as_=(Role.CITIZEN, SITI))
    heard = (await siti.receive())["payload"]["data"]["serviceRequestChanged"]
    assert heard["requestId"] == created
    assert (await dashboard.receive())["payload"]["data"]["serviceRequestChanged"]["requestId"]
    assert await dewi.silent()
    assert shared.events == before + 2  # Siti's stream and the dashboard's; Dewi's saw nothing


async def test_a_dashboard_joining_late_gets_the_current_count_at_once(
    live: Served, sockets: Any
) -> None:
    shared = live.view.shared
    district = {"f": {"districtCode": "36.71.05"}}
    early = await sockets((Role.DASHBOARD, "mayor-office"))
    await early.subscribe(COUNTERS, district)
    counted = (await early.receive())["payload"]["data"]["dashboardCounters"]
    executed = shared.events
    late = await sockets((Role.DASHBOARD, "planning-office"))
    await late.subscribe(COUNTERS, district)
    assert (await late.receive())["payload"]["data"]["dashboardCounters"] == counted
    assert shared.events == executed  # the late one was sent the shared count, not a new one
    await submit(live, "36.71.05.1001")
    moved = [(await s.receive())["payload"]["data"]["dashboardCounters"] for s in (early, late)]
    assert moved[0] == moved[1] and moved[0]["total"] == counted["total"] + 1
    assert shared.events == executed + 1
    assert await late.silent()


def _event(n: int) -> Event:
    return Event(
        ExecutionResult(data={"n": n}, errors=None), AuditTrail(b"k", ANONYMOUS, "r"), None
    )


async def test_a_slow_subscriber_is_dropped_alone() -> None:
    stream = Stream(SharedSubscriptions(None), "key", replays=False)
    slow, quick = stream.add(), stream.add()
    got = []
    for n in range(EVENT_BACKLOG + 5):
        stream.publish(_event(n))
        got.append(quick.get_nowait())
    assert [e.result.data for e in got if isinstance(e, Event)] == [
        {"n": n} for n in range(EVENT_BACKLOG + 5)
    ]
    drained = [slow.get_nowait() for _ in range(slow.qsize())]
    assert drained[-1] == Ended(FELL_BEHIND)
    assert len(drained) == EVENT_BACKLOG  # what it had queued, then the notice
    assert stream.subscribers == {quick}


async def test_the_last_subscriber_leaving_stops_the_execution() -> None:
    hub = SharedSubscriptions(None)
    started = asyncio.Event()
    stopped = asyncio.Event()

    async def start(context: Any) -> Any:
        async def source() -> Any:
            started.set()
            try:
                await asyncio.sleep(60)
                yield ExecutionResult(data=None, errors=None)
            finally:
                stopped.set()

        return source()

    async with hub.join("key", False, _context, start):
        async with hub.join("key", False, lambda: pytest.fail("a second execution"), start):
            await asyncio.wait_for(started.wait(), 1)
        assert not stopped.is_set() and "key" in hub.streams
    await asyncio.wait_for(stopped.wait(), 1)
    assert hub.streams == {}


def _context() -> Any:
    class Bare:
        trace = None
        audit = AuditTrail(b"k", ANONYMOUS, "r")

    return Bare()


async def test_a_stream_ends_every_subscriber_when_it_completes() -> None:
    hub = SharedSubscriptions(None)

    async def start(context: Any) -> Any:
        async def source() -> Any:
            yield ExecutionResult(data={"n": 1}, errors=None)

        return source()

    async with hub.join("key", False, _context, start) as queue:
        first = await asyncio.wait_for(queue.get(), DELIVERY_SECONDS)
        assert isinstance(first, Event) and first.encoded == '{"data":{"n":1}}'
        assert await asyncio.wait_for(queue.get(), DELIVERY_SECONDS) == Ended()
    assert hub.streams == {}
