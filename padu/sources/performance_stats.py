"""e-Kinerja aggregates for dashboards: predicates and learning compliance by unit.

Every figure is counted by PostgreSQL (``GROUP BY``); only the groups leave the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from padu.sources.base import Where
from padu.sources.performance import PerformancePeriod, Predicate, Unit
from padu.sources.performance import unit_record as _unit

if TYPE_CHECKING:
    from padu.sources.performance import PerformanceSource

# Officers who must meet the yearly JP requirement: active civil servants (ASN).
ASN = "g.aktif AND g.jenis_kepegawaian IN ('PNS', 'PPPK')"


@dataclass(frozen=True, slots=True)
class UnitPredicates:
    """How many of a unit's officers got each predicate in one period."""

    unit: Unit
    period: PerformancePeriod
    rated: int
    counts: dict[Predicate, int]
    suppressed: bool = False  # counts withheld: too few officers to stay anonymous


@dataclass(frozen=True, slots=True)
class UnitCompliance:
    """How many of a unit's active ASN completed the yearly JP requirement."""

    unit: Unit
    year: int
    officers: int
    compliant: int

    @property
    def rate(self) -> float:
        return self.compliant / self.officers if self.officers else 0.0


def _in_unit(clause: Where, unit_code: str | None) -> None:
    if unit_code is not None:
        clause.add(f"u.kode_unit = {clause.param(unit_code)}")


class PerformanceStats:
    """Aggregates over e-Kinerja, optionally for one unit only (``PerformanceSource.stats``)."""

    def __init__(self, source: PerformanceSource) -> None:
        self.source = source

    async def officer_units(self, unit_code: str | None = None) -> list[tuple[str, str]]:
        """(NIP, unit code) of every officer: the key map other sources group by unit with."""
        clause = Where()
        _in_unit(clause, unit_code)
        query = f"""
            SELECT g.nip, u.kode_unit FROM pegawai g JOIN unit_kerja u ON u.kode_unit = g.kode_unit
            WHERE {clause.sql}
        """
        return [(r["nip"], r["kode_unit"]) for r in await self.source.fetch(query, *clause.args)]

    async def predicates_by_unit(
        self, year: int, periods: Sequence[PerformancePeriod], unit_code: str | None = None
    ) -> list[UnitPredicates]:
        """Officers per predicate, for each unit and period rated in ``year``."""
        clause = Where()
        clause.add(f"pk.tahun = {clause.param(year)}")
        clause.add(f"pk.periode = ANY({clause.param([p.value for p in periods])}::text[])")
        _in_unit(clause, unit_code)
        query = f"""
            SELECT u.kode_unit, u.nama_unit, u.jenis_unit, pk.periode, pk.predikat,
                   count(*) AS n
            FROM penilaian_kinerja pk
            JOIN pegawai g ON g.nip = pk.nip
            JOIN unit_kerja u ON u.kode_unit = g.kode_unit
            WHERE {clause.sql}
            GROUP BY u.kode_unit, u.nama_unit, u.jenis_unit, pk.periode, pk.predikat
            ORDER BY u.kode_unit, pk.periode
        """
        found: dict[tuple[str, str], tuple[asyncpg.Record, dict[Predicate, int]]] = {}
        for r in await self.source.fetch(query, *clause.args):
            key = (r["kode_unit"], r["periode"])
            counts = found.setdefault(key, (r, dict.fromkeys(Predicate, 0)))[1]
            counts[Predicate.of(r["predikat"])] = int(r["n"])
        return [
            UnitPredicates(_unit(r), PerformancePeriod.of(r["periode"]), sum(c.values()), c)
            for r, c in found.values()
        ]

    async def compliance_by_unit(
        self, year: int, compliant_nips: Sequence[str], unit_code: str | None = None
    ) -> list[UnitCompliance]:
        """Active ASN per unit, and how many of them are among ``compliant_nips``."""
        clause = Where()
        compliant = clause.param(list(compliant_nips))
        clause.add(ASN)
        _in_unit(clause, unit_code)
        query = f"""
            SELECT u.kode_unit, u.nama_unit, u.jenis_unit,
                   count(*) AS officers, count(c.nip) AS compliant
            FROM pegawai g
            JOIN unit_kerja u ON u.kode_unit = g.kode_unit
            LEFT JOIN (SELECT DISTINCT nip FROM unnest({compliant}::text[]) AS c(nip)) c
                   ON c.nip = g.nip
            WHERE {clause.sql}
            GROUP BY u.kode_unit, u.nama_unit, u.jenis_unit
            ORDER BY u.kode_unit
        """
        return [
            UnitCompliance(_unit(r), year, int(r["officers"]), int(r["compliant"]))
            for r in await self.source.fetch(query, *clause.args)
        ]
