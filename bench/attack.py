"""Attack burst: the costly queries of issue 12 against a running Padu, and its memory (RSS).

    PADU_CONFIG=padu.toml .venv/bin/python -m bench.attack --url http://127.0.0.1:8000

Not a test: it measures. First ordinary traffic (the baseline) runs for ``--seconds``, then
the attack for as long; Padu's resident set is sampled all along from /proc, and again after
``--settle`` quiet seconds. The attack mixes, from ``--workers`` concurrent clients:

- anonymous region crossings, 15 aliases deep (a 2 KB query that once answered 82 MB);
- 15 aliased dashboard figures (once enough to exhaust a pool and trip its breaker);
- nested pages with ``first`` sent as a float (once priced as the default of 20);
- the largest queries the limits allow (cost just under ``max_cost``), which run.

Each client signs in as a caller of its own; the attack's dashboard figures and pages come
from one token, as from one attacker. Anonymous queries all come from this machine's address.

The printed table gives, for each phase, the RSS before, at its peak and after it, and what
the answers were (HTTP status and error code counts). Tokens are minted with the configured
development secret (``PADU_CONFIG``), so the server must run in development mode.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

from padu.auth import mint_dev_token
from padu.config import load_config
from padu.principal import Role

# Ten levels: every village, its district's villages, theirs, and theirs again.
CROSSING = (
    "region { districts { villages { code name "
    + ("district { villages { code name " * 3)
    + "} }" * 3
    + " } } }"
)
REGION_FLOOD = "{ " + " ".join(f"r{i}: {CROSSING}" for i in range(15)) + " }"
FIGURE_FLOOD = (
    "{ dashboard { "
    + " ".join(f"f{i}: serviceLevels {{ total p90ResolutionHours }}" for i in range(15))
    + " } }"
)
FLOAT_PAGES = """query($n: Int) { serviceRequests(first: $n) { nodes { id title description
  events { status note at } resident { occupation } } } }"""
# Allowed: 2 + 13 * (1 + 16 * (4 + 1 + 16 * 2)) = 7,711 of 10,000.
LARGEST_REGION = (
    "{ region { districts { villages { code name district { villages { code name } } } } } }"
)
LARGEST_PAGE = """{ serviceRequests(first: 100) { nodes { id ticketNumber title description
  status submittedAt events { status note at } } } }"""
Ask = tuple[str, dict[str, Any], str | None]  # query, variables, who asks (None: anonymous)
ORDINARY: list[Ask] = [
    ("{ region { code name districts { code name } } }", {}, None),
    ("{ serviceRequests(first: 10) { nodes { id ticketNumber status } } }", {}, "admin"),
    ("{ dashboard { serviceLevels { total backlog overdue } } }", {}, "board"),
]
ATTACK: list[Ask] = [
    (REGION_FLOOD, {}, None),
    (FIGURE_FLOOD, {}, "attacker"),
    (FLOAT_PAGES, {"n": 100.0}, "attacker"),
    (LARGEST_REGION, {}, None),
    (LARGEST_PAGE, {}, "attacker"),
]


def rss_mb(process: psutil.Process) -> float:
    """The resident set of ``process`` in MB (serve with one worker: ``[server] workers = 1``)."""
    rss: int = process.memory_info().rss
    return rss / 1e6


def listening(port: int) -> psutil.Process:
    """The process listening on ``port``."""
    for connection in psutil.net_connections(kind="tcp"):
        listens = connection.status == psutil.CONN_LISTEN and connection.laddr.port == port
        if listens and connection.pid is not None:
            return psutil.Process(connection.pid)
    raise SystemExit(f"no process listens on port {port}; pass --pid")


class Sampler:
    """Samples a process's RSS every 50 ms while running."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.samples: list[float] = []

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.samples.append(rss_mb(self.process))
            await asyncio.sleep(0.05)


async def phase(
    process: psutil.Process,
    seconds: float,
    workers: int,
    ask: Callable[[int], Awaitable[str]],
) -> tuple[float, collections.Counter[str]]:
    """Run ``workers`` loops of ``ask`` for ``seconds``; the peak RSS and the outcomes."""
    outcomes: collections.Counter[str] = collections.Counter()
    stop, deadline = asyncio.Event(), time.monotonic() + seconds
    sampler = Sampler(process)
    sampling = asyncio.create_task(sampler.run(stop))

    async def worker(n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            outcomes[await ask(i)] += 1
            i += workers

    await asyncio.gather(*(worker(n) for n in range(workers)))
    stop.set()
    await sampling
    return max(sampler.samples), outcomes


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--pid", type=int, help="Padu's process (default: the one on the port)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--workers", type=int, default=16, help="concurrent clients")
    parser.add_argument("--settle", type=float, default=10.0, help="quiet seconds after")
    args = parser.parse_args()

    process = psutil.Process(args.pid) if args.pid else listening(httpx.URL(args.url).port or 80)
    config = load_config()
    roles = {"admin": Role.ADMIN, "board": Role.DASHBOARD, "attacker": Role.ADMIN}

    @functools.cache
    def token(who: str, client: int) -> str:
        """Each client signs in as its own caller, as separate people would."""
        subject = "bench-attacker" if who == "attacker" else f"bench-{who}-{client}"
        return mint_dev_token(config.auth, config.state_dir, roles[who], subject)

    timeout = httpx.Timeout(120.0)
    limits = httpx.Limits(max_connections=args.workers * 2)
    async with httpx.AsyncClient(base_url=args.url, timeout=timeout, limits=limits) as http:

        def asker(mix: list[Ask]) -> Callable[[int], Awaitable[str]]:
            async def ask(i: int) -> str:
                query, variables, who = mix[i % len(mix)]
                signed = f"Bearer {token(who, i % args.workers)}" if who else None
                headers = {"Authorization": signed} if signed else {}
                response = await http.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                errors = response.json().get("errors") or [{}]
                return f"{response.status_code} {errors[0].get('extensions', {}).get('code', 'ok')}"

            return ask

        await asker(ORDINARY)(0)  # warm: pools open, plans compiled
        rows = []
        for name, mix in (("baseline (ordinary queries)", ORDINARY), ("attack burst", ATTACK)):
            before = rss_mb(process)
            started = time.monotonic()
            peak, outcomes = await phase(process, args.seconds, args.workers, asker(mix))
            elapsed = time.monotonic() - started
            await asyncio.sleep(args.settle)
            rows.append((name, before, peak, rss_mb(process), sum(outcomes.values()) / elapsed))
            print(f"{name}: {dict(outcomes.most_common())}")

    print(f"\nPadu at {args.url} (pid {process.pid}), {args.workers} clients, "
          f"{args.seconds:g} s per phase, RSS after {args.settle:g} s quiet; MB")  # fmt: skip
    print("| phase | RSS before | RSS peak | RSS after | answers/s |")
    print("|---|---:|---:|---:|---:|")
    for name, before, peak, after, rate in rows:
        print(f"| {name} | {before:.0f} | {peak:.0f} | {after:.0f} | {rate:.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
