"""e-Puskesmas, shipped as configuration only over a JSON web service: the demo service
(demo/e_puskesmas, its own database) runs as a separate process, Padu reaches it only over
HTTP, and one query spans all six systems."""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from padu.access.audit import keyed_hash
from padu.config import Config, parse_config
from padu.principal import Role
from padu.sources.demo.applications import seed_application, seed_web_application
from padu.sources.embedded import drop_database, ensure_database, with_database
from tests.conftest import TEST_SETTINGS, GraphQL, poster, serving
from tests.data import BUDI, SITI, TEST_AUDIT_KEY
from tests.declared.e_puskesmas import Service, running, source_settings

SHIPPED = tomllib.loads((Path(__file__).parents[2] / "padu.toml").read_text())
APPLICATIONS = {name: SHIPPED["applications"][name] for name in ("e_pembayaran", "e_puskesmas")}
VISIT = "id nik visitedOn service puskesmasCode puskesmas"


def settings(service: Service, **health: Any) -> dict[str, Any]:
    return {
        **TEST_SETTINGS,
        "sources": {"payments": {"kind": "mysql"}, "health": source_settings(service, **health)},
        "applications": APPLICATIONS,
    }


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running(tmp_path_factory.mktemp("e_puskesmas") / "kunjungan.sqlite3") as started:
        yield started


@pytest_asyncio.fixture(scope="module")
async def seeded(service: Service, dsns: dict[str, str]) -> Service:
    config = parse_config(settings(service), "padu.toml", {})
    count = await seed_web_application(
        config.sources["health"], dsns["population"], only_if_empty=False
    )
    assert count == service.ask("/demo/seed")["visits"] > 0
    return service


@pytest_asyncio.fixture(scope="module")
async def payments_dsn(server_dsn: str, dsns: dict[str, str]) -> AsyncIterator[str]:
    name = f"padu_payments_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_dsn, name)
    dsn = with_database(server_dsn, name)
    await seed_application("e_pembayaran", "mysql", dsn, dsns["population"])  # hosted embedded
    yield dsn
    await drop_database(server_dsn, name)


@pytest_asyncio.fixture(scope="module")
async def padu(
    seeded: Service, dsns: dict[str, str], payments_dsn: str
) -> AsyncIterator[tuple[Config, GraphQL]]:
    config = parse_config(settings(seeded), "padu.toml", {})
    async with serving(config, {**dsns, "payments": payments_dsn, "health": seeded.url}) as http:
        yield config, poster(http, config)


@pytest.fixture
def ask(padu: tuple[Config, GraphQL]) -> GraphQL:
    return padu[1]


def visits_of(service: Service, nik: str) -> list[dict[str, Any]]:
    answer = service.ask("/kunjungan", nik=nik, limit=500)
    assert answer["total"] == len(answer["items"])
    items: list[dict[str, Any]] = answer["items"]
    return items


def as_padu(visit: dict[str, Any]) -> dict[str, Any]:
    """A visit as Padu should serve it: declared names from the JSON paths."""
    return {
        "id": str(visit["id"]), "nik": visit["nik"], "visitedOn": visit["tanggal"],
        "service": visit["layanan"], "puskesmasCode": visit["puskesmas"]["kode"],
        "puskesmas": visit["puskesmas"]["nama"],
    }  # fmt: skip


SIX_SYSTEMS = """query($nik: NIK!) { resident(nik: $nik) {
  fullName family { members { fullName } }
  payments(first: 5) { totalCount nodes { kind period amount } }
  healthVisits(first: 5) { totalCount nodes { visitedOn service puskesmas resident { fullName } } }
  serviceRequests(first: 2) { nodes { ticketNumber assignee {
    fullName performance(year: 2026, quarter: 1) { predicate }
    learning(year: 2026) { jpCompleted compliant } } } } } }"""


async def test_one_query_spans_all_six_systems(ask: GraphQL, seeded: Service) -> None:
    body = await ask(SIX_SYSTEMS, {"nik": BUDI})
    assert "errors" not in body, body
    budi = body["data"]["resident"]
    expected = visits_of(seeded, BUDI)
    assert budi["healthVisits"]["totalCount"] == len(expected)
    assert [v["visitedOn"] for v in budi["healthVisits"]["nodes"]] == [
        v["tanggal"] for v in expected[:5]
    ]
    assert {v["resident"]["fullName"] for v in budi["healthVisits"]["nodes"]} <= {"Budi Santoso"}
    assert budi["payments"]["totalCount"] >= 1
    assert budi["serviceRequests"]["nodes"][0]["assignee"]["learning"]["compliant"] is True
    trips = {name: s["roundTrips"] for name, s in body["extensions"]["sources"].items()}
    assert trips["health"] == 1 and trips["payments"] == 1
    assert trips["learning"] == 1 and trips["service_requests"] == 1


async def test_many_residents_visits_are_one_batch_call(ask: GraphQL, seeded: Service) -> None:
    body = await ask(
        f"{{ residents(first: 6) {{ nodes {{ nik healthVisits(first: 2) {{ totalCount nodes {{ {VISIT} }} }} }} }} }}"
    )
    assert "errors" not in body, body
    assert body["extensions"]["sources"]["health"]["roundTrips"] == 1
    for resident in body["data"]["residents"]["nodes"]:
        expected = visits_of(seeded, resident["nik"])
        assert resident["healthVisits"]["totalCount"] == len(expected)
        assert resident["healthVisits"]["nodes"] == [as_padu(v) for v in expected[:2]]


async def test_without_a_batch_endpoint_each_resident_is_one_bounded_call(
    seeded: Service, dsns: dict[str, str], payments_dsn: str
) -> None:
    shipped = APPLICATIONS["e_puskesmas"]
    visit = {k: v for k, v in shipped["types"]["HealthVisit"].items() if k != "batch"}
    unbatched = {**shipped, "types": {"HealthVisit": visit}}
    config = parse_config(
        {**settings(seeded, max_concurrent=2), "applications": {"e_puskesmas": unbatched}},
        "padu.toml",
        {},
    )
    query = "{ residents(first: 6) { nodes { nik healthVisits(first: 3) { totalCount nodes { id } } } } }"
    async with serving(config, {**dsns, "payments": payments_dsn, "health": seeded.url}) as http:
        body = await poster(http, config)(query)
    assert "errors" not in body, body
    residents = body["data"]["residents"]["nodes"]
    assert body["extensions"]["sources"]["health"]["roundTrips"] == len(residents)
    for resident in residents:
        expected = visits_of(seeded, resident["nik"])
        assert resident["healthVisits"]["totalCount"] == len(expected)
        assert [n["id"] for n in resident["healthVisits"]["nodes"]] == [
            str(v["id"]) for v in expected[:3]
        ]


async def test_pages_walk_every_visit_once(ask: GraphQL, seeded: Service) -> None:
    total = seeded.ask("/kunjungan", limit=1)["total"]
    seen: list[str] = []
    after = None
    while True:
        body = await ask(
            "query($a: String) { healthVisits(first: 7, after: $a) { totalCount "
            "edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        page = body["data"]["healthVisits"]
        assert page["totalCount"] == total
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total
    assert [int(i) for i in seen] == sorted(int(i) for i in seen)


async def test_filters_reach_the_service_as_its_parameters(ask: GraphQL, seeded: Service) -> None:
    code = seeded.ask("/kunjungan", limit=1)["items"][0]["puskesmas"]["kode"]
    body = await ask(
        'query($c: String) { healthVisits(first: 100, filter: {service: "IMUNISASI", '
        "puskesmasCode: $c}) { totalCount nodes { service puskesmasCode } } }",
        {"c": code},
    )
    expected = seeded.ask("/kunjungan", layanan="IMUNISASI", puskesmas=code, limit=100)
    page = body["data"]["healthVisits"]
    assert page["totalCount"] == expected["total"]
    assert {(n["service"], n["puskesmasCode"]) for n in page["nodes"]} <= {("IMUNISASI", code)}


async def test_a_citizen_sees_only_their_own_visits_and_no_diagnosis(
    ask: GraphQL, seeded: Service
) -> None:
    citizen = (Role.CITIZEN, SITI)
    body = await ask("{ healthVisits(first: 100) { totalCount nodes { nik } } }", as_=citizen)
    assert body["data"]["healthVisits"]["totalCount"] == len(visits_of(seeded, SITI))
    assert {n["nik"] for n in body["data"]["healthVisits"]["nodes"]} <= {SITI}
    denied = await ask("{ healthVisits(first: 1) { nodes { diagnosis } } }", as_=citizen)
    assert denied["errors"][0]["extensions"] == {
        "code": "FORBIDDEN", "field": "HealthVisit.diagnosis",
    }  # fmt: skip
    admin = await ask(
        "query($n: NIK!) { resident(nik: $n) { healthVisits { nodes { diagnosis } } } }",
        {"n": SITI},
    )
    assert [n["diagnosis"] for n in admin["data"]["resident"]["healthVisits"]["nodes"]] == [
        v["diagnosis"] for v in visits_of(seeded, SITI)[:20]
    ]


async def test_dashboards_count_visits_without_personal_fields(ask: GraphQL) -> None:
    dashboard = (Role.DASHBOARD, "dashboard@padu.test")
    body = await ask('{ healthVisits(filter: {service: "LANSIA"}) { totalCount } }', as_=dashboard)
    assert body["data"]["healthVisits"]["totalCount"] >= 0
    denied = await ask("{ healthVisits(first: 1) { nodes { nik } } }", as_=dashboard)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    officer = await ask("{ healthVisits { totalCount } }", as_=(Role.OFFICER, "198503152010011001"))
    assert officer["data"] == {"healthVisits": None}
    assert officer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reading_a_visit_s_personal_fields_is_audited(
    ask: GraphQL, seeded: Service, dsns: dict[str, str]
) -> None:
    await ask(
        "query($n: NIK!) { resident(nik: $n) { healthVisits { nodes { nik diagnosis } } } }",
        {"n": BUDI},
    )
    connection = await asyncpg.connect(dsns["state"])
    try:
        rows = await connection.fetch(
            "SELECT fields FROM audit_log WHERE record_hash = $1",
            keyed_hash(TEST_AUDIT_KEY.encode(), BUDI),
        )
    finally:
        await connection.close()
    audited = {field for r in rows for field in r["fields"]}
    assert {"HealthVisit.nik", "HealthVisit.diagnosis"} <= audited
