"""The e-Puskesmas demo service, run as a child process and spoken to over HTTP only."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.padu_process import free_port

SERVICE = Path(__file__).parents[2] / "demo" / "e_puskesmas" / "service.py"
LAYANAN = {"UMUM", "KIA", "IMUNISASI", "GIGI", "LANSIA"}
# 13 districts of Kota Tangerang, then Kabupaten Tangerang (36.03) and Jakarta Selatan (31.74).
PREFIXES = [f"3671{district:02d}" for district in range(1, 14)] + ["360301", "317401"]
# PPKKCC DDMMYY SSSS; serials from 0100 stay clear of tests/data.py's residents.
RESIDENTS = [
    f"{PREFIXES[i % len(PREFIXES)]}{i % 28 + 1:02d}{i % 12 + 1:02d}{60 + i % 40:02d}{100 + i:04d}"
    for i in range(240)
]
UNSEEDED = "3671010101990999"

Visit = dict[str, Any]


@dataclass
class Running:
    """One service process: its URL, API key and the file its stderr goes to."""

    process: subprocess.Popen[bytes]
    url: str
    api_key: str
    log: Path

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
        return self.process.wait(timeout=10)


def start(folder: Path, api_key: str, *, key_from_env: bool = False) -> Running:
    """Start the service on a free port over a new database in ``folder``; wait for /health."""
    port = free_port()
    command = [sys.executable, str(SERVICE), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--database", str(folder / "e_puskesmas.sqlite")]
    env = {name: value for name, value in os.environ.items() if name != "EPUSKESMAS_API_KEY"}
    if key_from_env:
        env["EPUSKESMAS_API_KEY"] = api_key
    else:
        command += ["--api-key", api_key]
    log = folder / "service.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    running = Running(process, f"http://127.0.0.1:{port}", api_key, log)
    deadline = time.monotonic() + 15
    while process.poll() is None and time.monotonic() < deadline:
        try:
            httpx.get(f"{running.url}/health", timeout=1)
            return running
        except httpx.TransportError:
            time.sleep(0.02)
    running.stop(signal.SIGKILL)
    raise AssertionError(f"the service did not start: {log.read_text()}")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = start(tmp_path_factory.mktemp("e_puskesmas"), secrets.token_hex(16))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(service: Running) -> Iterator[httpx.Client]:
    """A client with the API key, over a service seeded with RESIDENTS."""
    headers = {"X-API-Key": service.api_key}
    with httpx.Client(base_url=service.url, headers=headers, timeout=10) as http:
        ok(http.post("/demo/seed", json={"residents": RESIDENTS}))
        yield http


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def walk(client: httpx.Client, limit: int = 7, **filters: str) -> list[Visit]:
    """Every visit matching ``filters``, page by page; checks each page's total and order."""
    visits: list[Visit] = []
    totals: set[int] = set()
    after: int | None = None
    while True:
        cursor = {} if after is None else {"after": after}
        page = ok(client.get("/kunjungan", params={**filters, "limit": limit, **cursor}))
        totals.add(page["total"])
        assert len(page["items"]) <= limit
        if not page["items"]:
            break
        visits += page["items"]
        after = page["items"][-1]["id"]
    ids = [visit["id"] for visit in visits]
    assert ids == sorted(set(ids))
    assert totals == {len(visits)}
    return visits


@pytest.fixture(scope="module")
def everything(client: httpx.Client) -> list[Visit]:
    return walk(client, limit=500)


def test_health_needs_no_key(service: Running) -> None:
    assert ok(httpx.get(f"{service.url}/health")) == {"status": "up"}


def test_announces_itself_when_ready(service: Running) -> None:
    assert f"e-Puskesmas demo service on {service.url}\n" in service.log.read_text()


def test_seed_is_deterministic(client: httpx.Client, everything: list[Visit]) -> None:
    assert [visit["id"] for visit in everything] == list(range(1, len(everything) + 1))
    # The same residents in another order, one of them twice: the same rows.
    shuffled = [*reversed(RESIDENTS), RESIDENTS[0]]
    assert ok(client.post("/demo/seed", json={"residents": shuffled})) == {
        "visits": len(everything)
    }
    assert walk(client, limit=500) == everything
    assert ok(client.get("/demo/seed")) == {"visits": len(everything)}


def test_seed_replaces_every_visit(client: httpx.Client, everything: list[Visit]) -> None:
    few = RESIDENTS[:10]
    answer = ok(client.post("/demo/seed", json={"residents": few}))
    visits = walk(client, limit=500)
    assert answer == ok(client.get("/demo/seed")) == {"visits": len(visits)}
    # The same visits of those residents, numbered afresh from 1.
    kept = [visit for visit in everything if visit["nik"] in few]
    assert visits == [{**visit, "id": number} for number, visit in enumerate(kept, start=1)]
    assert visits != []
    assert ok(client.post("/demo/seed", json={"residents": []})) == {"visits": 0}
    assert ok(client.get("/kunjungan")) == {"items": [], "total": 0}
    ok(client.post("/demo/seed", json={"residents": RESIDENTS}))
    assert walk(client, limit=500) == everything


def test_seeded_visits_belong_to_their_residents(everything: list[Visit]) -> None:
    assert len({visit["nik"] for visit in everything}) >= 0.8 * len(RESIDENTS)
    assert all(len([v for v in everything if v["nik"] == nik]) <= 4 for nik in RESIDENTS)
    # Ids follow (nik, visit number); a resident's visits are numbered by date.
    ordered = sorted(everything, key=lambda visit: (visit["nik"], visit["tanggal"]))
    assert [visit["id"] for visit in ordered] == [visit["id"] for visit in everything]
    names: dict[str, str] = {}
    for visit in everything:
        assert set(visit) == {"id", "nik", "tanggal", "layanan", "puskesmas", "diagnosis"}
        assert "2026-01-01" <= visit["tanggal"] <= "2026-11-28"
        assert visit["layanan"] in LAYANAN
        assert visit["diagnosis"]
        kode = visit["puskesmas"]["kode"]
        names.setdefault(kode, visit["puskesmas"]["nama"])
        assert names[kode] == visit["puskesmas"]["nama"]
        if visit["nik"].startswith("3671"):
            assert kode == f"PKM-{visit['nik'][:6]}0"
    assert names["PKM-3671010"] == "Puskesmas Tangerang"
    assert names["PKM-3671130"] == "Puskesmas Larangan"
    assert len(names) == 13
    assert {visit["layanan"] for visit in everything} == LAYANAN


@pytest.mark.parametrize("limit", [1, 20, 500])
def test_pages_walk_every_visit_once(
    client: httpx.Client, everything: list[Visit], limit: int
) -> None:
    assert walk(client, limit=limit) == everything


def test_page_defaults_and_ends(client: httpx.Client, everything: list[Visit]) -> None:
    assert ok(client.get("/kunjungan")) == {"items": everything[:20], "total": len(everything)}
    last = everything[-1]["id"]
    assert ok(client.get("/kunjungan", params={"after": last - 1})) == {
        "items": everything[-1:],
        "total": len(everything),
    }
    assert ok(client.get("/kunjungan", params={"after": last})) == {
        "items": [],
        "total": len(everything),
    }


FIELDS = {
    "nik": lambda visit: visit["nik"],
    "layanan": lambda visit: visit["layanan"],
    "puskesmas": lambda visit: visit["puskesmas"]["kode"],
    "tanggal": lambda visit: visit["tanggal"],
}


def matching(visits: list[Visit], filters: dict[str, str]) -> list[Visit]:
    return [v for v in visits if all(FIELDS[name](v) == value for name, value in filters.items())]


@pytest.mark.parametrize(
    "names", [("nik",), ("layanan",), ("puskesmas",), ("tanggal",), ("layanan", "puskesmas")]
)
def test_filters(client: httpx.Client, everything: list[Visit], names: tuple[str, ...]) -> None:
    sample = everything[len(everything) // 2]
    filters = {name: FIELDS[name](sample) for name in names}
    expected = matching(everything, filters)
    assert sample in expected
    assert walk(client, limit=3, **filters) == expected


@pytest.mark.parametrize("name", list(FIELDS))
def test_filter_matching_nothing(client: httpx.Client, name: str) -> None:
    assert ok(client.get("/kunjungan", params={name: "TIDAK-ADA"})) == {"items": [], "total": 0}


def batch_equals_list_calls(client: httpx.Client, keys: list[str], options: dict[str, Any]) -> Any:
    """POST /kunjungan/cari, checked group by group against GET /kunjungan?nik=key; the groups."""
    answer = ok(client.post("/kunjungan/cari", json={"by": "nik", "keys": keys, **options}))
    distinct = list(dict.fromkeys(keys))
    assert [group["key"] for group in answer["groups"]] == distinct
    params = {**options.get("where", {})}
    params |= {name: options[name] for name in ("after", "limit") if options.get(name) is not None}
    for key, group in zip(distinct, answer["groups"], strict=True):
        expected = ok(client.get("/kunjungan", params={**params, "nik": key}))
        assert group == {"key": key, **expected}
    return answer["groups"]


@pytest.mark.parametrize(
    ("names", "after_sample", "limit"),
    [
        ((), False, 20),
        ((), False, 1),
        (("layanan",), False, 2),
        (("layanan", "puskesmas"), False, 5),
        (("tanggal",), True, 500),
        ((), True, 1),
    ],
)
def test_batch_equals_one_list_call_per_key(
    client: httpx.Client,
    everything: list[Visit],
    names: tuple[str, ...],
    after_sample: bool,
    limit: int,
) -> None:
    sample = everything[len(everything) // 2]
    # Residents with and without visits, one never seeded, one key twice.
    keys = [*RESIDENTS[::4], UNSEEDED, sample["nik"], RESIDENTS[0]]
    where = {name: FIELDS[name](sample) for name in names}
    after = sample["id"] - 1 if after_sample else None
    groups = batch_equals_list_calls(client, keys, {"where": where, "after": after, "limit": limit})
    assert groups[keys.index(UNSEEDED)] == {"key": UNSEEDED, "items": [], "total": 0}
    [of_sample] = [group for group in groups if group["key"] == sample["nik"]]
    assert of_sample["total"] == len(matching(everything, {**where, "nik": sample["nik"]})) > 0
    if after_sample:
        assert of_sample["items"][0] == sample


def test_batch_options_default_like_the_list(client: httpx.Client) -> None:
    groups = batch_equals_list_calls(client, [*RESIDENTS[:20], UNSEEDED], {})
    assert sum(group["total"] for group in groups) > 0


def test_batch_of_a_thousand_keys(client: httpx.Client, everything: list[Visit]) -> None:
    keys = RESIDENTS + [f"3174019999{serial:06d}" for serial in range(1000 - len(RESIDENTS))]
    body: dict[str, Any] = {"by": "nik", "keys": keys, "where": {}, "after": None, "limit": 500}
    groups = ok(client.post("/kunjungan/cari", json=body))["groups"]
    assert len(groups) == 1000
    assert [visit for group in groups for visit in group["items"]] == sorted(
        everything, key=lambda visit: (keys.index(visit["nik"]), visit["id"])
    )


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}], ids=["missing", "wrong"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/kunjungan"),
        ("POST", "/kunjungan/cari"),
        ("GET", "/demo/seed"),
        ("POST", "/demo/seed"),
        ("GET", "/no/such/path"),
    ],
)
def test_every_endpoint_but_health_needs_the_key(
    service: Running, headers: dict[str, str], method: str, path: str
) -> None:
    body = {"by": "nik", "keys": [RESIDENTS[0]]} if method == "POST" else None
    response = httpx.request(method, f"{service.url}{path}", headers=headers, json=body)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("shoe=42", "unknown query parameter 'shoe'"),
        ("limit=0", "limit must be an integer from 1 to 500, got 0"),
        ("limit=501", "limit must be an integer from 1 to 500, got 501"),
        ("limit=ten", "limit must be an integer from 1 to 500, got 'ten'"),
        ("limit=1.5", "limit must be an integer from 1 to 500"),
        ("limit=", "limit must be an integer from 1 to 500"),
        ("after=x", "after must be an integer from 0"),
        ("after=-1", "after must be an integer from 0"),
        ("after=99999999999999999999999", "after must be an integer from 0"),
        ("limit=" + "9" * 5000, "limit must be an integer from 1 to 500"),
        ("nik=1&nik=2", "query parameter nik is given more than once"),
    ],
)
def test_bad_list_query_is_400(client: httpx.Client, query: str, reason: str) -> None:
    response = client.get(f"/kunjungan?{query}")
    assert response.status_code == 400
    assert reason in response.json()["error"]


BATCH = {"by": "nik", "keys": [RESIDENTS[0]]}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100_000, "not JSON"),
        ([BATCH], "must be a JSON object"),
        ({"keys": [RESIDENTS[0]]}, "lacks by"),
        ({**BATCH, "by": "kk"}, "by must be 'nik'"),
        ({**BATCH, "keys": RESIDENTS[0]}, "keys must be a list"),
        ({**BATCH, "keys": []}, "keys must be a list of 1 to 1000"),
        ({**BATCH, "keys": [str(n) for n in range(1001)]}, "keys must be a list of 1 to 1000"),
        ({**BATCH, "keys": [3671011203900001]}, "keys must be strings"),
        ({**BATCH, "where": ["layanan"]}, "where must be a JSON object"),
        ({**BATCH, "where": {"nik": RESIDENTS[1]}}, "unknown where key 'nik'"),
        ({**BATCH, "where": {"poli": "GIGI"}}, "unknown where key 'poli'"),
        ({**BATCH, "where": {"layanan": 1}}, "where.layanan must be a string"),
        ({**BATCH, "limit": 0}, "limit must be an integer from 1 to 500"),
        ({**BATCH, "limit": 501}, "limit must be an integer from 1 to 500"),
        ({**BATCH, "limit": "5"}, "limit must be an integer from 1 to 500"),
        ({**BATCH, "limit": True}, "limit must be an integer from 1 to 500"),
        ({**BATCH, "after": "3"}, "after must be an integer from 0"),
        ({**BATCH, "after": 2**63}, "after must be an integer from 0"),
        ({**BATCH, "first": 5}, "unknown member first"),
    ],
)
def test_bad_batch_body_is_400(client: httpx.Client, body: Any, reason: str) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/kunjungan/cari", content=content)
    assert response.status_code == 400
    assert reason in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        ({}, "lacks residents"),
        ({"residents": RESIDENTS[0]}, "residents must be a list"),
        ({"residents": ["1"] * 1_000_001}, "at most 1,000,000"),
        ({"residents": [RESIDENTS[0][:15]]}, "NIKs of 16 digits"),
        ({"residents": [RESIDENTS[0][:15] + "x"]}, "NIKs of 16 digits"),
        ({"residents": [int(RESIDENTS[0])]}, "NIKs of 16 digits"),
        ({"residents": RESIDENTS, "extra": 1}, "unknown member extra"),
    ],
)
def test_bad_seed_is_400_and_keeps_the_visits(
    client: httpx.Client, everything: list[Visit], body: Any, reason: str
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/demo/seed", content=content)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert ok(client.get("/demo/seed")) == {"visits": len(everything)}


def test_unknown_path_and_method_answer_json(client: httpx.Client) -> None:
    missing = client.get("/pasien")
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})
    wrong = client.get("/kunjungan/cari")
    assert (wrong.status_code, wrong.json()) == (405, {"error": "Method Not Allowed"})


def test_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "EPUSKESMAS_API_KEY"}
    command = [sys.executable, str(SERVICE), "--database", str(tmp_path / "db.sqlite")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "no API key: pass --api-key or set EPUSKESMAS_API_KEY" in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    running = start(tmp_path, secrets.token_hex(16), key_from_env=True)
    assert ok(httpx.get(f"{running.url}/demo/seed", headers={"X-API-Key": running.api_key})) == {
        "visits": 0
    }
    assert running.stop(stop) == 0
    assert "Traceback" not in running.log.read_text()
