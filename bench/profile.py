"""Where one query's CPU time goes inside Padu, per category, in microseconds per request.

    .venv/bin/python -m bench.profile                 # Q1, Q2, Q3, Q4 on the demo data
    .venv/bin/python -m bench.profile --query Q2 --requests 500
    .venv/bin/python -m bench.profile --query Q1 --unique    # Q5: a new text each request
    .venv/bin/python -m bench.profile --query '{ districts { name } }' --role dashboard

Padu runs in this process over the sources of ``PADU_*_DSN`` (as ``padu serve``), or over the
embedded demo data when none is set (run ``make run`` once to seed it). Requests go straight
to the ASGI app (no sockets, no uvicorn HTTP parsing, which the load benchmark includes) with
an admin token, warm caches and the benchmark's limits. Each query runs twice: once timed
without a profiler (wall and CPU per request), once under cProfile, whose own time per
function is put into categories by module (a built-in's time goes to whoever called it) and
scaled to the unprofiled CPU. PostgreSQL's own time is not in these numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bench.run import Q1, Q2, Q3, Q4, SECRET

QUERIES = {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4}
SOURCES = ("population", "service_requests", "performance", "learning")

# (category, fragments of a code file's path, or of a built-in's name); the first match wins.
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("JWT + principal", ("/jwt/", "padu/auth.py", "padu/principal.py")),
    (
        "validation",
        (
            "graphql/validation/",
            "graphql/utilities/",
            "graphql/language/visitor.py",
            "padu/validation_cache.py",
        ),
    ),
    ("parsing", ("graphql/language/",)),
    (
        "limits (cost, depth, fairness, caps)",
        (
            "padu/limits.py",
            "padu/cost.py",
            "padu/fairness.py",
            "padu/response_cap.py",
            "padu/schema/input_checks.py",
            "padu/connections.py",
        ),
    ),
    ("audit (entries, hashes, INSERT)", ("padu/access/audit.py", "padu/sources/state.py", "hmac")),
    ("cursors (sealing, paging)", ("padu/resolvers/pagination.py", "/cryptography/")),
    (
        "compiled walk (plan, policy, coercion)",
        (
            "padu/compiled.py",
            "padu/access/gate.py",
            "padu/access/policy.py",
            "graphql/execution/",
            "graphql/pyutils/",
            "graphql/type/",
        ),
    ),
    (
        "sources: SQL text, rows to records",
        (
            "padu/sources/",
            "padu/loaders/",
            "aiodataloader",
            "dataclasses.py",
            "enum.py",
            "padu/resolvers/",
        ),
    ),
    ("asyncpg (protocol, pool)", ("asyncpg",)),
    (
        "Strawberry execute, extensions, context",
        (
            "strawberry/schema/",
            "strawberry/extensions/",
            "strawberry/types/",
            "strawberry/utils/",
            "padu/context.py",
            "padu/access/",
            "padu/schema/",
        ),
    ),
    (
        "HTTP view, middleware, JSON",
        (
            "starlette/",
            "strawberry/http/",
            "strawberry/asgi/",
            "strawberry/",
            "padu/view.py",
            "padu/middleware.py",
            "padu/serving.py",
            "padu/graphql_errors.py",
            "orjson",
            "cross_web",
            "padu/app.py",
            "json/",
        ),
    ),
    ("event loop, tasks, GC", ("asyncio/", "uvloop", "contextvars", "selectors", "gc")),
]


def category(path: str) -> str:
    for name, fragments in CATEGORIES:
        if any(fragment in path for fragment in fragments):
            return name
    return "other"


def breakdown(stats: pstats.Stats, unplaced: dict[str, float]) -> dict[str, float]:
    """Own time per category; a built-in's own time is split among its callers' categories.
    What no category takes is added to ``unplaced`` by function, for ``--other``."""
    seconds: dict[str, float] = defaultdict(float)
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]

    def add(where: str, label: str, own: float) -> None:
        named = category(where)
        seconds[named] += own
        if named == "other":
            unplaced[label] = unplaced.get(label, 0.0) + own

    for (file, line, name), (_, _, own, _, callers) in table.items():
        if file != "~":
            add(file, f"{file}:{line} {name}", own)
            continue
        if category(name) != "other" or not callers:
            add(name, name, own)
            continue
        for (caller_file, caller_line, caller_name), (_, _, share, _) in callers.items():
            where = caller_name if caller_file == "~" else caller_file
            add(where, f"{name} from {caller_file}:{caller_line} {caller_name}", share)
    return seconds


def settings_file(folder: Path) -> Path:
    """A development configuration like the benchmark's, over PADU_*_DSN or the embedded demo."""
    given = all(f"PADU_{s.upper()}_DSN" in os.environ for s in SOURCES)
    sources = "".join(
        f'[sources.{s}]\ndsn = "${{PADU_{s.upper()}_DSN}}"\npool_max = 4\n' for s in SOURCES
    )
    repository = Path(__file__).resolve().parents[1]
    state_dir = folder if given else repository / ".padu"
    config = folder / "padu.toml"
    config.write_text(
        f'[padu]\nmode = "development"\nstate_dir = "{state_dir}"\n'
        f'[auth]\nhs256_secret = "{SECRET}"\n[audit]\nhash_key = "{SECRET}"\n'
        "[limits]\nmax_cost = 100000\nmax_page_size = 1000\nmax_concurrent_per_caller = 10000\n"
        "pool_share_per_caller = 1.0\n" + (sources if given else "")
    )
    return config


class Client:
    """POSTs to the ASGI app directly: one request's whole server-side path, no socket."""

    def __init__(self, app: Callable[..., Awaitable[None]], token: str) -> None:
        self.app = app
        self.headers = [
            (b"host", b"padu.bench"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
        ]

    async def post(self, body: bytes) -> tuple[int, bytes]:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": "/graphql", "raw_path": b"/graphql",
            "root_path": "", "query_string": b"", "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "headers": [*self.headers, (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client stays connected
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


class Bodies:
    """The request bodies of one query: the same each time, or (``unique``) each with a new
    comment first, as the load benchmark's Q5 sends them."""

    def __init__(self, query: str, variables: dict[str, str], unique: bool) -> None:
        self.query = query
        self.variables = variables
        self.unique = unique
        self.sent = 0
        self.fixed = orjson.dumps({"query": query, "variables": variables})

    def next(self) -> bytes:
        if not self.unique:
            return self.fixed
        self.sent += 1
        return orjson.dumps({"query": f"# {self.sent}\n{self.query}", "variables": self.variables})


async def measure(client: Client, bodies: Bodies, requests: int) -> tuple[float, float]:
    """Wall and CPU microseconds per request, sequentially."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        await client.post(bodies.next())
    return (
        (time.perf_counter() - wall) / requests * 1e6,
        (time.process_time() - cpu) / requests * 1e6,
    )


async def profile(
    names: list[str], requests: int, role: str, subject: str, other: int, top: int, unique: bool
) -> None:
    from padu.app import create_app
    from padu.auth import mint_dev_token
    from padu.config import load_config
    from padu.principal import Role
    from padu.sources.hosting import source_dsns

    folder = Path(tempfile.mkdtemp())
    config = load_config({**os.environ, "PADU_CONFIG": str(settings_file(folder))})
    dsns = await source_dsns(config)
    app = create_app(config, dsns)
    token = mint_dev_token(config.auth, config.state_dir, Role(role), subject)
    async with app.router.lifespan_context(app):
        client = Client(app, token)
        nik = await _a_nik(client)
        for name in names:
            query = QUERIES.get(name, name)
            variables = {"nik": nik} if "$nik" in query else {}
            bodies = Bodies(query, variables, unique)
            status, answer = await client.post(bodies.next())
            parsed = orjson.loads(answer)
            if status != 200 or "errors" in parsed:
                raise SystemExit(f"{name} failed ({status}): {answer[:400]!r}")
            for _ in range(max(20, requests // 10)):  # warm: plans, caches, pools
                await client.post(bodies.next())
            gc.collect()
            wall, cpu = await measure(client, bodies, requests)
            profiler = cProfile.Profile()
            profiler.enable()
            await measure(client, bodies, requests)
            profiler.disable()
            unplaced: dict[str, float] = {}
            seconds = breakdown(pstats.Stats(profiler), unplaced)
            report(name, requests, wall, cpu, seconds)
            scale = cpu / sum(seconds.values()) if seconds else 0.0
            for label in sorted(unplaced, key=lambda k: -unplaced[k])[:other]:
                print(f"      other: {unplaced[label] * scale:7.0f} µs  {label[-110:]}")
            if top:
                table: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
                ranked = sorted(table.items(), key=lambda item: -item[1][2])[:top]
                for (file, line, function), (_, calls, own, _, _) in ranked:
                    where = f"{file[-50:]}:{line} {function}"
                    print(f"      top: {own * scale:7.0f} µs  "
                          f"{calls / requests:8.1f} calls  {where}")  # fmt: skip


async def _a_nik(client: Client) -> str:
    body = orjson.dumps({"query": "{ residents(first: 1) { nodes { nik } } }"})
    _, answer = await client.post(body)
    nik: str = orjson.loads(answer)["data"]["residents"]["nodes"][0]["nik"]
    return nik


def report(name: str, requests: int, wall: float, cpu: float, seconds: dict[str, float]) -> None:
    profiled = sum(seconds.values())
    print(f"\n{name if name in QUERIES else 'query'}: {requests} requests, sequential, in process")
    print(f"  wall {wall:8.0f} µs/request   CPU {cpu:8.0f} µs/request (PostgreSQL's not included)")
    order = [n for n, _ in CATEGORIES] + ["other"]
    for category_name in sorted(seconds, key=lambda c: (-seconds[c], order.index(c))):
        share = seconds[category_name] / profiled if profiled else 0.0
        print(f"  {share * cpu:8.0f} µs  {share:6.1%}  {category_name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", action="append", help="Q1..Q4 or a query text (repeatable)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--role", default="admin")
    parser.add_argument("--subject", default="bench")
    parser.add_argument("--other", type=int, default=0, help="list the N largest in 'other'")
    parser.add_argument("--top", type=int, default=0, help="list the N functions costing most")
    parser.add_argument(
        "--unique", action="store_true", help="a new comment atop each request's text (as Q5)"
    )
    args = parser.parse_args()
    import uvloop  # as padu serve runs (uvicorn[standard])

    names = args.query or list(QUERIES)
    uvloop.run(
        profile(names, args.requests, args.role, args.subject, args.other, args.top, args.unique)
    )


if __name__ == "__main__":
    main()
