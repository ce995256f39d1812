"""Live updates over WebSocket (graphql-transport-ws), from LISTEN/NOTIFY in service_requests.

Padu runs under uvicorn on a real port and the tests speak the protocol with the
``websockets`` client; changes are made through the API and straight in the source database.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from padu.auth import mint_dev_token
from padu.config import parse_config
from padu.principal import Role
from padu.resolvers import live as live_resolvers
from tests.api.subscribing import (
    ADVANCE,
    CAP,
    CHANGES,
    COUNTERS,
    DELIVERY_SECONDS,
    RESOLVE,
    Socket,
    listening,
    submit,
)
from tests.conftest import (
    ADMIN_ID,
    TEST_SETTINGS,
    Served,
    bearer,
    drop_databases,
    eventually,
    fresh_databases,
    node_id,
    on_a_port,
)
from tests.data import AGUS, BUDI, DEWI, MAYA, SITI


async def test_resolving_through_the_api_reaches_a_subscriber_within_a_second(
    live: Served, sockets: Any
) -> None:
    admin = await sockets((Role.ADMIN, ADMIN_ID))
    sub = await admin.subscribe(CHANGES, {"f": {"kind": ["STATUS_CHANGED"]}})
    await listening(live)
    started = time.monotonic()
    body = await live.ask(RESOLVE, {"id": "2"}, (Role.OFFICER, AGUS))
    assert body["data"]["resolveServiceRequest"]["errors"] == [], body
    message = await admin.receive()
    elapsed = time.monotonic() - started
    assert message == {
        "id": sub,
        "type": "next",
        "payload": {"data": {"serviceRequestChanged": {
            "kind": "STATUS_CHANGED", "status": "RESOLVED", "previousStatus": "IN_PROGRESS",
            "requestId": node_id("ServiceRequest", 2), "request": {"ticketNumber": "LKS-2026-000002",
                                          "status": "RESOLVED", "district": {"code": "36.71.01"}},
        }}},
    }  # fmt: skip
    assert elapsed < DELIVERY_SECONDS


async def test_each_subscriber_gets_only_the_changes_its_filter_names(
    live: Served, sockets: Any
) -> None:
    admin = await sockets((Role.ADMIN, ADMIN_ID))
    cipondoh = await admin.subscribe(CHANGES, {"f": {"districtCode": "36.71.05"}})
    tangerang = await admin.subscribe(CHANGES, {"f": {"districtCode": "36.71.01"}})
    other = await sockets((Role.ADMIN, ADMIN_ID))
    diskominfo = await other.subscribe(CHANGES, {"f": {"unitCode": "DISKOMINFO"}})
    await listening(live)

    created = await submit(live, "36.71.01.1001")
    message = await admin.receive()
    assert message["id"] == tangerang
    change = message["payload"]["data"]["serviceRequestChanged"]
    assert (change["kind"], change["requestId"], change["status"]) == (
        "CREATED",
        created,
        "SUBMITTED",
    )
    assert await admin.silent()  # the Cipondoh subscription heard nothing
    assert await other.silent()  # nor the unit's: nobody is assigned yet

    assigned = await live.ask(
        "mutation($id: ID!, $nip: NIP!) { assignServiceRequest(id: $id, nip: $nip) { errors { code } } }",
        {"id": created, "nip": MAYA}, (Role.ADMIN, ADMIN_ID),
    )  # fmt: skip
    assert assigned["data"]["assignServiceRequest"]["errors"] == [], assigned
    message = await other.receive()
    assert message["id"] == diskominfo
    heard = message["payload"]["data"]["serviceRequestChanged"]
    assert (heard["kind"], heard["requestId"]) == ("ASSIGNED", created)
    message = await admin.receive()
    assert message["id"] == tangerang != cipondoh
    assert message["payload"]["data"]["serviceRequestChanged"]["kind"] == "ASSIGNED"
    assert await admin.silent()


async def test_a_change_made_by_another_application_is_heard(live: Served, sockets: Any) -> None:
    admin = await sockets((Role.ADMIN, ADMIN_ID))
    await admin.subscribe(CHANGES, {"f": {"districtCode": "36.71.05"}})
    await listening(live)
    conn = await asyncpg.connect(live.dsns["service_requests"])
    try:
        await conn.execute("UPDATE permohonan SET status = 'proses' WHERE id_permohonan = 5")
    finally:
        await conn.close()
    change = (await admin.receive())["payload"]["data"]["serviceRequestChanged"]
    assert (change["kind"], change["requestId"], change["previousStatus"], change["status"]) == (
        "STATUS_CHANGED",
        node_id("ServiceRequest", 5),
        "VERIFIED",
        "IN_PROGRESS",
    )


async def test_citizens_and_officers_hear_only_their_own_requests(
    live: Served, sockets: Any
) -> None:
    siti = await sockets((Role.CITIZEN, SITI))
    budi = await sockets((Role.CITIZEN, BUDI))
    maya = await sockets((Role.OFFICER, MAYA))
    agus = await sockets((Role.OFFICER, AGUS))
    for socket_ in (siti, budi, maya, agus):
        await socket_.subscribe(CHANGES)
    await listening(live)
    created = await submit(live, "36.71.05.1001", as_=(Role.CITIZEN, SITI))
    heard = (await siti.receive())["payload"]["data"]["serviceRequestChanged"]
    assert heard["requestId"] == created
    assert await budi.silent() and await maya.silent() and await agus.silent()
    await live.ask(
        "mutation($id: ID!, $nip: NIP!) { assignServiceRequest(id: $id, nip: $nip) { errors { code } } }",
        {"id": created, "nip": AGUS}, (Role.ADMIN, ADMIN_ID),
    )  # fmt: skip
    assert (await agus.receive())["payload"]["data"]["serviceRequestChanged"]["kind"] == "ASSIGNED"
    assert await maya.silent() and await budi.silent()


async def test_roles_are_those_of_http(live: Served, sockets: Any) -> None:
    anonymous = await sockets(None)
    sub = await anonymous.subscribe(CHANGES)
    message = await anonymous.receive()
    assert message["id"] == sub
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    officer = await sockets((Role.OFFICER, AGUS))
    await officer.subscribe(COUNTERS)
    message = await officer.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    dashboard = await sockets((Role.DASHBOARD, "mayor-office"))
    await dashboard.subscribe(
        "subscription { serviceRequestChanged { requestId request { title status } } }"
    )
    await listening(live)
    await submit(live, "36.71.01.1001")
    message = await dashboard.receive()
    change = message["payload"]["data"]["serviceRequestChanged"]
    assert change["request"] == {"title": None, "status": "SUBMITTED"}
    assert message["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_bad_token_closes_the_connection_with_the_reason(live: Served) -> None:
    async with connect(live.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": "Bearer not-a-token"}}))  # fmt: skip
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), DELIVERY_SECONDS)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason.startswith("Unauthenticated:")


async def test_subscriptions_per_connection_are_capped(live: Served, sockets: Any) -> None:
    admin = await sockets((Role.ADMIN, ADMIN_ID))
    for _ in range(CAP):
        await admin.subscribe(CHANGES)
    over = await admin.subscribe(CHANGES)
    message = await admin.receive()
    assert message["id"] == over and message["type"] == "error"
    assert message["payload"][0]["extensions"] == {"code": "SUBSCRIPTION_LIMIT", "limit": CAP}


async def test_dashboard_counters_move_when_a_request_is_resolved(
    live: Served, sockets: Any
) -> None:
    dashboard = await sockets((Role.DASHBOARD, "mayor-office"))
    await dashboard.subscribe(COUNTERS, {"f": {"districtCode": "36.71.05"}})
    first = (await dashboard.receive())["payload"]["data"]["dashboardCounters"]
    query = "query($f: DashboardFilter) { dashboard(filter: $f) { serviceLevels { total backlog resolved overdue slaCompliance } } }"
    now = await live.ask(query, {"f": {"districtCode": "36.71.05"}}, (Role.ADMIN, ADMIN_ID))
    assert first == now["data"]["dashboard"]["serviceLevels"]

    created = await submit(live, "36.71.05.1001")
    counted = (await dashboard.receive())["payload"]["data"]["dashboardCounters"]
    assert counted["total"] == first["total"] + 1
    assert counted["backlog"] == first["backlog"] + 1
    await live.ask(
        "mutation($id: ID!, $nip: NIP!) { assignServiceRequest(id: $id, nip: $nip) { errors { code } } }",
        {"id": created, "nip": AGUS}, (Role.ADMIN, ADMIN_ID),
    )  # fmt: skip
    for status in ("VERIFIED", "IN_PROGRESS"):
        moved = await live.ask(ADVANCE, {"id": created, "status": status}, (Role.OFFICER, AGUS))
        assert moved["data"]["updateServiceRequestStatus"]["errors"] == [], moved
    assert await dashboard.silent()  # assigning and working on it move none of the counters
    started = time.monotonic()
    body = await live.ask(RESOLVE, {"id": created}, (Role.OFFICER, AGUS))
    assert body["data"]["resolveServiceRequest"]["errors"] == [], body
    resolved = (await dashboard.receive())["payload"]["data"]["dashboardCounters"]
    assert time.monotonic() - started < DELIVERY_SECONDS
    assert (resolved["resolved"], resolved["backlog"]) == (
        counted["resolved"] + 1,
        counted["backlog"] - 1,
    )
    # A change in another district does not wake this dashboard.
    await submit(live, "36.71.01.1001")
    assert await dashboard.silent()


async def test_one_listening_connection_serves_every_subscriber(live: Served, sockets: Any) -> None:
    many = [await sockets((Role.ADMIN, ADMIN_ID)) for _ in range(8)]
    for socket_ in many:
        for _ in range(CAP):
            await socket_.subscribe(CHANGES, {"f": {"kind": ["CREATED"]}})
    await listening(live)
    created = await submit(live, "36.71.01.1001")
    for socket_ in many:
        heard = {
            (await socket_.receive())["payload"]["data"]["serviceRequestChanged"]["requestId"]
            for _ in range(CAP)
        }
        assert heard == {created}
    conn = await asyncpg.connect(live.dsns["service_requests"])
    try:
        listeners = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = 'padu:service_requests:changes' AND datname = current_database()"
        )
    finally:
        await conn.close()
    assert listeners == 1


async def test_events_are_audited_before_they_are_sent(live: Served, sockets: Any) -> None:
    admin = await sockets((Role.ADMIN, ADMIN_ID))
    await admin.subscribe("subscription Watch { serviceRequestChanged { request { title } } }")
    await listening(live)
    await submit(live, "36.71.05.1001", as_=(Role.CITIZEN, DEWI))
    await admin.receive()
    log = await live.ask(
        "{ auditLog(first: 5) { edges { node { operationName fields actorRole } } } }", {},
        (Role.ADMIN, ADMIN_ID),
    )  # fmt: skip
    nodes = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    assert {
        "operationName": "Watch",
        "fields": ["ServiceRequest.title"],
        "actorRole": "admin",
    } in nodes


async def test_a_burst_of_changes_makes_one_count(live: Served, sockets: Any) -> None:
    dashboard = await sockets((Role.DASHBOARD, "mayor-office"))
    await dashboard.subscribe(COUNTERS, {"f": {"districtCode": "36.71.05"}})
    await dashboard.receive()  # the count at once
    conn = await asyncpg.connect(live.dsns["service_requests"])
    try:
        for status in ("verifikasi", "ditolak", "proses", "ditolak"):
            await conn.execute("UPDATE permohonan SET status = $1 WHERE id_permohonan = 5", status)
    finally:
        await conn.close()
    counted = (await dashboard.receive(2 * DELIVERY_SECONDS))["payload"]["data"]
    query = "query($f: DashboardFilter) { dashboard(filter: $f) { serviceLevels { total backlog resolved overdue slaCompliance } } }"
    now = await live.ask(query, {"f": {"districtCode": "36.71.05"}}, (Role.ADMIN, ADMIN_ID))
    assert counted["dashboardCounters"] == now["data"]["dashboard"]["serviceLevels"]
    with pytest.raises(TimeoutError):  # four changes, one count: nothing more, even later
        await dashboard.receive(1.5)


async def test_the_feed_reconnects_after_losing_its_connection(live: Served, sockets: Any) -> None:
    admin = await sockets((Role.ADMIN, ADMIN_ID))
    await admin.subscribe(CHANGES, {"f": {"kind": ["CREATED"]}})
    await listening(live)
    conn = await asyncpg.connect(live.dsns["service_requests"])
    try:
        killed = await conn.fetch(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'padu:service_requests:changes' "
            "AND datname = current_database()"
        )
        assert len(killed) == 1
        old_pid = killed[0]["pid"]

        async def new_listeners() -> int:
            # A new backend (not the one killed, which may linger in the view for a moment)
            # whose last statement was the LISTEN: counting connections alone let the test
            # submit between the reconnect and the LISTEN, and the change went unheard.
            found: int = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                "'padu:service_requests:changes' AND datname = current_database() "
                "AND pid <> $1 AND state = 'idle' AND query LIKE 'LISTEN%'",
                old_pid,
            )
            return found

        assert await eventually(new_listeners, lambda n: n == 1, timeout=5) == 1
    finally:
        await conn.close()
    created = await submit(live, "36.71.01.1001")
    heard = (await admin.receive())["payload"]["data"]["serviceRequestChanged"]
    assert heard["requestId"] == created


async def test_without_a_feed_a_subscription_says_the_source_is_unavailable(
    server_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_resolvers, "FEED_WAIT_SECONDS", 0.3)
    config = parse_config(TEST_SETTINGS, "test.toml", {})
    created = await fresh_databases(server_dsn)
    closed_port = "postgresql://postgres@127.0.0.1:9/nowhere"
    try:
        async with (
            on_a_port(config, {**created, "service_requests": closed_port}) as address,
            connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[list-item]
        ):
            socket_ = Socket(ws)
            init = {"type": "connection_init", "payload": bearer(config, Role.ADMIN, ADMIN_ID)}
            await ws.send(json.dumps(init))
            assert (await socket_.receive())["type"] == "connection_ack"
            await socket_.subscribe(CHANGES)
            message = await socket_.receive(5)
    finally:
        await drop_databases(server_dsn, created)
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "SOURCE_UNAVAILABLE"
    assert "live changes" in errors[0]["message"]


async def test_a_connection_ends_when_its_token_expires(live: Served) -> None:
    token = mint_dev_token(live.config.auth, live.config.state_dir, Role.ADMIN, ADMIN_ID,
                           ttl_seconds=2)  # fmt: skip
    async with connect(live.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))  # fmt: skip
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await Socket(ws).subscribe(CHANGES)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4403,
        "Unauthenticated: the token expired; connect again with a fresh one",
    )


async def test_a_filter_the_role_may_not_give_refuses_the_subscription(
    live: Served, sockets: Any
) -> None:
    """A dashboard may not follow one officer's work by NIP; an admin may (as on HTTP)."""
    query = (
        "subscription($nip: NIP) { serviceRequestChanged(filter: {assigneeNip: $nip}) "
        "{ requestId } }"
    )
    dashboard = await sockets((Role.DASHBOARD, "mayor-office"))
    await dashboard.subscribe(query, {"nip": AGUS})
    message = await dashboard.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"] == {
        "code": "FORBIDDEN",
        "field": "ServiceRequestChangeFilter.assigneeNip",
    }
    assert await dashboard.receive() == {"id": message["id"], "type": "complete"}
    # Without the filter (null counts as not given) the same dashboard is served.
    served_id = await dashboard.subscribe(query, {"nip": None})
    await listening(live)
    request_id = await submit(live, "36.71.01.1001")
    message = await dashboard.receive()
    assert message == {
        "id": served_id,
        "type": "next",
        "payload": {"data": {"serviceRequestChanged": {"requestId": request_id}}},
    }
