"""e-Kinerja: officers, units, logged work activities and performance ratings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from padu.config import SourceConfig
from padu.lookup_enum import LookupEnum
from padu.sources.base import (
    Ranked,
    Source,
    Where,
    counted_page,
    like_pattern,
    page_per_parent,
    page_with_total,
    ranked,
)


class EmploymentType(LookupEnum):
    """PNS and PPPK are ASN with an 18-digit NIP; NON_ASN are honorer staff."""

    PNS = "PNS"
    PPPK = "PPPK"
    NON_ASN = "NON_ASN"


class UnitKind(LookupEnum):
    """What kind of government unit (OPD) this is."""

    AGENCY = "dinas"
    BOARD = "badan"
    SECRETARIAT = "sekretariat"
    DISTRICT_OFFICE = "kecamatan"
    VILLAGE_OFFICE = "kelurahan"
    OTHER = "lainnya"

    @classmethod
    def _missing_(cls, value: object) -> UnitKind:
        return cls.OTHER


class ActivityCategory(LookupEnum):
    """Kind of logged work; service to citizens and learning count toward performance."""

    DUTY = "tugas_jabatan"
    PUBLIC_SERVICE = "pelayanan_publik"
    COMPETENCY_DEVELOPMENT = "pengembangan_kompetensi"


class PerformancePeriod(LookupEnum):
    """Quarterly periods and the final (yearly) period of PermenPANRB 6/2022."""

    Q1 = "TW1"
    Q2 = "TW2"
    Q3 = "TW3"
    Q4 = "TW4"
    FINAL = "AKHIR"

    def date_range(self, year: int) -> tuple[date, date]:
        """First day of the period and first day after it."""
        if self is PerformancePeriod.FINAL:
            return date(year, 1, 1), date(year + 1, 1, 1)
        quarter = int(self.value[-1])
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return start, end


class Rating(LookupEnum):
    """Work results and behaviour are each rated against expectations."""

    ABOVE_EXPECTATIONS = "DIATAS"
    MEETS_EXPECTATIONS = "SESUAI"
    BELOW_EXPECTATIONS = "DIBAWAH"


class Predicate(LookupEnum):
    """The official performance predicate; values are the Indonesian labels."""

    VERY_GOOD = "Sangat Baik"
    GOOD = "Baik"
    NEEDS_IMPROVEMENT = "Butuh Perbaikan"
    POOR = "Kurang"
    VERY_POOR = "Sangat Kurang"


@dataclass(frozen=True, slots=True)
class Unit:
    """A government unit (OPD, kecamatan office…)."""

    code: str
    name: str
    kind: UnitKind


@dataclass(frozen=True, slots=True)
class Officer:
    """A civil servant as e-Kinerja knows them."""

    nip: str
    full_name: str
    position: str
    employment_type: EmploymentType
    grade: str | None
    active: bool
    unit: Unit


@dataclass(frozen=True, slots=True)
class OfficerFilter:
    """Which officers a list asks for; None means no restriction."""

    unit_code: str | None = None
    name: str | None = None
    employment_type: EmploymentType | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """One logged piece of work, with its evidence."""

    id: int
    officer_nip: str
    date: date
    description: str
    category: ActivityCategory
    minutes: int
    evidence: str | None
    ticket_number: str | None


@dataclass(frozen=True, slots=True)
class PerformanceSummary:
    """An officer's rating for one period with the activities logged in it."""

    officer_nip: str
    year: int
    period: PerformancePeriod
    work_result: Rating | None
    behaviour: Rating | None
    predicate: Predicate | None
    activity_count: int
    activity_minutes: int


ActivityKey = tuple[date, int]  # keyset position: (date, id), newest first

_OFFICER_COLUMNS = """
    g.nip, g.nama, g.jabatan, g.jenis_kepegawaian, g.golongan, g.aktif,
    u.kode_unit, u.nama_unit, u.jenis_unit
"""
_OFFICER_FROM = "pegawai g JOIN unit_kerja u ON u.kode_unit = g.kode_unit"
_ACTIVITY_COLUMNS = (
    "a.id_aktivitas, a.nip, a.tanggal, a.uraian, a.kategori, a.durasi_menit, a.bukti, a.ref_tiket"
)


def unit_record(row: asyncpg.Record) -> Unit:
    return Unit(code=row["kode_unit"], name=row["nama_unit"], kind=UnitKind.of(row["jenis_unit"]))


def _officer(row: asyncpg.Record) -> Officer:
    return Officer(
        nip=row["nip"],
        full_name=row["nama"],
        position=row["jabatan"],
        employment_type=EmploymentType.of(row["jenis_kepegawaian"]),
        grade=row["golongan"],
        active=row["aktif"],
        unit=unit_record(row),
    )


def _summary(
    row: asyncpg.Record, nip: str, year: int, period: PerformancePeriod
) -> PerformanceSummary:
    """One officer's ratings and activity totals of a period, from a row holding them."""
    return PerformanceSummary(
        officer_nip=nip,
        year=year,
        period=period,
        work_result=None if row["hasil_kerja"] is None else Rating.of(row["hasil_kerja"]),
        behaviour=None if row["perilaku"] is None else Rating.of(row["perilaku"]),
        predicate=None if row["predikat"] is None else Predicate.of(row["predikat"]),
        activity_count=int(row["n"]),
        activity_minutes=int(row["menit"]),
    )


def _activity(row: asyncpg.Record) -> Activity:
    return Activity(
        id=row["id_aktivitas"],
        officer_nip=row["nip"],
        date=row["tanggal"],
        description=row["uraian"],
        category=ActivityCategory.of(row["kategori"]),
        minutes=row["durasi_menit"],
        evidence=row["bukti"],
        ticket_number=row["ref_tiket"],
    )


@dataclass(frozen=True, slots=True)
class OfficerScope:
    """Which officers a caller may see at all, applied in every query that returns officers.

    With neither part set it is every officer; otherwise an officer is in scope when either
    part admits them: their NIP is listed, or they belong to the unit.
    """

    nips: tuple[str, ...] | None = None  # themselves, and who worked on requests they see
    unit_code: str | None = None  # a supervisor: their unit

    def where(self, clause: Where) -> None:
        """Add this scope's condition on ``g`` (pegawai) to ``clause``."""
        parts = []
        if self.nips is not None:
            parts.append(f"g.nip = ANY({clause.param(list(self.nips))}::text[])")
        if self.unit_code is not None:
            parts.append(f"g.kode_unit = {clause.param(self.unit_code)}")
        if parts:
            clause.add(f"({' OR '.join(parts)})")


ALL_OFFICERS = OfficerScope()


def _officer_filter(where: OfficerFilter, scope: OfficerScope) -> Where:
    clause = Where()
    scope.where(clause)
    if where.unit_code is not None:
        clause.add(f"g.kode_unit = {clause.param(where.unit_code)}")
    if where.name:
        clause.add(f"lower(g.nama) LIKE {clause.param(like_pattern(where.name))}")
    if where.employment_type is not None:
        clause.add(f"g.jenis_kepegawaian = {clause.param(where.employment_type.value)}")
    if where.active is not None:
        clause.add(f"g.aktif = {clause.param(where.active)}")
    return clause


class PerformanceSource(Source):
    """Adapter for the e-Kinerja database: the reads here, its aggregates in ``stats`` and the
    writes Padu makes in ``writes``."""

    name = "performance"

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        # The parts build on this module's records, so they are imported when a source is
        # made rather than when this module loads: neither module needs the other first.
        from padu.sources.performance_stats import PerformanceStats
        from padu.sources.performance_writes import PerformanceWrites

        super().__init__(config, dsn)
        self.stats = PerformanceStats(self)
        self.writes = PerformanceWrites(self)

    async def officers_by_nip(self, nips: Sequence[str], scope: OfficerScope) -> list[Officer]:
        clause = _officer_filter(OfficerFilter(), scope)
        clause.add(f"g.nip = ANY({clause.param(list(nips))}::text[])")
        query = f"SELECT {_OFFICER_COLUMNS} FROM {_OFFICER_FROM} WHERE {clause.sql}"
        return [_officer(r) for r in await self.fetch(query, *clause.args)]

    async def officers_with_performance(
        self, nips: Sequence[str], year: int, period: PerformancePeriod, scope: OfficerScope
    ) -> list[tuple[Officer, PerformanceSummary]]:
        """``officers_by_nip`` and each one's ``performance`` for one period, in one statement:
        a query asking for assignees and their performance costs one round trip, not two."""
        clause = _officer_filter(OfficerFilter(), scope)
        clause.add(f"g.nip = ANY({clause.param(list(nips))}::text[])")
        start, end = period.date_range(year)
        year_, period_ = clause.param(year), clause.param(period.value)
        start_, end_ = clause.param(start), clause.param(end)
        query = f"""
            SELECT {_OFFICER_COLUMNS}, pk.hasil_kerja, pk.perilaku, pk.predikat, act.n, act.menit
            FROM {_OFFICER_FROM}
            LEFT JOIN penilaian_kinerja pk
                   ON pk.nip = g.nip AND pk.tahun = {year_} AND pk.periode = {period_}
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, coalesce(sum(a.durasi_menit), 0) AS menit
                FROM aktivitas a
                WHERE a.nip = g.nip AND a.tanggal >= {start_}::date AND a.tanggal < {end_}::date
            ) act
            WHERE {clause.sql}
        """
        rows = await self.fetch(query, *clause.args)
        return [(_officer(r), _summary(r, r["nip"], year, period)) for r in rows]

    async def nips_of_unit(self, unit_code: str) -> list[str]:
        """NIPs of every officer of a unit (active or not: their requests stay the unit's)."""
        query = "SELECT nip FROM pegawai WHERE kode_unit = $1 ORDER BY nip"
        return [r["nip"] for r in await self.fetch(query, unit_code)]

    async def list_officers(
        self,
        where: OfficerFilter,
        limit: int,
        after_nip: str | None,
        scope: OfficerScope,
    ) -> list[Officer]:
        """Officers matching ``where`` in NIP order, after the keyset cursor."""
        clause = _officer_filter(where, scope)
        if after_nip is not None:
            clause.add(f"g.nip > {clause.param(after_nip)}")
        query = f"""
            SELECT {_OFFICER_COLUMNS} FROM {_OFFICER_FROM}
            WHERE {clause.sql} ORDER BY g.nip LIMIT {clause.param(limit)}
        """
        return [_officer(r) for r in await self.fetch(query, *clause.args)]

    async def page_officers(
        self,
        where: OfficerFilter,
        limit: int,
        after_nip: str | None,
        scope: OfficerScope,
    ) -> tuple[list[Officer], int]:
        """Like ``list_officers``, with the total under ``where`` in the same round trip."""
        clause = _officer_filter(where, scope)
        after = None if after_nip is None else f"g.nip > {clause.param(after_nip)}"
        query = page_with_total(
            columns=_OFFICER_COLUMNS,
            tables=_OFFICER_FROM,
            where=clause,
            after=after,
            order="g.nip",
            limit=limit,
        )
        return counted_page(await self.fetch(query, *clause.args), _officer)

    async def officers_by_unit(
        self, unit_codes: Sequence[str], limit: int, after_nip: str | None, scope: OfficerScope
    ) -> list[Ranked[Officer]]:
        """The first ``limit`` officers of each unit in NIP order, with each unit's total."""
        clause = _officer_filter(OfficerFilter(), scope)
        clause.add(f"g.kode_unit = ANY({clause.param(list(unit_codes))}::text[])")
        after = None if after_nip is None else f"g.nip > {clause.param(after_nip)}"
        query = page_per_parent(
            columns=_OFFICER_COLUMNS,
            tables=_OFFICER_FROM,
            parent="g.kode_unit",
            where=clause,
            after=after,
            order="g.nip",
            limit=limit,
        )
        return ranked(await self.fetch(query, *clause.args), _officer)

    async def active_asn_by_unit(self, unit_codes: Sequence[str]) -> list[tuple[str, str]]:
        """(unit code, NIP) of every active PNS and PPPK officer of the units."""
        query = """
            SELECT kode_unit, nip FROM pegawai
            WHERE kode_unit = ANY($1::text[]) AND aktif AND jenis_kepegawaian IN ('PNS', 'PPPK')
            ORDER BY kode_unit, nip
        """
        return [(r["kode_unit"], r["nip"]) for r in await self.fetch(query, list(unit_codes))]

    async def units(self) -> list[Unit]:
        query = "SELECT kode_unit, nama_unit, jenis_unit FROM unit_kerja ORDER BY kode_unit"
        return [unit_record(r) for r in await self.fetch(query)]

    async def activities_by_officer(
        self,
        nips: Sequence[str],
        date_from: date | None,
        date_to: date | None,
        limit: int,
        after: ActivityKey | None,
    ) -> list[Ranked[Activity]]:
        """Each officer's first ``limit`` activities, newest first, within the dates."""
        clause = Where()
        clause.add(f"a.nip = ANY({clause.param(list(nips))}::text[])")
        if date_from is not None:
            clause.add(f"a.tanggal >= {clause.param(date_from)}")
        if date_to is not None:
            clause.add(f"a.tanggal <= {clause.param(date_to)}")
        position = None
        if after is not None:
            at, id_ = clause.param(after[0]), clause.param(after[1])
            position = f"(a.tanggal, a.id_aktivitas) < ({at}, {id_})"
        query = page_per_parent(
            columns=_ACTIVITY_COLUMNS,
            tables="aktivitas a",
            parent="a.nip",
            where=clause,
            after=position,
            order="a.tanggal DESC, a.id_aktivitas DESC",
            limit=limit,
        )
        return ranked(await self.fetch(query, *clause.args), _activity)

    async def performance(
        self, keys: Sequence[tuple[str, int, PerformancePeriod]]
    ) -> list[PerformanceSummary]:
        """Ratings and activity totals for each (NIP, year, period), one row per key."""
        ranges = [period.date_range(year) for _, year, period in keys]
        query = """
            SELECT k.nip, k.tahun, k.periode, pk.hasil_kerja, pk.perilaku, pk.predikat,
                   act.n, act.menit
            FROM unnest($1::text[], $2::int[], $3::text[], $4::date[], $5::date[])
                 AS k(nip, tahun, periode, mulai, selesai)
            JOIN pegawai g ON g.nip = k.nip
            LEFT JOIN penilaian_kinerja pk
                   ON pk.nip = k.nip AND pk.tahun = k.tahun AND pk.periode = k.periode
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, coalesce(sum(a.durasi_menit), 0) AS menit
                FROM aktivitas a
                WHERE a.nip = k.nip AND a.tanggal >= k.mulai AND a.tanggal < k.selesai
            ) act
        """
        rows = await self.fetch(
            query,
            [nip for nip, _, _ in keys],
            [year for _, year, _ in keys],
            [period.value for _, _, period in keys],
            [start for start, _ in ranges],
            [end for _, end in ranges],
        )
        return [_summary(r, r["nip"], r["tahun"], PerformancePeriod.of(r["periode"])) for r in rows]
