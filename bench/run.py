"""Benchmark: Padu, PostGraphile and a hand-written baseline on the same databases, side by side.

    make bench            # or: .venv/bin/python -m bench.run --duration 10 --rounds 2

Needs the source DSNs in the environment (PADU_POPULATION_DSN, ..., as for ``padu serve``),
``wrk`` and PostGraphile (``npm ci`` in bench/; ``make bench`` installs both). Every server
runs one worker per core with at most 4 connections per database per worker (all of them
together stay under PostgreSQL's default of 100 connections). Before measuring, the raw baseline's answers are checked to be
the very JSON Padu gives. Then, round after round, each query runs on each target in turn:
a warm-up that is discarded, then wrk with a fixed duration and connection count. The table
gives throughput, latency, CPU time per request (the server's processes and PostgreSQL's,
from /proc), source round trips and the largest worker's resident set, averaged over rounds.
With ``--soak S`` Padu then serves the deep query for S seconds and its memory is sampled.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
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
Q4 = """{ serviceRequests(first: 1000) { nodes { id ticketNumber category status title submittedAt
  dueAt overdue } } }"""

# The same work asked of PostGraphile, in the names it derives from the source tables.
PG_Q1 = "{ allPenduduks(first: 50) { nodes { nik namaLengkap jenisKelamin tanggalLahir pekerjaan noKk } } }"
PG_Q2 = """query($nik: String!) { pendudukByNik(nik: $nik) { nik namaLengkap
  keluargaByNoKk { alamat rt rw } } }"""
PG_Q4 = """{ allPermohonans(first: 1000, orderBy: [DIBUAT_PADA_DESC, ID_PERMOHONAN_DESC]) { nodes {
  idPermohonan noTiket kodeKategori status judul dibuatPada batasWaktu selesaiPada } } }"""
POSTGRAPHILE = ROOT / "bench" / "node_modules" / ".bin" / "postgraphile"


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
    rss_mb: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pids: list[int], reaped: bool = False) -> float:
    """CPU time of ``pids``; with ``reaped``, also of their children that have exited."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
        if reaped:
            total += int(fields[13]) + int(fields[14])  # cutime + cstime
    return total / TICKS


def postgres_cpu() -> float:
    """All of PostgreSQL's CPU time so far: live backends, and those that have exited (a
    server's pool may close connections mid-run; their time moves to the postmaster)."""
    return cpu_seconds(postgres_pids(), reaped=True)


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


def wait_ready(url: str, method: str = "GET") -> None:
    body = b'{"query": "{ __typename }"}' if method == "POST" else None
    headers = {"Content-Type": "application/json"}
    for _ in range(600):
        try:
            urlopen(Request(url, data=body, method=method, headers=headers), timeout=1).read()
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
        raise SystemExit(f"{errors.group(1)} failed responses from {url} ({script})")
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
    script += 'wrk.headers["Content-Type"] = "application/json"\n'
    if token:  # PostGraphile, with no JWT configured, refuses any bearer token
        script += f'wrk.headers["Authorization"] = "Bearer {token}"\n'

    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(script)
    return path


def require_dsns() -> None:
    for name in ("POPULATION", "SERVICE_REQUESTS", "PERFORMANCE", "LEARNING"):
        if f"PADU_{name}_DSN" not in os.environ:
            raise SystemExit(f"set PADU_{name}_DSN (the benchmark never uses the embedded demo)")


def padu_config(folder: Path, workers: int, limits: str = "") -> Path:
    """A development padu.toml in ``folder`` over the PADU_*_DSN databases, pools of 4."""
    config = folder / "padu.toml"
    config.write_text(
        f'[padu]\nmode = "development"\nstate_dir = "{folder}"\n'
        f'[auth]\nhs256_secret = "{SECRET}"\n[audit]\nhash_key = "{SECRET}"\n'
        # One token stands for the benchmark's many users: no per-caller turns or pool share.
        f"[limits]\nmax_cost = 100000\nmax_page_size = 1000\nmax_concurrent_per_caller = 10000\n"
        f"pool_share_per_caller = 1.0\n{limits}"
        f"[server]\nworkers = {workers}\n"
        + "".join(f'[sources.{s}]\ndsn = "${{PADU_{s.upper()}_DSN}}"\npool_max = 4\n'
                  for s in ("population", "service_requests", "performance", "learning"))
    )  # fmt: skip
    return config


def start(command: list[str], env: dict[str, str], health: str,
          method: str = "GET") -> subprocess.Popen[bytes]:  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    wait_ready(health, method)
    return process


def round_trips(traced: dict[str, Any]) -> int:
    """Source round trips of a traced Padu answer (its own audit write not counted)."""
    sources = traced.get("extensions", {}).get("sources", {})
    return sum(s["roundTrips"] for name, s in sources.items() if name != "state")


def rss_mb(pids: list[int]) -> float:
    """The largest resident set among ``pids``, in MB."""
    largest = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        largest = max(largest, int(found.group(1)) if found else 0)
    return largest / 1024


def workers_of(process: subprocess.Popen[bytes]) -> list[int]:
    """The processes serving requests: the children when the server forks, else itself."""
    return children(process.pid) or [process.pid]


def post(url: str, body: dict[str, object], token: str, trace: bool = False) -> dict[str, Any]:
    """POST ``body``; the answer, which must hold no errors (``trace``: Padu's source trace)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if trace:
        headers["X-Padu-Trace"] = "1"
    request = Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    answer: dict[str, Any] = json.loads(urlopen(request).read())
    assert "errors" not in answer, answer
    return answer


@contextmanager
def running(processes: dict[str, subprocess.Popen[bytes]]) -> Iterator[None]:
    """Stop ``processes`` (and their workers) when the block ends."""
    try:
        yield
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def measure(
    name: str, target: str, process: subprocess.Popen[bytes], url: str, script: Path | None,
    trips: int | str, args: argparse.Namespace,
) -> Result:  # fmt: skip
    wrk(url, script, args.warmup, args.connections)  # warm-up, discarded
    pids = [process.pid, *children(process.pid)]
    before = cpu_seconds(pids), postgres_cpu()
    rps, p50, p99, count = wrk(url, script, args.duration, args.connections)
    after = cpu_seconds(pids), postgres_cpu()
    return Result(name, target, rps, p50, p99, (after[0] - before[0]) / count * 1000,
                  (after[1] - before[1]) / count * 1000, trips, rss_mb(workers_of(process)))  # fmt: skip


def averaged(results: list[Result]) -> list[Result]:
    """One row per (query, target): the mean of its rounds, in first-seen order."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.query, r.target), []).append(r)
    rows = []
    for runs in groups.values():
        n = len(runs)
        first = runs[0]
        rows.append(Result(first.query, first.target, sum(r.rps for r in runs) / n,
                           sum(r.p50 for r in runs) / n, sum(r.p99 for r in runs) / n,
                           sum(r.cpu_server for r in runs) / n, sum(r.cpu_postgres for r in runs) / n,
                           first.round_trips, max(r.rss_mb for r in runs)))  # fmt: skip
    return rows


def print_table(rows: list[Result]) -> None:
    raw = {r.query: r for r in rows if r.target == "raw"}
    pgl = {r.query: r for r in rows if r.target == "postgraphile"}
    print(f"\n{'query':22} {'target':12} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'CPU ms/req':>10} {'PG ms/req':>9} {'trips':>5} {'RSS MB':>6} {'vs raw':>6} "
          f"{'vs PGL':>6}")  # fmt: skip
    for r in rows:
        ratio_raw = f"{r.rps / raw[r.query].rps:.2f}" if r.query in raw else "-"
        ratio_pgl = f"{r.rps / pgl[r.query].rps:.2f}" if r.query in pgl else "-"
        print(f"{r.query:22} {r.target:12} {r.rps:7.0f} {r.p50:7.2f} {r.p99:7.2f} "
              f"{r.cpu_server:10.2f} {r.cpu_postgres:9.2f} {r.round_trips!s:>5} {r.rss_mb:6.0f} "
              f"{ratio_raw:>6} {ratio_pgl:>6}")  # fmt: skip


def soak(process: subprocess.Popen[bytes], url: str, script: Path, seconds: int,
         connections: int) -> None:  # fmt: skip
    """Serve the deep query for ``seconds``; print throughput and each worker's memory."""
    print(f"\nsoak: Q3 for {seconds}s, resident set per Padu worker (MB)")
    workers = workers_of(process)
    start = [rss_mb([pid]) for pid in workers]
    print(f"  {0:4d}s  {'':>8}  " + "  ".join(f"{m:6.1f}" for m in start))
    step = 30
    for elapsed in range(step, seconds + 1, step):
        rps, _, _, _ = wrk(url, script, step, connections)
        print(f"  {elapsed:4d}s  {rps:6.0f}/s  "
              + "  ".join(f"{rss_mb([pid]):6.1f}" for pid in workers))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds discarded before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds, averaged")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes per server")  # fmt: skip
    parser.add_argument("--soak", type=int, default=0, help="then serve Q3 this long (s)")
    parser.add_argument("--only", default="", help="query names to run, e.g. Q1,Q3")
    args = parser.parse_args()
    require_dsns()
    if not POSTGRAPHILE.exists():
        raise SystemExit("PostGraphile is missing: run `npm ci` in bench/ (make bench does)")

    folder = Path(tempfile.mkdtemp())
    config = padu_config(folder, args.workers)
    padu_port, raw_port, pgl_people, pgl_requests = (free_port() for _ in range(4))
    env = {**os.environ, "PADU_CONFIG": str(config), "PORT": str(padu_port)}
    sys.path.insert(0, str(ROOT))
    from padu.auth import mint_dev_token
    from padu.config import load_config
    from padu.principal import Role

    token = mint_dev_token(load_config(env).auth, folder, Role.ADMIN, "bench")
    padu_url = f"http://127.0.0.1:{padu_port}/graphql"
    raw_url = f"http://127.0.0.1:{raw_port}"
    pgl_url = {"people": f"http://127.0.0.1:{pgl_people}/graphql",
               "requests": f"http://127.0.0.1:{pgl_requests}/graphql"}  # fmt: skip

    def postgraphile(source: str, port: int) -> subprocess.Popen[bytes]:
        return start([str(POSTGRAPHILE), "-c", os.environ[f"PADU_{source.upper()}_DSN"],
                      "-s", "public", "-n", "127.0.0.1", "-p", str(port), "--disable-graphiql",
                      "--disable-query-log", "--cluster-workers", str(args.workers),
                      "--max-pool-size", "4"], env,
                     f"http://127.0.0.1:{port}/graphql", method="POST")  # fmt: skip

    # One target's servers run at a time: together their pools would pass PostgreSQL's limit.
    launch: dict[str, Callable[[], dict[str, subprocess.Popen[bytes]]]] = {
        "padu": lambda: {"padu": start(
            [sys.executable, "-m", "padu.cli", "serve", "--log-level", "warning"], env,
            f"http://127.0.0.1:{padu_port}/healthz")},
        "raw": lambda: {"raw": start(
            [sys.executable, "-m", "uvicorn", "bench.raw_baseline:app", "--loop", "uvloop",
             "--http", "httptools", "--port", str(raw_port), "--log-level", "warning",
             "--workers", str(args.workers)], env, f"{raw_url}/q1")},
        "postgraphile": lambda: {"people": postgraphile("population", pgl_people),
                                 "requests": postgraphile("service_requests", pgl_requests)},
    }  # fmt: skip

    with running(launch["raw"]()):
        nik = json.loads(urlopen(f"{raw_url}/q1").read())["data"]["residents"]["nodes"][0]["nik"]
    # name: (Padu body, raw path, raw round trips, PostGraphile (server, body), unique text)
    queries: dict[str, tuple[dict[str, Any], str, int, tuple[str, dict[str, Any]] | None, bool]] = {
        "Q1 50 residents x 6": ({"query": Q1}, "/q1", 1, ("people", {"query": PG_Q1}), False),
        "Q2 resident by NIK": ({"query": Q2, "variables": {"nik": nik}}, f"/q2?nik={nik}", 1,
                               ("people", {"query": PG_Q2, "variables": {"nik": nik}}), False),
        "Q3 deep, 4 sources": ({"query": Q3}, "/q3", 4, None, False),
        "Q4 1000 requests x 8": ({"query": Q4}, "/q4?first=1000", 1,
                                 ("requests", {"query": PG_Q4}), False),
        "Q5 Q1, unique text": ({"query": Q1}, "/q1", 1, ("people", {"query": PG_Q1}), True),
    }  # fmt: skip
    if args.only:
        wanted = tuple(args.only.split(","))
        queries = {k: v for k, v in queries.items() if k.startswith(wanted)}

    # The raw baseline must answer with Padu's very JSON; PostGraphile without errors.
    padu_trips = {}
    with running({**launch["padu"](), **launch["raw"]()}):
        for name, (body, raw_path, _, _, _) in queries.items():
            answer = post(padu_url, body, token, trace=True)
            if {"data": answer["data"]} != json.loads(urlopen(raw_url + raw_path).read()):
                raise SystemExit(f"{name}: the raw baseline's JSON differs from Padu's")
            padu_trips[name] = round_trips(answer)
    with running(launch["postgraphile"]()):
        for _, _, _, pgl_query, _ in queries.values():
            if pgl_query is not None:
                post(pgl_url[pgl_query[0]], pgl_query[1], "")

    # target: [(query, server, url, wrk script, round trips)]
    plan: dict[str, list[tuple[str, str, str, Path | None, int | str]]] = {
        "padu": [], "postgraphile": [], "raw": []}  # fmt: skip
    for name, (body, raw_path, raw_trips, pgl_query, unique) in queries.items():
        plan["padu"].append(
            (name, "padu", padu_url, lua_post(body, token, unique), padu_trips[name])
        )
        if pgl_query is not None:
            server = pgl_query[0]
            plan["postgraphile"].append(
                (name, server, pgl_url[server], lua_post(pgl_query[1], "", unique), "-")
            )
        plan["raw"].append((name, "raw", raw_url + raw_path, None, raw_trips))  # fmt: skip
    results = []
    for round_ in range(args.rounds):
        order = list(plan) if round_ % 2 == 0 else list(plan)[::-1]  # alternate the order
        for target in order:
            processes = launch[target]()
            with running(processes):
                for name, server, url, script, trips in plan[target]:
                    results.append(
                        measure(name, target, processes[server], url, script, trips, args)
                    )
    rows = averaged(results)
    names = list(queries)
    rows.sort(key=lambda r: (names.index(r.query), list(plan).index(r.target)))
    print_table(rows)
    print(
        f"\n{args.connections} connections, {args.duration}s runs after {args.warmup}s warm-up, "
        f"{args.rounds} alternating round(s) averaged, wrk over loopback; {args.workers} "
        f"worker(s) per server; {os.cpu_count()} cores shared by servers, PostgreSQL and wrk."
    )
    if args.soak:
        processes = launch["padu"]()
        with running(processes):
            soak(processes["padu"], padu_url, lua_post({"query": Q3}, token, False), args.soak,
                 args.connections)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
