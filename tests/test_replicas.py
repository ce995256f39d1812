"""Stateless replicas: three ``padu serve`` processes that share nothing but the databases.

Each replica runs from a folder of its own (no development secret, embedded server or file
in common) with the same configured keys and the same source and ``state`` databases. What
one replica starts, any other finishes: effects are delivered exactly once whichever
replica's dispatcher claims them, a change made through one replica reaches subscribers on
every replica, a clientMutationId sent again to another replica replays the first answer,
and one replica's cursors and audit entries are read through another.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from websockets.asyncio.client import connect

from padu.config import parse_config
from padu.dispatcher import HANDLERS, Dispatcher
from padu.principal import Role
from padu.sources import Sources
from padu.sources.outbox import Effect
from tests.api.subscribing import CHANGES, SUBMIT, Socket
from tests.api.test_dashboard import rows
from tests.api.test_outbox_faults import add_open_requests
from tests.conftest import (
    ADMIN_ID,
    TEST_SETTINGS,
    bearer,
    drop_databases,
    eventually,
    fresh_databases,
    node_id,
    poster,
)
from tests.data import AGUS, BUDI, SITI
from tests.padu_process import Padu, write_config

REPLICAS = 3
BURST = 30  # resolutions, spread round-robin over the replicas
# One officer resolves the whole burst: its share on each replica runs at once.
LIMITS = "[limits]\nmax_concurrent_per_caller = 20\n"
CONFIG = parse_config(TEST_SETTINGS, "test.toml", {})  # signs tokens with the replicas' key
DELIVERY_SECONDS = 2.0  # a change reaches the other replicas' subscribers within this
PROBE_SECONDS = 0.5

RESOLVE = """mutation($id: ID!, $key: String, $resolution: String! = "Selesai") {
  resolveServiceRequest(id: $id, resolution: $resolution, clientMutationId: $key) {
    clientMutationId replayed errors { code } serviceRequest { status } } }"""
RESOLVED = {"errors": [], "serviceRequest": {"status": "RESOLVED"}}


@dataclass
class Replicas:
    """The running replicas over one set of databases, an HTTP client to each."""

    dsns: dict[str, str]
    processes: list[Padu]
    clients: list[httpx.AsyncClient]

    async def ask(
        self, n: int, query: str, variables: dict[str, Any], as_: tuple[Role, str]
    ) -> dict[str, Any]:
        """POST one operation to replica ``n`` as ``as_``; the JSON body."""
        return await poster(self.clients[n], CONFIG)(query, variables, as_)

    async def socket(self, n: int, as_: tuple[Role, str]) -> Socket:
        """A graphql-transport-ws connection to replica ``n``, signed in as ``as_``."""
        url = self.processes[n].url.replace("http://", "ws://") + "/graphql"
        ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": bearer(CONFIG, *as_)}))
        opened = Socket(ws)
        assert (await opened.receive())["type"] == "connection_ack"
        return opened


@pytest_asyncio.fixture(scope="module")
async def replicas(
    server_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Replicas]:
    dsns = await fresh_databases(server_dsn)
    processes: list[Padu] = []
    try:
        for n in range(REPLICAS):
            folder = tmp_path_factory.mktemp(f"replica{n}")
            config = write_config(folder, dsns, dsns["performance"], extra=LIMITS)
            processes.append(Padu(config, log=folder / "padu.log"))
        await asyncio.gather(*(padu.ready() for padu in processes))
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(base_url=padu.url, timeout=30))
                for padu in processes
            ]
            yield Replicas(dsns, processes, clients)
    finally:
        for padu in processes:
            padu.kill()
        await drop_databases(server_dsn, dsns)


async def tickets(replicas: Replicas, ids: Sequence[int]) -> list[str]:
    found = await rows(
        replicas.dsns["service_requests"],
        "SELECT no_tiket FROM permohonan WHERE id_permohonan = ANY($1::bigint[])",
        list(ids),
    )
    return sorted(r["no_tiket"] for r in found)


async def outbox_entries(replicas: Replicas, ids: Sequence[int]) -> list[asyncpg.Record]:
    """The outbox entries the requests' mutations released, oldest first."""
    return await rows(
        replicas.dsns["state"],
        "SELECT effect_key, status, attempts FROM outbox WHERE subject = ANY($1::text[]) "
        "ORDER BY id",
        [f"serviceRequest:{i}" for i in ids],
    )


async def delivered(replicas: Replicas, ids: Sequence[int]) -> list[asyncpg.Record]:
    """The requests' outbox entries once there is one per request and none is pending."""

    def drained(entries: list[asyncpg.Record]) -> bool:
        return len(entries) >= len(ids) and all(e["status"] == "delivered" for e in entries)

    entries: list[asyncpg.Record] = await eventually(
        lambda: outbox_entries(replicas, ids), drained, timeout=30
    )
    return entries


async def credits(replicas: Replicas, ticket_numbers: Sequence[str]) -> dict[str, int]:
    """e-Kinerja activities credited per ticket, counted in its database."""
    counted = await rows(
        replicas.dsns["performance"],
        "SELECT ref_tiket, count(*) AS n FROM aktivitas WHERE ref_tiket = ANY($1::text[]) "
        "GROUP BY ref_tiket",
        list(ticket_numbers),
    )
    return {r["ref_tiket"]: r["n"] for r in counted}


async def keyed_writes(replicas: Replicas, ticket_numbers: Sequence[str]) -> int:
    """Padu's keyed writes recorded in e-Kinerja for the tickets' credits."""
    [counted] = await rows(
        replicas.dsns["performance"],
        "SELECT count(*) AS n FROM padu_tulisan WHERE kunci = ANY($1::text[])",
        [f"credit:{t}" for t in ticket_numbers],
    )
    return int(counted["n"])


async def test_a_burst_resolved_across_replicas_credits_each_request_exactly_once(
    replicas: Replicas,
) -> None:
    ids = await add_open_requests(replicas.dsns["service_requests"], BURST)
    answers = await asyncio.gather(*(
        replicas.ask(n % REPLICAS, RESOLVE, {"id": str(i)}, (Role.OFFICER, AGUS))
        for n, i in enumerate(ids)
    ))  # fmt: skip
    assert [a["data"]["resolveServiceRequest"] for a in answers] == [
        {"clientMutationId": None, "replayed": False, **RESOLVED}
    ] * BURST
    numbers = await tickets(replicas, ids)
    entries = await delivered(replicas, ids)
    # Each resolution released one effect, and one dispatcher claimed it once: a delivery
    # claimed again (by another replica, or after a lease ran out) counts a second attempt.
    assert sorted(r["effect_key"] for r in entries) == [f"credit:{t}" for t in numbers]
    assert Counter((r["status"], r["attempts"]) for r in entries) == {("delivered", 1): BURST}
    assert await credits(replicas, numbers) == dict.fromkeys(numbers, 1)
    assert await keyed_writes(replicas, numbers) == BURST
    pending = await rows(replicas.dsns["state"], "SELECT count(*) AS n FROM outbox "
                          "WHERE status = 'pending'")  # fmt: skip
    assert pending[0]["n"] == 0


async def hear_each(sockets: Sequence[Socket], change: Callable[[], Awaitable[None]]) -> None:
    """Make changes until every socket has heard one: its subscription is then live."""
    deadline = time.monotonic() + 15
    deaf = list(sockets)
    while deaf:
        assert time.monotonic() < deadline, f"{len(deaf)} subscription(s) never heard a change"
        await change()
        for socket in list(deaf):
            try:
                await socket.receive(PROBE_SECONDS)
            except TimeoutError:
                continue
            deaf.remove(socket)


async def next_change_of(socket: Socket, request_id: int, deadline: float) -> dict[str, Any]:
    """The next event about ``request_id`` (skipping the probes' late ones) before ``deadline``."""
    while True:
        message = await socket.receive(max(deadline - time.monotonic(), 0.0))
        change: dict[str, Any] = message["payload"]["data"]["serviceRequestChanged"]
        if change["requestId"] == node_id("ServiceRequest", request_id):
            return change


async def test_a_change_made_through_one_replica_reaches_subscribers_of_every_replica(
    replicas: Replicas,
) -> None:
    [request_id] = await add_open_requests(replicas.dsns["service_requests"], 1)
    sockets = [await replicas.socket(n, (Role.ADMIN, ADMIN_ID)) for n in range(REPLICAS)]
    try:
        for socket in sockets:
            await socket.subscribe(CHANGES)
        submission = {"category": "COMPLAINT", "title": "Jalan berlubang",
                      "description": "Di depan sekolah.", "villageCode": "36.71.01.1001"}  # fmt: skip

        async def submit_through_b() -> None:
            body = await replicas.ask(1, SUBMIT, {"input": submission}, (Role.CITIZEN, SITI))
            assert body["data"]["submitServiceRequest"]["errors"] == [], body

        await hear_each(sockets, submit_through_b)
        body = await replicas.ask(1, RESOLVE, {"id": str(request_id)}, (Role.OFFICER, AGUS))
        assert body["data"]["resolveServiceRequest"]["errors"] == [], body
        deadline = time.monotonic() + DELIVERY_SECONDS
        heard = [await next_change_of(socket, request_id, deadline) for socket in sockets]
    finally:
        for socket in sockets:
            await socket.ws.close()
    ticket = (await tickets(replicas, [request_id]))[0]
    assert heard == [{
        "kind": "STATUS_CHANGED", "status": "RESOLVED", "previousStatus": "IN_PROGRESS",
        "requestId": node_id("ServiceRequest", request_id),
        "request": {"ticketNumber": ticket, "status": "RESOLVED", "district": {"code": "36.71.01"}},
    }] * REPLICAS  # fmt: skip


async def test_a_client_mutation_id_sent_again_to_another_replica_replays_the_first_answer(
    replicas: Replicas,
) -> None:
    [request_id] = await add_open_requests(replicas.dsns["service_requests"], 1)
    officer = (Role.OFFICER, AGUS)
    retry = {"id": str(request_id), "key": "replica-retry"}
    first = await replicas.ask(0, RESOLVE, retry, officer)
    again = await replicas.ask(1, RESOLVE, retry, officer)
    other = await replicas.ask(2, RESOLVE, {**retry, "resolution": "Lain"}, officer)
    assert first["data"]["resolveServiceRequest"] == {
        "clientMutationId": "replica-retry",
        "replayed": False,
        **RESOLVED,
    }
    assert again["data"]["resolveServiceRequest"] == {
        "clientMutationId": "replica-retry",
        "replayed": True,
        **RESOLVED,
    }
    assert other["data"]["resolveServiceRequest"]["errors"] == [{"code": "IDEMPOTENCY_KEY_REUSED"}]
    [ticket] = await tickets(replicas, [request_id])
    entries = await delivered(replicas, [request_id])
    assert [(r["effect_key"], r["status"], r["attempts"]) for r in entries] == [
        (f"credit:{ticket}", "delivered", 1)
    ]
    assert await credits(replicas, [ticket]) == {ticket: 1}
    logged = await rows(
        replicas.dsns["state"],
        "SELECT status FROM mutation_log WHERE key LIKE '%:resolveServiceRequest:replica-retry'",
    )
    assert [r["status"] for r in logged] == ["committed"]


async def test_one_replicas_cursors_and_audit_entries_are_read_through_another(
    replicas: Replicas,
) -> None:
    page = """query($after: String) { residents(first: 2, after: $after) {
      pageInfo { endCursor } nodes { nik } } }"""
    admin = (Role.ADMIN, ADMIN_ID)
    first = (await replicas.ask(0, page, {}, admin))["data"]["residents"]
    after = {"after": first["pageInfo"]["endCursor"]}
    on_a = (await replicas.ask(0, page, after, admin))["data"]["residents"]
    on_b = (await replicas.ask(1, page, after, admin))["data"]["residents"]
    assert on_b == on_a and on_b["nodes"] and on_b["nodes"] != first["nodes"]

    for n in range(REPLICAS):
        read = await replicas.ask(
            n, "query($nik: NIK!) { resident(nik: $nik) { fullName } }", {"nik": BUDI},
            (Role.ADMIN, f"replica-{n}@padu.test"),
        )  # fmt: skip
        assert read["data"] == {"resident": {"fullName": "Budi Santoso"}}
    log = await replicas.ask(
        1, "query($nik: NIK) { auditLog(filter: {residentNik: $nik}, first: 100) "
        "{ nodes { actor } } }", {"nik": BUDI}, admin,
    )  # fmt: skip
    actors = {entry["actor"] for entry in log["data"]["auditLog"]["nodes"]}
    assert {f"replica-{n}@padu.test" for n in range(REPLICAS)} <= actors


# --- Two dispatchers over one outbox, in this process ---------------------------------------

# A write is bounded by 0.25 s for a connection and 0.25 s a statement: a lease of 2.25 s.
TIGHT = {
    **TEST_SETTINGS,
    "outbox": {"poll_seconds": 0.05, "retry_base_seconds": 0.05, "retry_max_seconds": 0.2},
    "sources": {
        name: {"connect_timeout": 0.25, "statement_timeout": 0.25}
        for name in ("population", "service_requests", "performance", "learning")
    },
    "state": {"connect_timeout": 0.25, "statement_timeout": 0.25},
}
SLOW_DELIVERIES = 16
SLOW_SECONDS = 0.2  # each within one write's bound; together longer than one lease


async def test_deliveries_are_shared_and_none_is_made_by_two_dispatchers(
    server_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = parse_config(TIGHT, "test.toml", {})
    dsns = await fresh_databases(server_dsn)
    made: Counter[tuple[int, str]] = Counter()  # (dispatcher, effect key)
    replicas = [Sources.create(config, dsns) for _ in range(2)]

    async def slow(sources: Sources, key: str, payload: dict[str, Any]) -> None:
        made[next(n for n, r in enumerate(replicas) if r is sources), key] += 1
        await asyncio.sleep(SLOW_SECONDS)

    monkeypatch.setitem(HANDLERS, "slow", slow)
    dispatchers = [Dispatcher(sources, config) for sources in replicas]
    assert dispatchers[0].lease < SLOW_DELIVERIES * SLOW_SECONDS
    keys = [f"slow:{n}" for n in range(SLOW_DELIVERIES)]
    try:
        for sources in replicas:
            await sources.start()
        outbox = replicas[0].state.outbox
        await replicas[0].state.migrate()
        effects = [Effect(key, "performance", "slow", {}, "test:slow") for key in keys]
        await outbox.begin_mutation(
            key="slow-burst", mutation="test", fingerprint="-", actor_role="admin",
            actor=ADMIN_ID, owning_source="performance", subject="test:slow", effects=effects,
        )  # fmt: skip
        for dispatcher in dispatchers:
            await dispatcher.start()
        await outbox.finish_mutation("slow-burst", committed=True, result={})
        dispatchers[0].wake()
        done = await eventually(
            lambda: outbox.list_deliveries(["delivered"], 100, None),
            lambda done: len(done) == SLOW_DELIVERIES,
        )
    finally:
        for dispatcher in dispatchers:
            await dispatcher.stop()
        for sources in replicas:
            await sources.stop()
        await drop_databases(server_dsn, dsns)
    assert Counter(key for _, key in made.elements()) == dict.fromkeys(keys, 1)
    assert [(r.effect_key, r.attempts) for r in done] == [(key, 1) for key in keys]
    assert {dispatcher for dispatcher, _ in made} == {0, 1}  # both took a share
