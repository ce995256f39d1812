"""Benchmark: Padu against a hand-written baseline on the same databases, side by side.

    make bench            # or: .venv/bin/python -m bench.run --duration 10

Needs the source DSNs in the environment (PADU_POPULATION_DSN, …, as for ``padu serve``)
and ``wrk``. For each query it starts both servers once, warms up, then runs wrk with a fixed
duration and connection count, alternating targets, and prints throughput, latency, CPU time
per request (the server process's and PostgreSQL's, from /proc) and source round trips.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.request import Request, urlopen

import asyncpg  # noqa: F401  (the baseline needs it; fail early if missing)

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
SECRET = "bench-only-hs256-secret-not-for-production"

Q1 = "{ residents(first: 50) { nodes { nik fullName gender birthDate occupation familyCardNumber } } }"
Q2 = "query($nik: NIK!) { resident(nik: $nik) { nik fullName address { street rt rw } } }"
Q3 = """{ residents(first: 20) { nodes { nik serviceRequests(first: 5) { nodes { ticketNumber
  assignee { nip performance(year: 2026, quarter: 1) { predicate activityCount }
             learning(year: 2026) { jpCompleted compliant } } } } } } }"""
Q4 = """{ serviceRequests(first: 100) { nodes { id ticketNumber category status title submittedAt
  dueAt overdue } } }"""


@dataclass
class Result:
    query: str
    target: str
    rps: float
    p50: float
    p99: float
    cpu_server: float
    cpu_postgres: float
    round_trips: int | str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def children(pid: int) -> list[int]:
    """Worker processes of a server (uvicorn forks them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def wait_ready(url: str) -> None:
    for _ in range(300):
        try:
            urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def wrk(
    url: str, script: Path | None, duration: int, connections: int
) -> tuple[float, float, float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{errors.group(1)} failed responses from {url}")
    return rps, percentile("50"), percentile("99"), requests


def lua_post(body: dict[str, object], token: str, unique: bool) -> Path:
    """A wrk script POSTing ``body``; with ``unique`` every request's text differs."""
    encoded = json.dumps(body)
    if unique:  # a comment with a counter defeats any cache keyed on the query text
        head, tail = encoded.split('"query": "', 1)
        script = f"""
counter = 0
request = function()
  counter = counter + 1
  local body = '{head}"query": "# ' .. counter .. '\\\\n{tail}'
  return wrk.format("POST", "/graphql", nil, body)
end
"""
    else:
        script = f"wrk.body = [[{encoded}]]\nwrk.method = 'POST'\n"
    script += f"""wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""
    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(script)
    return path


def start(command: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    wait_ready(health)
    return process


def padu_round_trips(url: str, token: str, body: dict[str, object]) -> int:
    request = Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}",
        "X-Padu-Trace": "1"})  # fmt: skip
    answer = json.loads(urlopen(request).read())
    assert "errors" not in answer, answer
    sources = answer.get("extensions", {}).get("sources", {})
    return sum(s["roundTrips"] for name, s in sources.items() if name != "state")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds discarded before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Padu processes")
    args = parser.parse_args()
    for name in ("POPULATION", "SERVICE_REQUESTS", "PERFORMANCE", "LEARNING"):
        if f"PADU_{name}_DSN" not in os.environ:
            raise SystemExit(f"set PADU_{name}_DSN (the benchmark never uses the embedded demo)")

    folder = Path(tempfile.mkdtemp())
    config = folder / "padu.toml"
    config.write_text(
        f'[padu]\nmode = "development"\nstate_dir = "{folder}"\n'
        f'[auth]\nhs256_secret = "{SECRET}"\n[audit]\nhash_key = "{SECRET}"\n'
        f"[limits]\nmax_cost = 100000\n[server]\nworkers = {args.workers}\n"
        + "".join(f'[sources.{s}]\ndsn = "${{PADU_{s.upper()}_DSN}}"\npool_max = 16\n'
                  for s in ("population", "service_requests", "performance", "learning"))
    )  # fmt: skip
    padu_port, raw_port = free_port(), free_port()
    env = {**os.environ, "PADU_CONFIG": str(config), "PORT": str(padu_port)}
    sys.path.insert(0, str(ROOT))
    from padu.auth import mint_dev_token
    from padu.config import load_config
    from padu.principal import Role

    token = mint_dev_token(load_config(env).auth, folder, Role.ADMIN, "bench")
    padu = start([sys.executable, "-m", "padu.cli", "serve", "--log-level", "warning"], env,
                 f"http://127.0.0.1:{padu_port}/healthz")  # fmt: skip
    raw = start([sys.executable, "-m", "uvicorn", "bench.raw_baseline:app", "--loop", "uvloop",
                 "--http", "httptools", "--port", str(raw_port), "--log-level", "warning"], env,
                f"http://127.0.0.1:{raw_port}/q1")  # fmt: skip
    padu_url = f"http://127.0.0.1:{padu_port}/graphql"
    nik = json.loads(urlopen(f"http://127.0.0.1:{raw_port}/q1").read())["data"]["residents"][
        "nodes"][0]["nik"]  # fmt: skip
    queries = {
        "Q1 50 residents x 6": ({"query": Q1}, "/q1", 1, False),
        "Q2 resident by NIK": (
            {"query": Q2, "variables": {"nik": nik}},
            f"/q2?nik={nik}",
            1,
            False,
        ),
        "Q3 deep, 4 sources": ({"query": Q3}, None, "-", False),
        "Q4 100 requests x 8": ({"query": Q4}, "/q4?first=100", 1, False),
        "Q5 Q1, unique text": ({"query": Q1}, "/q1", 1, True),
    }
    results: list[Result] = []
    try:
        for name, (body, raw_path, raw_trips, unique) in queries.items():
            targets = [("padu", padu, padu_url, lua_post(body, token, unique),
                        padu_round_trips(padu_url, token, body))]  # fmt: skip
            if raw_path is not None:
                targets.append(
                    ("raw", raw, f"http://127.0.0.1:{raw_port}{raw_path}", None, raw_trips)
                )
            for target, process, url, script, trips in targets:
                wrk(url, script, args.warmup, args.connections)  # warm-up, discarded
                pg = postgres_pids()
                pids = [process.pid, *children(process.pid)]
                before = cpu_seconds(pids), cpu_seconds(pg)
                rps, p50, p99, count = wrk(url, script, args.duration, args.connections)
                after = cpu_seconds(pids), cpu_seconds(pg)
                results.append(Result(
                    name, target, rps, p50, p99, (after[0] - before[0]) / count * 1000,
                    (after[1] - before[1]) / count * 1000, trips,
                ))  # fmt: skip
    finally:
        for process in (padu, raw):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)

    raw_rps = {r.query: r.rps for r in results if r.target == "raw"}
    print(f"\n{'query':22} {'target':7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'CPU ms/req':>10} {'PG ms/req':>9} {'trips':>5} {'vs raw':>7}")  # fmt: skip
    for r in results:
        ratio = f"{r.rps / raw_rps[r.query]:.2f}" if r.query in raw_rps else "-"
        print(f"{r.query:22} {r.target:7} {r.rps:8.0f} {r.p50:8.2f} {r.p99:8.2f} "
              f"{r.cpu_server:10.2f} {r.cpu_postgres:9.2f} {r.round_trips!s:>5} "
              f"{ratio:>7}")  # fmt: skip
    print(
        f"\n{args.connections} connections, {args.duration}s runs after {args.warmup}s warm-up, "
        f"wrk over loopback; {args.workers} Padu worker(s), one baseline worker; {os.cpu_count()} cores shared."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
