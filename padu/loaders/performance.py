"""DataLoaders over e-Kinerja."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from padu.loaders.base import ByKeyLoader, ManyByKeyLoader, PageByParentLoader
from padu.sources.base import Ranked
from padu.sources.performance import (
    Activity,
    ActivityKey,
    Officer,
    PerformancePeriod,
    PerformanceSource,
    PerformanceSummary,
)

PerformanceKey = tuple[str, int, PerformancePeriod]


@dataclass(frozen=True, slots=True)
class OfficerPageArgs:
    """Page size and cursor (a NIP) of a unit's officer list."""

    limit: int
    after: str | None


@dataclass(frozen=True, slots=True)
class ActivityPageArgs:
    """Date range, page size and cursor of an officer's activity list."""

    date_from: date | None
    date_to: date | None
    limit: int
    after: ActivityKey | None


class OfficerByNipLoader(ByKeyLoader[str, Officer]):
    """Officers (with their unit) by NIP."""

    source: PerformanceSource
    source_name = "performance"

    async def fetch(self, keys: Sequence[str]) -> Sequence[Officer]:
        return await self.source.officers_by_nip(keys, await self.scopes.officers())

    def key_of(self, item: Officer) -> str:
        return item.nip


class OfficersByUnitLoader(PageByParentLoader[str, OfficerPageArgs, Officer]):
    """A page of each unit's officers in NIP order."""

    source: PerformanceSource
    source_name = "performance"

    async def fetch(
        self, parents: Sequence[str], arguments: OfficerPageArgs
    ) -> Sequence[Ranked[Officer]]:
        scope = await self.scopes.officers()
        return await self.source.officers_by_unit(parents, arguments.limit, arguments.after, scope)

    def parent_of(self, item: Officer) -> str:
        return item.unit.code


class ActivitiesByOfficerLoader(PageByParentLoader[str, ActivityPageArgs, Activity]):
    """A page of each officer's activities, newest first."""

    source: PerformanceSource
    source_name = "performance"

    async def fetch(
        self, parents: Sequence[str], arguments: ActivityPageArgs
    ) -> Sequence[Ranked[Activity]]:
        return await self.source.activities_by_officer(
            parents, arguments.date_from, arguments.date_to, arguments.limit, arguments.after
        )

    def parent_of(self, item: Activity) -> str:
        return item.officer_nip


class PerformanceByOfficerLoader(ByKeyLoader[PerformanceKey, PerformanceSummary]):
    """Performance summaries by (NIP, year, period)."""

    source: PerformanceSource
    source_name = "performance"

    async def fetch(self, keys: Sequence[PerformanceKey]) -> Sequence[PerformanceSummary]:
        return await self.source.performance(keys)

    def key_of(self, item: PerformanceSummary) -> PerformanceKey:
        return (item.officer_nip, item.year, item.period)


class ActiveAsnByUnitLoader(ManyByKeyLoader[str, str]):
    """NIPs of each unit's active ASN (PNS and PPPK), who owe 20 JP a year."""

    source: PerformanceSource
    source_name = "performance"

    async def fetch(self, keys: Sequence[str]) -> Sequence[tuple[str, str]]:
        return await self.source.active_asn_by_unit(keys)
