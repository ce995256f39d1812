"""Demo data generator: valid identifiers, realistic content, consistency across the sources."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from faker.providers.person.id_ID import Provider as FakerPerson

from padu.config import SOURCE_NAMES as SOURCES
from padu.identifiers import validate_nik, validate_nip
from padu.region import load_region
from padu.sources.demo import CATEGORIES, SCALES, SeedReport, is_seeded, predicate, seed
from padu.sources.embedded import drop_database, ensure_database, with_database

AS_OF = date(2026, 11, 23)
SEED = 7
WIB = timezone(timedelta(hours=7))
END_OF_AS_OF = datetime.combine(AS_OF, time(23, 59, 59), WIB)
REGION = load_region("36.71")
SCALE = SCALES["test"]
MATRIX = {
    ("DIATAS", "DIATAS"): "Sangat Baik",
    ("DIATAS", "SESUAI"): "Baik",
    ("SESUAI", "DIATAS"): "Baik",
    ("SESUAI", "SESUAI"): "Baik",
    ("DIBAWAH", "DIATAS"): "Butuh Perbaikan",
    ("DIBAWAH", "SESUAI"): "Butuh Perbaikan",
    ("DIATAS", "DIBAWAH"): "Kurang",
    ("SESUAI", "DIBAWAH"): "Kurang",
    ("DIBAWAH", "DIBAWAH"): "Sangat Kurang",
}
OPEN = ("menunggu", "verifikasi", "proses")
TABLE_NAMES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"

Rows = list[asyncpg.Record]


@dataclass
class Seeded:
    server: str
    dsns: dict[str, str]
    report: SeedReport
    tables: dict[str, Rows]


async def fetch(dsn: str, query: str, *args: Any) -> Rows:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def table_hashes(dsns: dict[str, str]) -> dict[str, str]:
    """An md5 of every demo table's rows in a fixed order."""
    result = {}
    for source, dsn in dsns.items():
        for (name,) in await fetch(dsn, TABLE_NAMES):
            rows = await fetch(
                dsn,
                f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                f"FROM {name} t",
            )
            result[f"{source}.{name}"] = rows[0][0]
    return result


@pytest_asyncio.fixture(scope="module")
async def seeded(server_dsn: str) -> AsyncIterator[Seeded]:
    run = uuid.uuid4().hex[:8]
    names = {source: f"padu_seedtest_{run}_{source}" for source in SOURCES}
    dsns = {}
    for source, name in names.items():
        await ensure_database(server_dsn, name)
        dsns[source] = with_database(server_dsn, name)
    report = await seed(dsns, REGION, SCALE, seed=SEED, as_of=AS_OF)
    tables: dict[str, Rows] = {}
    for dsn in dsns.values():
        for (name,) in await fetch(dsn, TABLE_NAMES):
            tables[name] = await fetch(dsn, f"SELECT * FROM {name}")
    yield Seeded(server_dsn, dsns, report, tables)
    for name in names.values():
        await drop_database(server_dsn, name)


def test_report_counts_what_was_written(seeded: Seeded) -> None:
    for source in SOURCES:
        for table, count in seeded.report.rows[source].items():
            assert count == len(seeded.tables[table]), table
        assert seeded.report.seconds[source] > 0
    assert len(seeded.tables["penduduk"]) == SCALE.residents
    assert len(seeded.tables["pegawai"]) == SCALE.officers
    assert len(seeded.tables["permohonan"]) == SCALE.service_requests
    assert len(seeded.tables["mdl_course"]) == SCALE.courses


def test_niks_are_valid_unique_and_match_birth_and_gender(seeded: Seeded) -> None:
    residents = seeded.tables["penduduk"]
    assert len({r["nik"] for r in residents}) == len(residents)
    for r in residents:
        nik = validate_nik(r["nik"])
        birth, female = r["tanggal_lahir"], r["jenis_kelamin"] == "PEREMPUAN"
        assert r["jenis_kelamin"] in ("LAKI-LAKI", "PEREMPUAN")
        assert nik[6:12] == f"{birth.day + 40 * female:02d}{birth:%m%y}", r
        assert birth <= AS_OF


def test_nik_prefix_is_where_it_was_first_issued(seeded: Seeded) -> None:
    district_of = {f["no_kk"]: f["kode_kecamatan"] for f in seeded.tables["keluarga"]}
    region_districts = {d.code.replace(".", "") for d in REGION.districts}
    prefixes = Counter(
        "home"
        if r["nik"][:6] == district_of[r["no_kk"]].replace(".", "")
        else "region"
        if r["nik"][:6] in region_districts
        else "elsewhere"
        for r in seeded.tables["penduduk"]
    )
    assert prefixes["home"] > prefixes["region"] > 0
    assert prefixes["home"] > prefixes["elsewhere"] > 0


def test_families_are_real_places_with_sensible_members(seeded: Seeded) -> None:
    villages = {v.code: v for v in REGION.villages}
    members: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for r in seeded.tables["penduduk"]:
        members[r["no_kk"]].append(r)
    for family in seeded.tables["keluarga"]:
        kk = family["no_kk"]
        assert len(kk) == 16 and kk.isdigit()
        assert kk[:6] == family["kode_kecamatan"].replace(".", "")
        assert villages[family["kode_kelurahan"]].district_code == family["kode_kecamatan"]
        assert len(family["rt"]) == len(family["rw"]) == 3 and family["rt"].isdigit()
        assert family["kode_pos"].startswith("15")
        assert family["tanggal_terbit"] <= AS_OF
        heads = [m for m in members[kk] if m["shdk"] == "KEPALA KELUARGA"]
        assert [h["nik"] for h in heads] == [family["nik_kepala"]]
        head = heads[0]
        assert head["tanggal_lahir"] <= date(AS_OF.year - 17, AS_OF.month, AS_OF.day)
        for m in members[kk]:
            if m["shdk"] == "ISTRI":
                assert m["jenis_kelamin"] != head["jenis_kelamin"]
                assert m["status_perkawinan"] == head["status_perkawinan"] == "KAWIN"
            if m["shdk"] == "ANAK":
                assert m["tanggal_lahir"] > head["tanggal_lahir"]
    assert set(members) == {f["no_kk"] for f in seeded.tables["keluarga"]}
    values = {
        column: {r[column] for r in seeded.tables["penduduk"]}
        for column in ("agama", "status_perkawinan", "shdk", "pekerjaan")
    }
    assert {"ISLAM", "KRISTEN"} <= values["agama"]
    assert {"BELUM KAWIN", "KAWIN"} <= values["status_perkawinan"]
    assert {"KEPALA KELUARGA", "ISTRI", "ANAK"} <= values["shdk"]
    assert {"PELAJAR/MAHASISWA", "KARYAWAN SWASTA", "MENGURUS RUMAH TANGGA"} <= values["pekerjaan"]


def test_officers_have_valid_nips_and_one_head_per_unit(seeded: Seeded) -> None:
    officers = seeded.tables["pegawai"]
    assert len({o["nip"] for o in officers}) == len(officers)
    for o in officers:
        nip = validate_nip(o["nip"])
        birth = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
        appointed = date(int(nip[8:12]), int(nip[12:14]), 1)
        assert 1965 <= birth.year <= 2000
        assert 20 <= (appointed - birth).days / 365.25 <= 35.1
        assert appointed <= AS_OF
        given = o["nama"].removeprefix("dr. ").removeprefix("Hj. ").removeprefix("H. ").split()[0]
        names = FakerPerson.first_names_female if nip[14] == "2" else FakerPerson.first_names_male
        assert given.rstrip(",") in names, o
        assert (o["jenis_kepegawaian"] == "PNS") == ("/" in o["golongan"])
    units = {u["kode_unit"]: u for u in seeded.tables["unit_kerja"]}
    heads = Counter(
        o["kode_unit"]
        for o in officers
        if o["jabatan"] in ("Kepala Dinas", "Kepala Badan", "Sekretaris Daerah", "Camat")
    )
    assert heads == dict.fromkeys(units, 1)
    kecamatan = sorted(u["nama_unit"] for u in units.values() if u["jenis_unit"] == "kecamatan")
    assert kecamatan == sorted(f"Kecamatan {d.name}" for d in REGION.districts)
    pns = sum(o["jenis_kepegawaian"] == "PNS" for o in officers) / len(officers)
    assert 0.6 < pns < 0.95
    assert any(not o["aktif"] for o in officers)


def test_references_across_sources_resolve(seeded: Seeded) -> None:
    niks = {r["nik"] for r in seeded.tables["penduduk"]}
    nips = {o["nip"] for o in seeded.tables["pegawai"]}
    requests = seeded.tables["permohonan"]
    assert {r["nik_pemohon"] for r in requests} <= niks
    assert {r["nip_petugas"] for r in requests} - {None} <= nips
    assert {e["nip_pelaku"] for e in seeded.tables["riwayat_permohonan"]} - {None} <= nips
    assert {a["nip"] for a in seeded.tables["aktivitas"]} <= nips
    assert {p["nip"] for p in seeded.tables["penilaian_kinerja"]} <= nips
    idnumbers = {u["idnumber"] for u in seeded.tables["mdl_user"]} - {""}
    assert idnumbers == nips
    villages = {v.code: v.district_code for v in REGION.villages}
    assert all(villages[r["kode_kelurahan"]] == r["kode_kecamatan"] for r in requests)


def test_every_status_appears_with_an_overdue_backlog(seeded: Seeded) -> None:
    requests = seeded.tables["permohonan"]
    statuses = Counter(r["status"] for r in requests)
    assert set(statuses) == {"menunggu", "verifikasi", "proses", "selesai", "ditolak"}
    assert statuses["selesai"] > len(requests) / 2
    overdue = [r for r in requests if r["status"] in OPEN and r["batas_waktu"] < END_OF_AS_OF]
    assert len(overdue) >= 3
    for r in requests:
        assert r["no_tiket"] == f"LKS-{r['dibuat_pada'].astimezone(WIB).year}-{r['no_tiket'][-6:]}"
        assert datetime(AS_OF.year - 1, 1, 1, tzinfo=WIB) <= r["dibuat_pada"] <= END_OF_AS_OF
        assert (r["nip_petugas"] is None) == (r["status"] == "menunggu")
        assert (r["selesai_pada"] is not None) == (r["status"] in ("selesai", "ditolak"))


def test_due_dates_add_the_category_sla_in_working_days(seeded: Seeded) -> None:
    sla = {c.code: c.sla_working_days for c in CATEGORIES}
    for r in seeded.tables["permohonan"]:
        created, due = r["dibuat_pada"].astimezone(WIB), r["batas_waktu"].astimezone(WIB)
        weekdays = sum(
            (created.date() + timedelta(days=i)).weekday() < 5
            for i in range(1, (due.date() - created.date()).days + 1)
        )
        assert weekdays == sla[r["kode_kategori"]]
        assert due.weekday() < 5 and due.time() == created.time()


def test_timelines_follow_the_workflow(seeded: Seeded) -> None:
    units = {o["nip"]: o["kode_unit"] for o in seeded.tables["pegawai"]}
    district = {f"Kecamatan {d.name}": d.code for d in REGION.districts}
    kecamatan = {
        u["kode_unit"]: district[u["nama_unit"]]
        for u in seeded.tables["unit_kerja"]
        if u["jenis_unit"] == "kecamatan"
    }
    events: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for e in sorted(seeded.tables["riwayat_permohonan"], key=lambda e: e["id_riwayat"]):
        events[e["id_permohonan"]].append(e)
    allowed = {
        ("menunggu",),
        ("menunggu", "verifikasi"),
        ("menunggu", "verifikasi", "proses"),
        ("menunggu", "verifikasi", "proses", "selesai"),
        ("menunggu", "verifikasi", "ditolak"),
    }
    for r in seeded.tables["permohonan"]:
        timeline = events[r["id_permohonan"]]
        assert tuple(e["status"] for e in timeline) in allowed
        assert timeline[-1]["status"] == r["status"]
        assert timeline[0]["waktu"] == r["dibuat_pada"]
        times = [e["waktu"] for e in timeline]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[-1] <= END_OF_AS_OF
        if r["selesai_pada"] is not None:
            assert r["selesai_pada"] == times[-1]
        assert {e["nip_pelaku"] for e in timeline[1:]} <= {r["nip_petugas"]}
        if r["nip_petugas"] is not None:
            unit = units[r["nip_petugas"]]
            if r["kode_kategori"] == "PENGADUAN":
                assert kecamatan[unit] == r["kode_kecamatan"]
            elif r["kode_kategori"] == "INFORMASI":
                assert unit == "DISKOMINFO"
            else:
                assert unit == "DISDUKCAPIL"


def test_each_resolved_request_credits_one_activity(seeded: Seeded) -> None:
    minutes = {c.code: c.officer_minutes for c in CATEGORIES}
    credits = [a for a in seeded.tables["aktivitas"] if a["kategori"] == "pelayanan_publik"]
    by_ticket = Counter(a["ref_tiket"] for a in credits)
    resolved = [r for r in seeded.tables["permohonan"] if r["status"] == "selesai"]
    assert set(by_ticket) == {r["no_tiket"] for r in resolved}
    assert set(by_ticket.values()) == {1}
    credit = {a["ref_tiket"]: a for a in credits}
    for r in resolved:
        a = credit[r["no_tiket"]]
        assert a["nip"] == r["nip_petugas"]
        assert a["durasi_menit"] == minutes[r["kode_kategori"]]
        assert a["tanggal"] == r["selesai_pada"].astimezone(WIB).date()
    routine = [a for a in seeded.tables["aktivitas"] if a["kategori"] != "pelayanan_publik"]
    assert routine and all(a["ref_tiket"] is None for a in routine)
    assert all(date(AS_OF.year - 1, 1, 1) <= a["tanggal"] <= AS_OF for a in routine)


@pytest.mark.parametrize(("work", "behaviour"), sorted(MATRIX))
def test_predicate_follows_permenpanrb_6_2022(work: str, behaviour: str) -> None:
    assert predicate(work, behaviour) == MATRIX[work, behaviour]


def test_ratings_cover_completed_periods_with_matrix_predicates(seeded: Seeded) -> None:
    periods: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for p in seeded.tables["penilaian_kinerja"]:
        assert p["predikat"] == MATRIX[p["hasil_kerja"], p["perilaku"]]
        periods[p["nip"]].add((p["tahun"], p["periode"]))
    expected = {(2025, q) for q in ("TW1", "TW2", "TW3", "TW4", "AKHIR")} | {
        (2026, q) for q in ("TW1", "TW2", "TW3")
    }
    for o in seeded.tables["pegawai"]:
        if o["aktif"]:
            assert periods[o["nip"]] == expected
    ratings = Counter(p["hasil_kerja"] for p in seeded.tables["penilaian_kinerja"])
    assert ratings.most_common(1)[0][0] == "SESUAI"


def test_learning_compliance_is_mixed_and_times_are_consistent(seeded: Seeded) -> None:
    field = {f["shortname"]: f["id"] for f in seeded.tables["mdl_customfield_field"]}
    jp = {
        d["instanceid"]: d["intvalue"]
        for d in seeded.tables["mdl_customfield_data"]
        if d["fieldid"] == field["jp"]
    }
    mandatory = {
        d["instanceid"]: d["intvalue"]
        for d in seeded.tables["mdl_customfield_data"]
        if d["fieldid"] == field["wajib"]
    }
    assert all(2 <= v <= 24 for v in jp.values()) and len(jp) == SCALE.courses
    assert set(mandatory.values()) == {0, 1}
    assert len(seeded.tables["mdl_enrol"]) == SCALE.courses
    officers = {u["id"]: u["idnumber"] for u in seeded.tables["mdl_user"] if u["idnumber"]}
    enrolled = {
        (e["userid"], e["enrolid"]): e["timecreated"] for e in seeded.tables["mdl_user_enrolments"]
    }
    hours: Counter[str] = Counter()
    as_of_end = END_OF_AS_OF.timestamp()
    for c in seeded.tables["mdl_course_completions"]:
        assert enrolled[c["userid"], c["course"]] == c["timeenrolled"]
        if c["timecompleted"] is not None:
            assert c["timeenrolled"] <= c["timestarted"] < c["timecompleted"] <= as_of_end
            if datetime.fromtimestamp(c["timecompleted"], WIB).year == AS_OF.year:
                hours[officers[c["userid"]]] += jp[c["course"]]
    compliant = sum(hours[nip] >= 20 for nip in officers.values()) / len(officers)
    assert 0.3 <= compliant <= 0.7


async def test_same_seed_gives_identical_data(seeded: Seeded) -> None:
    before = await table_hashes(seeded.dsns)
    await seed(seeded.dsns, REGION, SCALE, seed=SEED, as_of=AS_OF)
    assert await table_hashes(seeded.dsns) == before


async def test_is_seeded_flips_and_another_seed_gives_other_data(seeded: Seeded) -> None:
    name = f"padu_seedtest_{uuid.uuid4().hex[:8]}_other"
    await ensure_database(seeded.server, name)
    dsn = with_database(seeded.server, name)
    try:
        assert not await is_seeded(dsn, "population")
        report = await seed({"population": dsn}, REGION, SCALE, seed=SEED + 1, as_of=AS_OF)
        assert set(report.rows) == {"population"}
        assert await is_seeded(dsn, "population")
        ours = await table_hashes({"population": dsn})
        theirs = await table_hashes({"population": seeded.dsns["population"]})
        assert ours.keys() == theirs.keys() and ours != theirs
    finally:
        await drop_database(seeded.server, name)
