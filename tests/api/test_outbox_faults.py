"""Durability against real failures: a source down, racing writers, a flapping source, and
the Padu process killed with SIGKILL at the worst moments. Each asserts the exact end state.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from padu.app import create_app
from padu.config import Config, parse_config
from padu.principal import Role
from tests.conftest import TEST_SETTINGS, bearer, drop_databases, eventually, fresh_databases
from tests.data import AGUS
from tests.padu_process import Padu, write_config
from tests.proxy import Proxy

FAST = {
    "outbox": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2, "poll_seconds": 0.05},
    "sources": {"performance": {"connect_timeout": 0.5, "statement_timeout": 2}},
    "limits": {"max_concurrent_per_caller": 20},  # the burst's 20 at once, from one officer
}
RESOLVE = """mutation($id: ID!, $key: String) { resolveServiceRequest(id: $id,
  resolution: "Selesai", clientMutationId: $key) { errors { code } serviceRequest { status } } }"""


async def add_open_requests(dsn: str, count: int) -> list[int]:
    """``count`` IN_PROGRESS requests assigned to Agus; returns their ids."""
    conn = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        ids = []
        for _ in range(count):
            ids.append(await conn.fetchval(
                """INSERT INTO permohonan (no_tiket, kode_kategori, status, judul, uraian,
                       nik_pemohon, kode_kelurahan, kode_kecamatan, nip_petugas, dibuat_pada,
                       batas_waktu)
                   VALUES ('T-' || nextval('permohonan_id_permohonan_seq'), 'KTP_EL', 'proses',
                           'Uji', 'Uji', '3671011505800001', '36.71.01.1001', '36.71.01', $1,
                           $2, $3)
                   RETURNING id_permohonan""",
                AGUS, now, now + timedelta(days=3),
            ))  # fmt: skip
        return ids
    finally:
        await conn.close()


async def credit_count(dsn: str) -> tuple[int, int]:
    """(credits, distinct tickets credited) in e-Kinerja for the test's tickets."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, count(DISTINCT ref_tiket) AS tickets FROM aktivitas "
            "WHERE ref_tiket LIKE 'T-%'"
        )
        return int(row["n"]), int(row["tickets"])
    finally:
        await conn.close()


async def wait_for(check: Any, expected: Any, timeout: float = 15.0) -> Any:
    """Poll ``check()`` until it returns ``expected`` or the time is up; returns the last value."""
    return await eventually(check, lambda value: value == expected, timeout)


@pytest_asyncio.fixture
async def world(server_dsn: str) -> AsyncIterator[tuple[dict[str, str], Proxy]]:
    """Fresh databases, with the performance source reached through a proxy we can stop."""
    created = await fresh_databases(server_dsn)
    proxy = Proxy(created["performance"])
    await proxy.start()
    yield created, proxy
    await proxy.stop()
    await drop_databases(server_dsn, created)


async def serve(dsns: dict[str, str], proxy: Proxy) -> tuple[Any, Config]:
    config = parse_config({**TEST_SETTINGS, **FAST}, "test.toml", {})
    return create_app(config, {**dsns, "performance": proxy.dsn}), config


async def test_performance_down_the_credit_waits_then_lands_once(
    world: tuple[dict[str, str], Proxy],
) -> None:
    dsns, proxy = world
    [request_id] = await add_open_requests(dsns["service_requests"], 1)
    await proxy.stop()
    app, config = await serve(dsns, proxy)
    officer = bearer(config, Role.OFFICER, AGUS)
    sync = (
        "query($id: ID!) { serviceRequest(id: $id) { sync { status pendingEffects lastError } } }"
    )
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p")
        async with http:
            answer = await http.post(
                "/graphql", json={"query": RESOLVE, "variables": {"id": str(request_id)}},
                headers=officer,
            )  # fmt: skip
            assert answer.json()["data"]["resolveServiceRequest"] == {
                "errors": [],
                "serviceRequest": {"status": "RESOLVED"},
            }
            await asyncio.sleep(0.5)  # several delivery attempts fail meanwhile
            pending = (await http.post("/graphql", json={"query": sync, "variables": {
                "id": str(request_id)}}, headers=officer)).json()  # fmt: skip
            state = pending["data"]["serviceRequest"]["sync"]
            assert (state["status"], state["pendingEffects"]) == ("PENDING", 1)
            assert "performance" in state["lastError"]
            assert await credit_count(dsns["performance"]) == (0, 0)
            failing = (await http.post("/graphql", json={"query": "{ deliveries(failing: true) "
                "{ totalCount nodes { kind target subject attempts lastError } } }"},
                headers=bearer(config, Role.ADMIN, "ops"))).json()["data"]["deliveries"]  # fmt: skip
            assert failing["totalCount"] == 1
            [entry] = failing["nodes"]
            assert (entry["kind"], entry["target"], entry["subject"]) == (
                "credit_activity",
                "performance",
                f"serviceRequest:{request_id}",
            )
            assert entry["attempts"] >= 2 and "performance" in entry["lastError"]
            await proxy.start()
            assert await wait_for(lambda: credit_count(dsns["performance"]), (1, 1)) == (1, 1)
            await asyncio.sleep(0.3)  # no second delivery follows
            assert await credit_count(dsns["performance"]) == (1, 1)


async def test_racing_resolutions_one_wins_the_other_gets_conflict(
    world: tuple[dict[str, str], Proxy],
) -> None:
    dsns, proxy = world
    [request_id] = await add_open_requests(dsns["service_requests"], 1)
    app, config = await serve(dsns, proxy)
    officer = bearer(config, Role.OFFICER, AGUS)
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p")
        async with http:
            answers = await asyncio.gather(*(
                http.post("/graphql", json={"query": RESOLVE, "variables": {
                    "id": str(request_id), "key": key}}, headers=officer)
                for key in ("first", "second")
            ))  # fmt: skip
            results = sorted(
                str(a.json()["data"]["resolveServiceRequest"]["errors"]) for a in answers
            )
            assert results == ["[]", "[{'code': 'CONFLICT'}]"]
            assert await wait_for(lambda: credit_count(dsns["performance"]), (1, 1)) == (1, 1)


async def test_the_same_key_twice_is_one_effect_and_the_same_answer(
    world: tuple[dict[str, str], Proxy],
) -> None:
    dsns, proxy = world
    [request_id] = await add_open_requests(dsns["service_requests"], 1)
    app, config = await serve(dsns, proxy)
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p")
        async with http:
            ask = {"query": RESOLVE, "variables": {"id": str(request_id), "key": "once"}}
            officer = bearer(config, Role.OFFICER, AGUS)
            first = (await http.post("/graphql", json=ask, headers=officer)).json()
            second = (await http.post("/graphql", json=ask, headers=officer)).json()
            assert first == second == {
                "data": {"resolveServiceRequest": {
                    "errors": [], "serviceRequest": {"status": "RESOLVED"}}}
            }  # fmt: skip
            assert await wait_for(lambda: credit_count(dsns["performance"]), (1, 1)) == (1, 1)


async def test_a_burst_of_200_with_the_source_flapping_credits_each_once(
    world: tuple[dict[str, str], Proxy],
) -> None:
    dsns, proxy = world
    ids = await add_open_requests(dsns["service_requests"], 200)
    app, config = await serve(dsns, proxy)
    officer = bearer(config, Role.OFFICER, AGUS)
    flapping = True

    async def flap() -> None:
        while flapping:
            await proxy.stop()
            await asyncio.sleep(0.1)
            await proxy.start()
            await asyncio.sleep(0.15)

    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p")
        async with http:
            flapper = asyncio.create_task(flap())
            for start in range(0, len(ids), 20):
                answers = await asyncio.gather(*(
                    http.post("/graphql", json={"query": RESOLVE, "variables": {
                        "id": str(i)}}, headers=officer)
                    for i in ids[start:start + 20]
                ))  # fmt: skip
                for answer in answers:
                    assert answer.json()["data"]["resolveServiceRequest"]["errors"] == []
            flapping = False
            await flapper  # it always ends with the source up
            assert await wait_for(
                lambda: credit_count(dsns["performance"]), (200, 200), timeout=30
            ) == (200, 200)
    conn = await asyncpg.connect(dsns["state"])
    try:  # the flapping was felt: some deliveries needed more than one try
        retried = await conn.fetchval("SELECT count(*) FROM outbox WHERE attempts > 1")
    finally:
        await conn.close()
    assert retried > 0


# --- SIGKILL: a real Padu process, killed and started again ---------------------------------


async def resolve_over_http(padu: Padu, request_id: int) -> httpx.Response:
    config = parse_config(TEST_SETTINGS, "test.toml", {})
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(
            f"{padu.url}/graphql",
            json={"query": RESOLVE, "variables": {"id": str(request_id)}},
            headers=bearer(config, Role.OFFICER, AGUS),
        )


async def test_killed_before_delivery_the_credit_lands_once_after_restart(
    world: tuple[dict[str, str], Proxy], tmp_path: Path
) -> None:
    dsns, proxy = world
    [request_id] = await add_open_requests(dsns["service_requests"], 1)
    await proxy.stop()  # e-Kinerja is down: the credit waits in the outbox
    path = write_config(tmp_path, dsns, proxy.dsn)
    first = Padu(path)
    try:
        await first.ready()
        answer = await resolve_over_http(first, request_id)
        assert answer.json()["data"]["resolveServiceRequest"]["errors"] == []
    finally:
        first.kill()
    await proxy.start()
    assert await credit_count(dsns["performance"]) == (0, 0)
    second = Padu(path)
    try:
        await second.ready()
        assert await wait_for(lambda: credit_count(dsns["performance"]), (1, 1)) == (1, 1)
        await asyncio.sleep(0.3)
        assert await credit_count(dsns["performance"]) == (1, 1)
    finally:
        second.kill()


async def test_killed_between_the_owning_write_and_the_outbox_the_credit_still_lands_once(
    world: tuple[dict[str, str], Proxy], tmp_path: Path
) -> None:
    dsns, proxy = world
    [request_id] = await add_open_requests(dsns["service_requests"], 1)
    path = write_config(tmp_path, dsns, proxy.dsn)
    doomed = Padu(path, fault="after-owning-write")
    try:
        await doomed.ready()
        with pytest.raises(httpx.TransportError):  # the process dies mid-request
            await resolve_over_http(doomed, request_id)
        assert doomed.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if doomed.process.poll() is None:
            doomed.kill()
    conn = await asyncpg.connect(dsns["service_requests"])
    try:  # the owning write committed: the request is resolved
        status = await conn.fetchval(
            "SELECT status FROM permohonan WHERE id_permohonan = $1", request_id
        )
    finally:
        await conn.close()
    assert status == "selesai"
    assert await credit_count(dsns["performance"]) == (0, 0)
    survivor = Padu(path)
    try:
        await survivor.ready()
        # The mutation is settled from the owning source once older than the slowest write.
        assert await wait_for(lambda: credit_count(dsns["performance"]), (1, 1), timeout=20) == (
            1,
            1,
        )
    finally:
        survivor.kill()
