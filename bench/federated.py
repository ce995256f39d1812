"""Benchmark: the deep query (Q3) and Q1 through Hive Gateway and Apollo Gateway, beside one Padu.

    .venv/bin/python -m bench.federated          # needs PADU_*_DSN of seeded databases

In one run: single-process Padu (``--workers`` workers), then the subgraphs the queries need
(population, service_requests, performance, learning; one process each) composed and served by
each gateway in turn. For each: wrk throughput, p50/p99, CPU per request of every process
serving (Padu's and the gateway's; PostgreSQL's apart) and the source round trips per request,
counted by PostgreSQL itself (``pg_stat_database``: each statement Padu sends outside a
transaction is one, so the four source databases' commits per request are its round trips),
with the gateway's subgraph requests per query beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from bench.run import (
    Q1,
    Q3,
    ROOT,
    children,
    cpu_seconds,
    free_port,
    lua_post,
    padu_config,
    post,
    postgres_cpu,
    require_dsns,
    start,
    wrk,
)

SUBGRAPHS = ("population", "service_requests", "performance", "learning")
QUERIES = {"Q3 deep, 4 sources": Q3, "Q1 50 residents x 6": Q1}
SOURCES = ("POPULATION", "SERVICE_REQUESTS", "PERFORMANCE", "LEARNING")


async def _commits() -> int:
    """Transactions committed so far in the four source databases."""
    total = 0
    for source in SOURCES:
        dsn = os.environ[f"PADU_{source}_DSN"]
        name = urlsplit(dsn).path.lstrip("/")
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            total += await conn.fetchval(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", name
            )
        finally:
            await conn.close()
    return total


def round_trips(url: str, query: str, token: str, count: int = 50) -> float:
    """Source round trips per request, counted by PostgreSQL over ``count`` sequential ones."""
    time.sleep(11)  # what ran before is counted before this starts
    before = asyncio.run(_commits())
    for _ in range(count):
        post(url, {"query": query}, token)
    time.sleep(11)  # an idle backend publishes its counters within 10 s (PostgreSQL 15+)
    after = asyncio.run(_commits())
    return (after - before - len(SOURCES)) / count  # less this function's own four reads


@contextmanager
def stopping(processes: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    try:
        yield
    finally:
        from padu.supergraph import stop

        stop(processes)


def measure(
    label: str, url: str, pids: list[int], token: str, args: argparse.Namespace
) -> list[str]:
    rows = []
    for name, query in QUERIES.items():
        script = lua_post({"query": query}, token, False)
        trips = round_trips(url, query, token)
        wrk(url, script, args.warmup, args.connections)
        every = [p for pid in pids for p in (pid, *children(pid))]
        before = cpu_seconds(every), postgres_cpu()
        rps, p50, p99, count = wrk(url, script, args.duration, args.connections)
        after = cpu_seconds(every), postgres_cpu()
        cpu = (after[0] - before[0]) / count * 1000
        pg = (after[1] - before[1]) / count * 1000
        rows.append(
            f"| {name} | {label} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {cpu:.2f} | "
            f"{pg:.2f} | {trips:.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    require_dsns()
    sys.path.insert(0, str(ROOT))
    from padu.auth import mint_dev_token
    from padu.config import load_config
    from padu.principal import Role
    from padu.supergraph import compose, node_installed, start_gateway, start_subgraphs

    node_installed()
    folder = Path(tempfile.mkdtemp())
    config_file = padu_config(folder, args.workers)
    secret = "benchmark-only-gateway-secret-0123456789"
    env = {**os.environ, "PADU_CONFIG": str(config_file), "PADU_GATEWAY_SECRET": secret}
    config = load_config(env)
    token = mint_dev_token(config.auth, folder, Role.ADMIN, "bench")
    print("| query | served by | req/s | p50 ms | p99 ms | CPU ms/req | PG ms/req | round trips |")
    print("|---|---|---|---|---|---|---|---|", flush=True)

    port = free_port()
    alone_env = {**env, "PORT": str(port), "PADU_GATEWAY_SECRET": ""}
    command = [sys.executable, "-m", "padu.cli", "serve", "--log-level", "warning"]
    single = start(command, alone_env, f"http://127.0.0.1:{port}/healthz")
    with stopping([single]):
        measure("Padu, one process", f"http://127.0.0.1:{port}/graphql", [single.pid], token, args)

    one_worker = padu_config(folder, 1)
    parts_env = {**env, "PADU_CONFIG": str(one_worker)}
    parts, processes = start_subgraphs(SUBGRAPHS, free_port(), parts_env)
    with stopping(processes):
        composed = compose(parts, folder, parts_env)
        for gateway in ("hive", "apollo"):
            gateway_port = free_port()
            server = start_gateway(gateway, composed, gateway_port, parts_env)
            url = f"http://127.0.0.1:{gateway_port}/graphql"
            with stopping([server]):
                for _ in range(300):
                    try:
                        post(url, {"query": "{ __typename }"}, token)
                        break
                    except OSError:
                        time.sleep(0.1)
                label = f"{gateway} gateway + {len(parts)} subgraphs"
                measure(label, url, [server.pid, *(p.pid for p in processes)], token, args)
    print(
        f"\n{args.connections} connections, {args.duration}s runs after {args.warmup}s warm-up; "
        f"one process has {args.workers} worker(s), each subgraph 1; {os.cpu_count()} cores "
        "shared by Padu, the gateway, PostgreSQL and wrk. CPU: Padu's processes and the "
        "gateway's together; round trips: source-database commits per request."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
