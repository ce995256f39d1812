"""DataLoaders over e-Kinerja."""

from __future__ import annotations

import asyncio
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


class OfficerWithPerformanceLoader(ByKeyLoader[PerformanceKey, tuple[Officer, PerformanceSummary]]):
    """Officers by NIP with their performance of one period, in one round trip per period.

    For a query that asks for officers and, under them, their performance (a request's
    assignee and the assignee's predicate): the same rows as ``OfficerByNipLoader`` then
    ``PerformanceByOfficerLoader``, one level's round trip instead of two.
    """

    source: PerformanceSource
    source_name = "performance"

    async def fetch(
        self, keys: Sequence[PerformanceKey]
    ) -> Sequence[tuple[Officer, PerformanceSummary]]:
        scope = await self.scopes.officers()
        periods: dict[tuple[int, PerformancePeriod], list[str]] = {}
        for nip, year, period in keys:
            periods.setdefault((year, period), []).append(nip)
        found = await asyncio.gather(
            *(
                self.source.officers_with_performance(nips, year, period, scope)
                for (year, period), nips in periods.items()
            )
        )
        return [pair for pairs in found for pair in pairs]

    def key_of(self, item: tuple[Officer, PerformanceSummary]) -> PerformanceKey:
        summary = item[1]
        return (summary.officer_nip, summary.year, summary.period)


class ActiveAsnByUnitLoader(ManyByKeyLoader[str, str]):
    """NIPs of each unit's active ASN (PNS and PPPK), who owe 20 JP a year."""

    source: PerformanceSource
    source_name = "performance"

    async def fetch(self, keys: Sequence[str]) -> Sequence[tuple[str, str]]:
        return await self.source.active_asn_by_unit(keys)
