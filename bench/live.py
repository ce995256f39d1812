"""Benchmark: dashboard aggregates and live updates, each beside its baseline.

    .venv/bin/python -m bench.live            # needs PADU_*_DSN of seeded databases

1. Each dashboard figure answered by Padu over HTTP, beside the same source SQL run straight
   through asyncpg (the adapter method, no GraphQL, no HTTP): median and p90 of ``--rounds``.
2. Live changes: ``--subscribers`` serviceRequestChanged subscriptions (spread over
   connections of ``--per-connection``) beside one raw ``LISTEN`` connection on the same
   channel; ``--changes`` status changes are committed straight in the database and the time
   from commit to receipt is measured for every subscriber.
3. Dashboard counters: ``--dashboards`` open dashboardCounters subscriptions; after each
   change, the time until every one of them has the new count.

Padu runs as one process (the change feed fans out within a process). CPU is that process's,
from /proc; PostgreSQL's is all of its processes'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.run import (
    ROOT,
    cpu_seconds,
    free_port,
    padu_config,
    postgres_cpu,
    require_dsns,
    rss_mb,
    running,
    start,
)

CHANNEL = "padu_permohonan"
YEAR = 2026
FIGURES = {
    "headline": "serviceLevels { total backlog overdue slaCompliance p90ResolutionHours }",
    "by status": "serviceLevelsBy(dimension: STATUS) { key levels { total } }",
    "by district": "serviceLevelsBy(dimension: DISTRICT) { key levels { total backlog } }",
    "by month": "serviceLevelsBy(dimension: MONTH) { key levels { total } }",
    "by unit": "serviceLevelsBy(dimension: UNIT) { key levels { backlog p90ResolutionHours } }",
    "top resolvers": "topResolvers(first: 10) { resolved officer { position } }",
    "performance": f"performance(year: {YEAR}) {{ period rated }}",
    "learning": f"learningCompliance(year: {YEAR}) {{ rate }}",
    "residents by age": "residentsBy(dimension: AGE_BAND) { key residents }",
}


def baselines(sources: Any) -> dict[str, Callable[[], Awaitable[object]]]:
    """The SQL behind each figure, called on the adapters directly (no GraphQL, no HTTP)."""
    from padu.sources.performance import ALL_OFFICERS, PerformancePeriod
    from padu.sources.population import ALL_RESIDENTS, ResidentDimension, ResidentFilter
    from padu.sources.service_request_stats import RequestDimension as D
    from padu.sources.service_requests import ALL_REQUESTS, RequestFilter

    requests, where = sources.service_requests.stats, RequestFilter()

    async def by_unit() -> object:
        units = await sources.performance.stats.officer_units()
        await sources.performance.units()
        return await requests.service_levels_by(D.UNIT, where, ALL_REQUESTS, units)

    async def learning() -> object:
        compliant = await sources.learning.compliant_officers(YEAR, 20)
        return await sources.performance.stats.compliance_by_unit(YEAR, compliant)

    async def top() -> object:
        found = await requests.top_resolvers(where, ALL_REQUESTS, 10)
        return await sources.performance.officers_by_nip([t.nip for t in found], ALL_OFFICERS)

    return {
        "headline": lambda: requests.service_levels(where, ALL_REQUESTS),
        # As Padu does, the p90 only where the figure shows it.
        "by status": lambda: requests.service_levels_by(
            D.STATUS, where, ALL_REQUESTS, percentile=False
        ),
        "by district": lambda: requests.service_levels_by(
            D.DISTRICT, where, ALL_REQUESTS, percentile=False
        ),
        "by month": lambda: requests.service_levels_by(
            D.MONTH, where, ALL_REQUESTS, percentile=False
        ),
        "by unit": by_unit,
        "top resolvers": top,
        "performance": lambda: sources.performance.stats.predicates_by_unit(
            YEAR, list(PerformancePeriod)[:4]
        ),
        "learning": learning,
        "residents by age": lambda: sources.population.count_residents_by(
            ResidentDimension.AGE_BAND, ResidentFilter(), ALL_RESIDENTS
        ),
    }


async def timed(call: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    await call()  # warm: plans and caches
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def aggregates(url: str, token: str, rounds: int) -> None:
    from padu.config import load_config
    from padu.sources import Sources
    from padu.sources.hosting import source_dsns

    config = load_config()
    sources = Sources.create(config, await source_dsns(config))
    await sources.start()
    direct = baselines(sources)
    print(f"\n1. Dashboard figures, ms over {rounds} rounds (median / p90)")
    print("| figure | source SQL | Padu GraphQL | Padu - SQL |\n|---|---|---|---|")
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        for name, selection in FIGURES.items():
            body = {"query": f"{{ dashboard {{ {selection} }} }}"}

            async def ask(body: dict[str, str] = body) -> object:
                answer = (await http.post(url, json=body)).json()
                assert "errors" not in answer, answer
                return answer

            sql = await timed(direct[name], rounds)
            padu = await timed(ask, rounds)
            print(f"| {name} | {statistics.median(sql):.1f} / {p(sql, 0.9):.1f} | "
                  f"{statistics.median(padu):.1f} / {p(padu, 0.9):.1f} | "
                  f"{statistics.median(padu) - statistics.median(sql):+.1f} |")  # fmt: skip
    await sources.stop()


async def subscribe(ws: ClientConnection, ident: str, query: str) -> None:
    await ws.send(json.dumps({"id": ident, "type": "subscribe", "payload": {"query": query}}))


async def open_socket(url: str, token: str) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"], max_queue=None)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init",
                              "payload": {"Authorization": f"Bearer {token}"}}))  # fmt: skip
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def set_status(conn: asyncpg.Connection, request_id: int, status: str) -> float:
    """Commit a status change, as another application would; the wall-clock time of it."""
    await conn.execute(
        "UPDATE permohonan SET status = $2 WHERE id_permohonan = $1", request_id, status
    )
    return time.time()


def summary(name: str, latencies: list[float], extra: str = "") -> None:
    print(f"| {name} | {len(latencies)} | {statistics.median(latencies):.1f} | "
          f"{p(latencies, 0.99):.1f} | {max(latencies):.1f} | {extra} |")  # fmt: skip


async def live(url: str, token: str, args: argparse.Namespace, pid: int) -> None:
    dsn = os.environ["PADU_SERVICE_REQUESTS_DSN"]
    conn = await asyncpg.connect(dsn)
    row = await conn.fetchrow(
        "SELECT id_permohonan, status FROM permohonan WHERE status IN ('verifikasi', 'proses') "
        "ORDER BY id_permohonan DESC LIMIT 1"
    )
    request_id, status = row["id_permohonan"], row["status"]
    other = "proses" if status == "verifikasi" else "verifikasi"
    writer = await asyncpg.connect(dsn)
    heard: list[float] = []
    await conn.add_listener(CHANNEL, lambda *_: heard.append(time.time()))

    changes = """subscription { serviceRequestChanged { kind status requestId
      request { ticketNumber status overdue district { name } } } }"""
    sockets = []
    for start_at in range(0, args.subscribers, args.per_connection):
        ws = await open_socket(url, token)
        for n in range(start_at, min(args.subscribers, start_at + args.per_connection)):
            await subscribe(ws, str(n), changes)
        sockets.append(ws)
    await asyncio.sleep(1)
    received: list[list[float]] = [[] for _ in sockets]

    async def drain(i: int, ws: ClientConnection) -> None:
        async for _ in ws:
            received[i].append(time.time())

    readers = [asyncio.create_task(drain(i, ws)) for i, ws in enumerate(sockets)]
    cpu, pg = cpu_seconds([pid]), postgres_cpu()
    commits = []
    for i in range(args.changes):
        commits.append(await set_status(writer, request_id, (other, status)[i % 2]))
        await asyncio.sleep(args.gap)
    await asyncio.sleep(2)
    cpu, pg = cpu_seconds([pid]) - cpu, postgres_cpu() - pg
    for task in readers:
        task.cancel()
    raw = [(h - c) * 1000 for h, c in zip(heard, commits, strict=False)]
    padu: list[float] = []
    for times in received:
        per_change = len(times) // max(1, len(commits))
        for j, commit in enumerate(commits):
            padu.extend((t - commit) * 1000 for t in times[j * per_change : (j + 1) * per_change])
    expected = args.subscribers * len(commits)
    print(f"\n2. Live changes: {args.subscribers} subscribers on {len(sockets)} connections, "
          f"{len(commits)} changes {args.gap}s apart; ms from commit to receipt")  # fmt: skip
    print("| receiver | events | p50 | p99 | max | notes |\n|---|---|---|---|---|---|")
    summary("raw LISTEN (asyncpg)", raw)
    summary("Padu subscribers", padu,
            f"{len(padu)}/{expected} delivered; Padu CPU {cpu * 1000 / len(commits):.1f} ms "
            f"and PostgreSQL {pg * 1000 / len(commits):.1f} ms per change; "
            f"RSS {rss_mb([pid]):.0f} MB")  # fmt: skip
    for ws in sockets:
        await ws.close()

    counters = "subscription { dashboardCounters { total backlog resolved } }"
    sockets = [await open_socket(url, token) for _ in range(args.dashboards)]
    for ws in sockets:
        await subscribe(ws, "c", counters)
        json.loads(await ws.recv())  # the first count
    latencies = []
    cpu, pg = cpu_seconds([pid]), postgres_cpu()
    for i in range(args.count_changes):
        # Open ↔ rejected moves the backlog and rejected counts each time.
        committed = await set_status(writer, request_id, ("ditolak", status)[i % 2])
        done = await asyncio.gather(*(asyncio.wait_for(ws.recv(), 30) for ws in sockets),
                                    return_exceptions=True)  # fmt: skip
        arrived = time.time()
        latencies.append((arrived - committed) * 1000)
        if any(isinstance(d, BaseException) for d in done):
            print("  (some dashboards did not update within 30 s)")
    cpu, pg = cpu_seconds([pid]) - cpu, postgres_cpu() - pg
    print(f"\n3. Dashboard counters: {args.dashboards} open dashboards, {args.count_changes} "
          "changes; ms from commit until every dashboard has the new count")  # fmt: skip
    print("| receiver | changes | p50 | p99 | max | notes |\n|---|---|---|---|---|---|")
    summary("all dashboards updated", latencies,
            f"Padu CPU {cpu * 1000 / len(latencies):.0f} ms and PostgreSQL "
            f"{pg * 1000 / len(latencies):.0f} ms per change")  # fmt: skip
    for ws in sockets:
        await ws.close()
    await set_status(writer, request_id, status)
    await writer.close()
    await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--per-connection", type=int, default=50)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between changes")
    parser.add_argument("--dashboards", type=int, default=20)
    parser.add_argument("--count-changes", type=int, default=10)
    parser.add_argument("--live-only", action="store_true", help="skip the dashboard figures")
    args = parser.parse_args()
    require_dsns()
    folder = Path(tempfile.mkdtemp())
    config = padu_config(folder, 1, f"max_subscriptions = {args.per_connection}\n")
    port = free_port()
    env = {**os.environ, "PADU_CONFIG": str(config), "PORT": str(port)}
    os.environ["PADU_CONFIG"] = str(config)
    sys.path.insert(0, str(ROOT))
    from padu.auth import mint_dev_token
    from padu.config import load_config
    from padu.principal import Role

    token = mint_dev_token(load_config(env).auth, folder, Role.ADMIN, "bench")
    server = start([sys.executable, "-m", "padu.cli", "serve", "--log-level", "warning"], env,
                   f"http://127.0.0.1:{port}/healthz")  # fmt: skip
    with running({"padu": server}):
        if not args.live_only:
            asyncio.run(aggregates(f"http://127.0.0.1:{port}/graphql", token, args.rounds))
        asyncio.run(live(f"ws://127.0.0.1:{port}/graphql", token, args, server.pid))
    print(f"\n{os.cpu_count()} cores shared by Padu (one process), PostgreSQL and the clients.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
