"""The dashboard root: every aggregate equals an independently written query on seeded data.

The expected figures are computed here from the raw rows (fetched with plain SQL and counted
in Python), so a wrong GROUP BY, FILTER or join in the sources cannot agree by accident.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from padu.config import SOURCE_NAMES, Config
from padu.principal import Role
from padu.sources.base import Source
from padu.sources.demo import SCALES, seed
from padu.sources.performance import Predicate
from padu.sources.service_requests import RequestStatus, ServiceCategory
from tests.conftest import (
    ADMIN_ID,
    GraphQL,
    drop_databases,
    empty_databases,
    poster,
    serving,
)
from tests.data import AGUS, BUDI

WIB = timedelta(hours=7)
OPEN = ("menunggu", "verifikasi", "proses")
YEAR = 2026


@dataclass
class City:
    dsns: dict[str, str]
    gql: GraphQL
    requests: list[asyncpg.Record]
    officers: dict[str, str]  # NIP → unit


async def rows(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="module")
async def city(server_dsn: str, config: Config) -> AsyncIterator[City]:
    """The generated test-scale city (400 requests, 60 officers) behind a running Padu."""
    dsns = await empty_databases(server_dsn, "padu_dash")
    await seed({s: dsns[s] for s in SOURCE_NAMES}, config.region, SCALES["test"], seed=11)
    requests = await rows(
        dsns["service_requests"],
        "SELECT *, status IN ('menunggu', 'verifikasi', 'proses') AND batas_waktu < now()"
        " AS late FROM permohonan",
    )
    officers = dict(
        (r["nip"], r["kode_unit"])
        for r in await rows(dsns["performance"], "SELECT nip, kode_unit FROM pegawai")
    )
    async with serving(config, dsns) as http:
        yield City(dsns, poster(http, config), requests, officers)
    await drop_databases(server_dsn, dsns)


def p90(values: list[float]) -> float | None:
    """The interpolated 90th percentile (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def levels(requests: list[asyncpg.Record]) -> dict[str, Any]:
    """ServiceLevels as the API should answer, counted in Python from the raw rows."""
    resolved = [r for r in requests if r["status"] == "selesai"]
    hours = [(r["selesai_pada"] - r["dibuat_pada"]).total_seconds() / 3600 for r in resolved]
    on_time = sum(1 for r in resolved if r["selesai_pada"] <= r["batas_waktu"])
    return {
        "total": len(requests),
        "backlog": sum(1 for r in requests if r["status"] in OPEN),
        "overdue": sum(1 for r in requests if r["late"]),
        "resolved": len(resolved),
        "rejected": sum(1 for r in requests if r["status"] == "ditolak"),
        "resolvedOnTime": on_time,
        "slaCompliance": on_time / len(resolved) if resolved else None,
        "averageResolutionHours": sum(hours) / len(hours) if hours else None,
        "p90ResolutionHours": p90(hours),
    }


LEVELS = """total backlog overdue resolved rejected resolvedOnTime slaCompliance
            averageResolutionHours p90ResolutionHours"""


def close(actual: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Equal, floats within rounding of seconds to hours."""
    for name, value in expected.items():
        got = actual[name]
        if isinstance(value, float):
            if got is None or not math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-6):
                return False
        elif got != value:
            return False
    return set(actual) == set(expected)


async def test_headline_levels_equal_counts_of_the_rows(city: City) -> None:
    body = await city.gql(f"{{ dashboard {{ serviceLevels {{ {LEVELS} }} }} }}")
    assert body.get("errors") is None, body
    actual = body["data"]["dashboard"]["serviceLevels"]
    expected = levels(city.requests)
    assert close(actual, expected), (actual, expected)
    assert expected["resolved"] > 0 and expected["backlog"] > 0 and expected["overdue"] > 0


def month(at: datetime) -> str:
    return (at.astimezone(UTC) + WIB).strftime("%Y-%m")


@pytest.mark.parametrize(
    ("dimension", "key"),
    [
        ("STATUS", lambda r, units: RequestStatus(r["status"]).name),
        ("CATEGORY", lambda r, units: ServiceCategory(r["kode_kategori"]).name),
        ("DISTRICT", lambda r, units: r["kode_kecamatan"]),
        ("VILLAGE", lambda r, units: r["kode_kelurahan"]),
        ("MONTH", lambda r, units: month(r["dibuat_pada"])),
        ("UNIT", lambda r, units: units.get(r["nip_petugas"])),
    ],
)
async def test_levels_by_each_dimension_equal_grouped_rows(
    city: City, dimension: str, key: Any
) -> None:
    query = f"""query($d: RequestDimension!) {{ dashboard {{ serviceLevelsBy(dimension: $d) {{
        key label levels {{ {LEVELS} }} }} }} }}"""
    body = await city.gql(query, {"d": dimension})
    assert body.get("errors") is None, body
    groups = body["data"]["dashboard"]["serviceLevelsBy"]
    expected: dict[str | None, list[asyncpg.Record]] = defaultdict(list)
    for r in city.requests:
        expected[key(r, city.officers)].append(r)
    order = [s.name for s in RequestStatus] if dimension == "STATUS" else None
    assert [g["key"] for g in groups] == sorted(
        expected, key=lambda k: order.index(k) if order else (k is None, k or "")
    )
    for group in groups:
        assert close(group["levels"], levels(expected[group["key"]])), group
    assert len(groups) > 1


async def test_group_labels_are_names_for_people(city: City) -> None:
    query = """{ dashboard { d: serviceLevelsBy(dimension: DISTRICT) { key label }
        u: serviceLevelsBy(dimension: UNIT) { key label }
        c: serviceLevelsBy(dimension: CATEGORY) { key label } } }"""
    body = await city.gql(query)
    assert body.get("errors") is None, body
    data = body["data"]["dashboard"]
    assert {"key": "36.71.01", "label": "Tangerang"} in data["d"]
    units = dict(
        (r["kode_unit"], r["nama_unit"])
        for r in await rows(city.dsns["performance"], "SELECT * FROM unit_kerja")
    )
    for group in data["u"]:
        if group["key"] is not None:
            assert group["label"] == units[group["key"]]
    names = dict(
        (ServiceCategory(r["kode"]).name, r["nama"])
        for r in await rows(city.dsns["service_requests"], "SELECT * FROM kategori_layanan")
    )
    assert all(group["label"] == names[group["key"]] for group in data["c"])


async def test_filter_by_district_period_and_category_matches_the_list(city: City) -> None:
    start = datetime(YEAR, 3, 1, tzinfo=UTC)
    end = datetime(YEAR, 9, 1, tzinfo=UTC)
    variables = {
        "f": {
            "districtCode": "36.71.01",
            "submittedFrom": start.isoformat(),
            "submittedBefore": end.isoformat(),
            "category": ["COMPLAINT", "KTP_EL", "FAMILY_CARD"],
        }
    }
    query = f"""query($f: DashboardFilter) {{ dashboard(filter: $f) {{
        serviceLevels {{ {LEVELS} }} }}
        serviceRequests(filter: {{districtCode: "36.71.01",
            submittedFrom: "{start.isoformat()}", submittedBefore: "{end.isoformat()}",
            category: [COMPLAINT, KTP_EL, FAMILY_CARD]}}, first: 1) {{ totalCount }} }}"""
    body = await city.gql(query, variables)
    assert body.get("errors") is None, body
    chosen = [
        r
        for r in city.requests
        if r["kode_kecamatan"] == "36.71.01"
        and start <= r["dibuat_pada"] < end
        and r["kode_kategori"] in ("PENGADUAN", "KTP_EL", "KK")
    ]
    assert chosen
    actual = body["data"]["dashboard"]["serviceLevels"]
    assert close(actual, levels(chosen))
    assert actual["total"] == body["data"]["serviceRequests"]["totalCount"]


async def test_top_resolvers_are_the_officers_with_most_resolved(city: City) -> None:
    body = await city.gql(
        "{ dashboard { topResolvers(first: 5) { resolved officer { nip unit { code } } } } }"
    )
    assert body.get("errors") is None, body
    counts = Counter(
        r["nip_petugas"] for r in city.requests if r["status"] == "selesai" and r["nip_petugas"]
    )
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
    assert [
        (t["officer"]["nip"], t["resolved"]) for t in body["data"]["dashboard"]["topResolvers"]
    ] == expected
    for top in body["data"]["dashboard"]["topResolvers"]:
        assert top["officer"]["unit"]["code"] == city.officers[top["officer"]["nip"]]


async def test_performance_predicates_by_unit_and_quarter(city: City) -> None:
    query = """{ dashboard { all: performance(year: 2026) { unit { code } period rated
        predicates { predicate label officers } }
        q2: performance(year: 2026, quarter: 2) { period } } }"""
    body = await city.gql(query)
    assert body.get("errors") is None, body
    ratings = await rows(
        city.dsns["performance"],
        "SELECT g.kode_unit, pk.periode, pk.predikat FROM penilaian_kinerja pk "
        "JOIN pegawai g USING (nip) WHERE pk.tahun = 2026 AND pk.periode LIKE 'TW%'",
    )
    expected: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in ratings:
        expected[(r["kode_unit"], r["periode"])][r["predikat"]] += 1
    periods = {"TW1": "Q1", "TW2": "Q2", "TW3": "Q3", "TW4": "Q4"}
    actual = {(g["unit"]["code"], g["period"]): g for g in body["data"]["dashboard"]["all"]}
    assert set(actual) == {(unit, periods[p]) for unit, p in expected}
    for (unit, period), counted in expected.items():
        group = actual[(unit, periods[period])]
        assert group["rated"] == sum(counted.values())
        assert group["predicates"] == [
            {"predicate": p.name, "label": p.value, "officers": counted[p.value]} for p in Predicate
        ]
    assert {g["period"] for g in body["data"]["dashboard"]["q2"]} == {"Q2"}


async def test_learning_compliance_by_unit_counts_twenty_jp(city: City) -> None:
    body = await city.gql(
        "{ dashboard { learningCompliance(year: 2026) { unit { code } year officers compliant"
        " rate } } }"
    )
    assert body.get("errors") is None, body
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() - WIB.total_seconds())
    end = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp() - WIB.total_seconds())
    jp = await rows(
        city.dsns["learning"],
        """SELECT u.idnumber, d.intvalue AS jp FROM mdl_course_completions cc
           JOIN mdl_user u ON u.id = cc.userid AND u.deleted = 0
           JOIN mdl_customfield_data d ON d.instanceid = cc.course
           JOIN mdl_customfield_field f ON f.id = d.fieldid AND f.shortname = 'jp'
           WHERE cc.timecompleted >= $1 AND cc.timecompleted < $2""",
        start,
        end,
    )
    hours: Counter[str] = Counter()
    for r in jp:
        hours[r["idnumber"]] += r["jp"]
    asn = await rows(
        city.dsns["performance"],
        "SELECT nip, kode_unit FROM pegawai WHERE aktif AND jenis_kepegawaian <> 'NON_ASN'",
    )
    officers: Counter[str] = Counter(r["kode_unit"] for r in asn)
    compliant: Counter[str] = Counter(r["kode_unit"] for r in asn if hours[r["nip"]] >= 20)
    actual = body["data"]["dashboard"]["learningCompliance"]
    assert [g["unit"]["code"] for g in actual] == sorted(officers)
    for group in actual:
        code = group["unit"]["code"]
        assert (group["officers"], group["compliant"]) == (officers[code], compliant[code])
        assert math.isclose(group["rate"], compliant[code] / officers[code])
    assert sum(compliant.values()) > 0


async def test_dashboard_compliance_equals_each_units_own_figure(city: City) -> None:
    body = await city.gql(
        """{ dashboard { learningCompliance(year: 2026) { unit { code } officers compliant } }
             units { code learningCompliance(year: 2026) { officers compliant } } }"""
    )
    assert body.get("errors") is None, body
    per_unit = {
        u["code"]: u["learningCompliance"]
        for u in body["data"]["units"]
        if u["learningCompliance"]["officers"]
    }
    assert {
        g["unit"]["code"]: {"officers": g["officers"], "compliant": g["compliant"]}
        for g in body["data"]["dashboard"]["learningCompliance"]
    } == per_unit


def band(birth: date, today: date) -> str:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    start = min(age // 5 * 5, 75)
    return "75+" if start == 75 else f"{start}-{start + 4}"


async def test_residents_by_district_gender_and_age_band(city: City) -> None:
    query = """query($f: DashboardFilter) { dashboard(filter: $f) {
        d: residentsBy(dimension: DISTRICT) { key label residents }
        g: residentsBy(dimension: GENDER) { key label residents }
        a: residentsBy(dimension: AGE_BAND) { key residents } } }"""
    residents = await rows(
        city.dsns["population"],
        "SELECT p.jenis_kelamin, p.tanggal_lahir, k.kode_kecamatan "
        "FROM penduduk p JOIN keluarga k USING (no_kk)",
    )
    today = (datetime.now(UTC) + WIB).date()
    for district in (None, "36.71.01"):
        body = await city.gql(query, {"f": {"districtCode": district} if district else None})
        assert body.get("errors") is None, body
        data = body["data"]["dashboard"]
        chosen = [r for r in residents if district in (None, r["kode_kecamatan"])]
        by_district = Counter(r["kode_kecamatan"] for r in chosen)
        assert [(g["key"], g["residents"]) for g in data["d"]] == sorted(by_district.items())
        genders = Counter(r["jenis_kelamin"] for r in chosen)
        assert {g["label"]: g["residents"] for g in data["g"]} == genders
        assert {g["key"] for g in data["g"]} <= {"MALE", "FEMALE"}
        bands = Counter(band(r["tanggal_lahir"], today) for r in chosen)
        assert {g["key"]: g["residents"] for g in data["a"]} == bands
        assert [g["key"] for g in data["a"]] == sorted(
            bands, key=lambda b: int(b.rstrip("+").split("-")[0])
        )


async def test_dashboard_answers_in_one_round_trip_per_source_and_level(city: City) -> None:
    """A full dashboard costs a handful of statements, whatever the number of groups."""
    query = f"""{{ dashboard {{ serviceLevels {{ total }}
        byUnit: serviceLevelsBy(dimension: UNIT) {{ key levels {{ {LEVELS} }} }}
        byMonth: serviceLevelsBy(dimension: MONTH) {{ key levels {{ total }} }}
        topResolvers {{ resolved officer {{ position }} }}
        learningCompliance(year: 2026) {{ rate }}
        residentsBy(dimension: GENDER) {{ residents }} }} }}"""
    body = await city.gql(query)
    assert body.get("errors") is None, body
    assert len(body["data"]["dashboard"]["byUnit"]) > 3
    trips = {name: s["roundTrips"] for name, s in body["extensions"]["sources"].items()}
    # service_requests: headline, by unit, by month, top resolvers; performance: the NIP → unit
    # map and unit names, the resolvers' officer records, compliance; learning: compliant NIPs.
    assert trips == {"service_requests": 4, "performance": 4, "learning": 1, "population": 1}


async def test_supervisor_sees_their_own_units_figures_only(city: City) -> None:
    supervisor, unit = next(
        (nip, unit)
        for nip, unit in sorted(city.officers.items())
        if any(city.officers.get(r["nip_petugas"]) == unit for r in city.requests)
    )
    query = f"""{{ dashboard {{ serviceLevels {{ {LEVELS} }}
        serviceLevelsBy(dimension: UNIT) {{ key }}
        performance(year: 2026) {{ unit {{ code }} }}
        learningCompliance(year: 2026) {{ unit {{ code }} }} }} }}"""
    body = await city.gql(query, as_=(Role.SUPERVISOR, supervisor))
    assert body.get("errors") is None, body
    data = body["data"]["dashboard"]
    own = [r for r in city.requests if city.officers.get(r["nip_petugas"]) == unit]
    assert close(data["serviceLevels"], levels(own))
    assert [g["key"] for g in data["serviceLevelsBy"]] == [unit]
    assert {g["unit"]["code"] for g in data["performance"]} <= {unit}
    assert [g["unit"]["code"] for g in data["learningCompliance"]] == [unit]


@pytest.mark.parametrize(
    ("role", "subject", "allowed"),
    [
        (Role.DASHBOARD, "mayor-office", True),
        (Role.ADMIN, ADMIN_ID, True),
        (Role.OFFICER, AGUS, False),
        (Role.CITIZEN, BUDI, False),
        (None, None, False),
    ],
)
async def test_dashboard_is_for_dashboards_supervisors_and_admins(
    gql: GraphQL, role: Role | None, subject: str | None, allowed: bool
) -> None:
    caller = None if role is None else (role, subject)
    body = await gql("{ dashboard { serviceLevels { total } } }", as_=caller)  # type: ignore[arg-type]
    if allowed:
        assert body.get("errors") is None, body
        assert body["data"]["dashboard"]["serviceLevels"]["total"] == 5
    else:
        assert body["data"]["dashboard"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_dashboard_role_sees_no_one_by_name(gql: GraphQL) -> None:
    body = await gql(
        "{ dashboard { topResolvers { resolved officer { position nip fullName } } } }",
        as_=(Role.DASHBOARD, "mayor-office"),
    )
    top = body["data"]["dashboard"]["topResolvers"]
    assert top == [
        {
            "resolved": 1,
            "officer": {
                "position": "Verifikator Dokumen Kependudukan",
                "nip": None,
                "fullName": None,
            },
        }
    ]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        (
            '{ dashboard(filter: {districtCode: "99.99.99"}) { serviceLevels { total } } }',
            "districtCode",
        ),
        (
            '{ dashboard(filter: {villageCode: "36.71.01.9999"}) { serviceLevels { total } } }',
            "villageCode",
        ),
        (
            '{ dashboard(filter: {submittedFrom: "2026-02-01T00:00:00Z", submittedBefore: "2026-01-01T00:00:00Z"}) { serviceLevels { total } } }',
            "submittedFrom",
        ),
        ("{ dashboard { performance(year: 2026, quarter: 5) { rated } } }", "quarter"),
        ("{ dashboard { learningCompliance(year: 1900) { rate } } }", "year"),
        ("{ dashboard { topResolvers(first: 0) { resolved } } }", "first"),
    ],
)
async def test_bad_dashboard_arguments_say_what_to_change(
    gql: GraphQL, query: str, argument: str
) -> None:
    body = await gql(query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"`{argument}`" in error["message"]


async def test_fixed_dataset_levels(gql: GraphQL) -> None:
    """The five fixture requests, counted by hand."""
    body = await gql(f"{{ dashboard {{ serviceLevels {{ {LEVELS} }} }} }}")
    assert body["data"]["dashboard"]["serviceLevels"] == {
        "total": 5, "backlog": 3, "overdue": 1, "resolved": 1, "rejected": 1,
        "resolvedOnTime": 1, "slaCompliance": 1.0,
        "averageResolutionHours": 49.0, "p90ResolutionHours": 49.0,
    }  # fmt: skip


async def test_the_dashboard_role_sees_no_predicates_of_small_units(city: City) -> None:
    query = "{ dashboard { performance(year: 2026) { unit { code } period rated suppressed predicates { officers } } } }"
    as_dashboard = (await city.gql(query, as_=(Role.DASHBOARD, "mayor-office")))["data"]
    as_admin = (await city.gql(query))["data"]
    small = 5  # min_group_size's default
    seen = {(g["unit"]["code"], g["period"]): g for g in as_dashboard["dashboard"]["performance"]}
    assert any(g["suppressed"] for g in seen.values())
    assert any(not g["suppressed"] for g in seen.values())
    for group in as_admin["dashboard"]["performance"]:
        assert group["suppressed"] is False
        mine = seen[(group["unit"]["code"], group["period"])]
        assert mine["rated"] == group["rated"]
        if group["rated"] < small:
            assert (mine["suppressed"], mine["predicates"]) == (True, [])
        else:
            assert mine == group


@pytest.mark.parametrize(
    ("selection", "sorted_"),
    [
        ("serviceLevels { total backlog }", False),
        ("serviceLevels { total p90ResolutionHours }", True),
        ("serviceLevels { ...Levels }", True),
        ("serviceLevelsBy(dimension: UNIT) { key levels { total } }", False),
        (
            "serviceLevelsBy(dimension: MONTH) { key levels { ... on ServiceLevels { p90ResolutionHours } } }",
            True,
        ),
    ],
)
async def test_the_p90_sort_runs_only_when_asked_for(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch, selection: str, sorted_: bool
) -> None:
    """A percentile sorts every resolved request; a dashboard that does not show it skips it."""
    sent: list[str] = []
    fetch = Source.fetch

    async def recording(self: Source, statement: str, *args: Any) -> list[asyncpg.Record]:
        sent.append(statement)
        return await fetch(self, statement, *args)

    monkeypatch.setattr(Source, "fetch", recording)
    fragment = "fragment Levels on ServiceLevels { p90ResolutionHours }"
    query = f"{{ dashboard {{ {selection} }} }}" + (
        f" {fragment}" if "...Levels" in selection else ""
    )
    body = await gql(query)
    assert body.get("errors") is None, body
    counts = [s for s in sent if "count(*) AS total" in s]  # twice: the suite runs in verify mode
    assert counts and all(("percentile_cont" in c) is sorted_ for c in counts)
