"""e-Pembayaran, shipped as configuration only: its demo data on either engine, served from the
declaration in the repository's padu.toml, with the six systems in one query."""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from padu.config import ConfigError, parse_config
from padu.declared.catalogue import field_kinds
from padu.principal import Role
from padu.sources.demo.applications import seed_application
from padu.sources.embedded import drop_database, ensure_database, with_database
from tests.conftest import TEST_SETTINGS, GraphQL, poster, serving
from tests.data import AGUS, BUDI, SITI
from tests.padu_process import free_port
from tests.sources.mariadb import admin, execute, fresh_database

SHIPPED = tomllib.loads((Path(__file__).parents[2] / "padu.toml").read_text())
APPLICATIONS = {"e_pembayaran": SHIPPED["applications"]["e_pembayaran"]}
PAYMENTS_OF_SIX = "SELECT count(*) AS n, count(DISTINCT nik) AS people FROM pembayaran"


@pytest_asyncio.fixture(scope="module", params=["postgres", "mysql"])
async def payments_dsn(
    request: pytest.FixtureRequest, server_dsn: str, dsns: dict[str, str]
) -> AsyncIterator[str]:
    """e-Pembayaran's database seeded with its bundled demo over the test residents."""
    if request.param == "mysql":
        async with fresh_database() as dsn:
            await seed_application("e_pembayaran", "mysql", dsn, dsns["population"])
            yield dsn
        return
    name = f"padu_payments_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_dsn, name)
    dsn = with_database(server_dsn, name)
    await seed_application("e_pembayaran", "mysql", dsn, dsns["population"])  # hosted embedded
    yield dsn
    await drop_database(server_dsn, name)


async def rows(dsn: str, query: str) -> list[dict[str, Any]]:
    if dsn.startswith("mysql://"):
        connection = await admin()
        try:
            return await execute(connection, f"USE {dsn.rsplit('/', 1)[1]}", query)
        finally:
            await connection.ensure_closed()
    pg = await asyncpg.connect(dsn)
    try:
        return [dict(r) for r in await pg.fetch(query)]
    finally:
        await pg.close()


async def test_the_demo_is_deterministic_and_names_only_known_residents(
    payments_dsn: str, dsns: dict[str, str]
) -> None:
    first = await rows(payments_dsn, "SELECT * FROM pembayaran ORDER BY id_pembayaran")
    residents = {r["nik"] for r in await rows(dsns["population"], "SELECT nik FROM penduduk")}
    assert {r["nik"] for r in first} == residents  # PBB for every resident
    assert len(first) > len(residents)  # and fees for some
    kind = "mysql" if payments_dsn.startswith("mysql://") else "postgres"
    await seed_application("e_pembayaran", kind, payments_dsn, dsns["population"])
    assert await rows(payments_dsn, "SELECT * FROM pembayaran ORDER BY id_pembayaran") == first


@pytest_asyncio.fixture(scope="module")
async def ask(dsns: dict[str, str], payments_dsn: str) -> AsyncIterator[GraphQL]:
    kind = "mysql" if payments_dsn.startswith("mysql://") else "postgres"
    settings = {
        **TEST_SETTINGS,
        "sources": {"payments": {"kind": kind, "dsn": payments_dsn}},
        "applications": APPLICATIONS,
    }
    config = parse_config(settings, "padu.toml", {})
    async with serving(config, {**dsns, "payments": payments_dsn}) as http:
        yield poster(http, config)


SIX_SYSTEMS = """query($nik: NIK!) { resident(nik: $nik) {
  fullName family { members { fullName } }
  payments(first: 5) { totalCount nodes { kind period amount status resident { fullName } } }
  serviceRequests(first: 2) { nodes { ticketNumber assignee {
    fullName performance(year: 2026, quarter: 1) { predicate }
    learning(year: 2026) { jpCompleted compliant } } } } } }"""


async def test_one_query_spans_the_core_systems_and_e_pembayaran(ask: GraphQL) -> None:
    body = await ask(SIX_SYSTEMS, {"nik": BUDI})
    assert "errors" not in body, body
    budi = body["data"]["resident"]
    assert budi["payments"]["totalCount"] >= 1
    assert {p["resident"]["fullName"] for p in budi["payments"]["nodes"]} == {"Budi Santoso"}
    assert budi["serviceRequests"]["nodes"][0]["assignee"]["learning"] == {
        "jpCompleted": 22, "compliant": True,
    }  # fmt: skip
    trips = {name: s["roundTrips"] for name, s in body["extensions"]["sources"].items()}
    assert trips["payments"] == 1  # the resident's payments, and nothing else from it
    assert trips["learning"] == 1 and trips["service_requests"] == 1


async def test_a_citizen_sees_only_their_own_payments(ask: GraphQL, payments_dsn: str) -> None:
    body = await ask(
        "{ payments(first: 100) { totalCount nodes { nik } } }", as_=(Role.CITIZEN, SITI)
    )
    own = await rows(payments_dsn, f"SELECT id_pembayaran FROM pembayaran WHERE nik = '{SITI}'")
    assert body["data"]["payments"]["totalCount"] == len(own)
    assert {n["nik"] for n in body["data"]["payments"]["nodes"]} == {SITI}
    officer = await ask("{ payments(first: 1) { nodes { nik amount } } }", as_=(Role.OFFICER, AGUS))
    [seen] = officer["data"]["payments"]["nodes"]
    assert "*" in seen["nik"] and seen["amount"] > 0


async def test_with_e_pembayaran_down_the_other_systems_still_answer(dsns: dict[str, str]) -> None:
    """Down at start-up: Padu starts (the declared types need no catalogue), payments are null
    with SOURCE_UNAVAILABLE at their path, and the rest of the answer stands."""
    closed = f"mysql://root@127.0.0.1:{free_port()}/nowhere"
    source = {"kind": "mysql", "dsn": closed, "connect_timeout": 0.5}
    settings = {**TEST_SETTINGS, "sources": {"payments": source}, "applications": APPLICATIONS}
    config = parse_config(settings, "padu.toml", {})
    async with serving(config, {**dsns, "payments": closed}) as http:
        health = await http.get("/healthz")
        assert health.status_code == 503
        assert health.json()["sources"]["payments"]["status"] == "down"
        assert health.json()["sources"]["population"]["status"] == "up"
        body = await poster(http, config)(
            "query($nik: NIK!) { resident(nik: $nik) { fullName payments { totalCount } } }",
            {"nik": BUDI},
        )
    assert body["data"] == {"resident": {"fullName": "Budi Santoso", "payments": None}}
    [error] = body["errors"]
    assert error["path"] == ["resident", "payments"]
    assert error["extensions"]["code"] == "SOURCE_UNAVAILABLE"
    assert error["extensions"]["source"] == "payments"


async def test_before_its_demo_is_seeded_the_check_says_how_to_seed_it() -> None:
    class Unseeded:  # the embedded database, before the first `make run`
        async def columns(self, table: str) -> dict[str, str]:
            return {}

    settings = {
        **TEST_SETTINGS,
        "sources": {"payments": {"kind": "mysql"}},
        "applications": APPLICATIONS,
    }
    config = parse_config(settings, "padu.toml", {})
    with pytest.raises(ConfigError) as stopped:
        await field_kinds(config, {"payments": Unseeded()})
    assert stopped.value.key == "applications.e_pembayaran.types.Payment.table"
    assert stopped.value.reason == (
        "source payments has no table `pembayaran` yet: its bundled demo data (e_pembayaran) "
        "is loaded by the first `make run` (or `padu seed`)"
    )
