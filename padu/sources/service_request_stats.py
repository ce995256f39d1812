"""Service levels for dashboards: counts, SLA compliance and resolution times, grouped.

Every figure is computed by PostgreSQL (``GROUP BY`` with aggregate ``FILTER``s); only the
groups leave the database. Grouping by unit takes the NIP → unit map from e-Kinerja as two
arrays and joins it in SQL, so a unit's percentiles are exact, not merged from officers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from padu.lookup_enum import LookupEnum
from padu.sources.service_requests import (
    OPEN,
    OVERDUE,
    RequestFilter,
    RequestScope,
    request_clause,
)

if TYPE_CHECKING:
    from padu.sources.service_requests import ServiceRequestsSource


class RequestDimension(LookupEnum):
    """What service levels can be grouped by."""

    STATUS = "status"
    CATEGORY = "category"
    DISTRICT = "district"
    VILLAGE = "village"
    MONTH = "month"
    UNIT = "unit"


@dataclass(frozen=True, slots=True)
class ServiceLevels:
    """Counts and times of a set of requests."""

    total: int
    backlog: int  # still open: waiting, being verified or in progress
    overdue: int  # open past their due time
    resolved: int
    rejected: int
    resolved_on_time: int
    average_resolution_seconds: float | None
    p90_resolution_seconds: float | None

    @property
    def sla_compliance(self) -> float | None:
        """Share of resolved requests resolved by their due time; None when none resolved."""
        return self.resolved_on_time / self.resolved if self.resolved else None


@dataclass(frozen=True, slots=True)
class LevelGroup:
    """The service levels of one group; ``key`` is None for requests with no unit."""

    key: str | None
    label: str | None
    levels: ServiceLevels


# Months are counted in Western Indonesian Time (UTC+7), like the learning year.
_MONTH = "to_char((p.dibuat_pada AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM')"
_RESOLVED = "p.status = 'selesai'"
_RESOLUTION = "extract(epoch FROM p.selesai_pada - p.dibuat_pada)"
_LEVELS = f"""
    count(*) AS total,
    count(*) FILTER (WHERE {OPEN}) AS backlog,
    count(*) FILTER (WHERE {OVERDUE}) AS overdue,
    count(*) FILTER (WHERE {_RESOLVED}) AS resolved,
    count(*) FILTER (WHERE p.status = 'ditolak') AS rejected,
    count(*) FILTER (WHERE {_RESOLVED} AND p.selesai_pada <= p.batas_waktu) AS on_time,
    avg({_RESOLUTION}) FILTER (WHERE {_RESOLVED}) AS average
"""
# A percentile sorts every resolved request: most of a count's time at city scale (0.9 of
# 1.2 s over a million requests), so it is computed only when asked for.
_P90 = f"""
    , percentile_cont(0.9) WITHIN GROUP (ORDER BY {_RESOLUTION}) FILTER (WHERE {_RESOLVED}) AS p90
"""


def _aggregates(percentile: bool) -> str:
    return _LEVELS + (_P90 if percentile else "")


# (group key, label) per dimension; the unit is joined from the NIP → unit map ``u``.
_GROUPS = {
    RequestDimension.STATUS: ("p.status", "p.status"),
    RequestDimension.CATEGORY: ("p.kode_kategori", "c.nama"),
    RequestDimension.DISTRICT: ("p.kode_kecamatan", "NULL::text"),
    RequestDimension.VILLAGE: ("p.kode_kelurahan", "NULL::text"),
    RequestDimension.MONTH: (_MONTH, _MONTH),
    RequestDimension.UNIT: ("u.unit", "NULL::text"),
}


def _levels(row: asyncpg.Record) -> ServiceLevels:
    return ServiceLevels(
        total=row["total"],
        backlog=row["backlog"],
        overdue=row["overdue"],
        resolved=row["resolved"],
        rejected=row["rejected"],
        resolved_on_time=row["on_time"],
        average_resolution_seconds=None if row["average"] is None else float(row["average"]),
        p90_resolution_seconds=None if row.get("p90") is None else float(row["p90"]),
    )


@dataclass(frozen=True, slots=True)
class TopResolver:
    """An officer and how many requests they resolved."""

    nip: str
    resolved: int


class ServiceRequestStats:
    """Aggregates over service requests, under the same filters and scopes as the lists
    (``ServiceRequestsSource.stats``)."""

    def __init__(self, source: ServiceRequestsSource) -> None:
        self.source = source

    async def service_levels(
        self, where: RequestFilter, scope: RequestScope, percentile: bool = True
    ) -> ServiceLevels:
        """The service levels of every request matching ``where`` in ``scope`` (without
        ``percentile``, no p90: it is None)."""
        clause = request_clause(where, scope)
        query = f"SELECT {_aggregates(percentile)} FROM permohonan p WHERE {clause.sql}"
        rows = await self.source.fetch(query, *clause.args)
        return _levels(rows[0])

    async def service_levels_by(
        self,
        dimension: RequestDimension,
        where: RequestFilter,
        scope: RequestScope,
        units: Sequence[tuple[str, str]] = (),
        percentile: bool = True,
    ) -> list[LevelGroup]:
        """Service levels per group, in key order (``units``: the NIP → unit map for UNIT)."""
        clause = request_clause(where, scope)
        key, label = _GROUPS[dimension]
        tables = "permohonan p"
        if dimension is RequestDimension.CATEGORY:
            tables += " JOIN kategori_layanan c ON c.kode = p.kode_kategori"
        if dimension is RequestDimension.UNIT:
            nips = clause.param([nip for nip, _ in units])
            codes = clause.param([code for _, code in units])
            tables += f"""
                LEFT JOIN unnest({nips}::text[], {codes}::text[]) AS u(nip, unit)
                       ON u.nip = p.nip_petugas
            """
        query = f"""
            SELECT {key} AS key, {label} AS label, {_aggregates(percentile)}
            FROM {tables}
            WHERE {clause.sql}
            GROUP BY 1, 2
            ORDER BY 1 NULLS LAST
        """
        return [
            LevelGroup(r["key"], r["label"], _levels(r))
            for r in await self.source.fetch(query, *clause.args)
        ]

    async def top_resolvers(
        self, where: RequestFilter, scope: RequestScope, limit: int
    ) -> list[TopResolver]:
        """The officers who resolved the most requests matching ``where``, most first."""
        clause = request_clause(where, scope)
        clause.add(_RESOLVED)
        clause.add("p.nip_petugas IS NOT NULL")
        query = f"""
            SELECT p.nip_petugas, count(*) AS resolved
            FROM permohonan p
            WHERE {clause.sql}
            GROUP BY p.nip_petugas
            ORDER BY resolved DESC, p.nip_petugas
            LIMIT {clause.param(limit)}
        """
        return [
            TopResolver(r["nip_petugas"], r["resolved"])
            for r in await self.source.fetch(query, *clause.args)
        ]
