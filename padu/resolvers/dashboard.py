"""Resolvers of the ``dashboard`` root: aggregates computed in the sources, never in Python."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field, replace

from strawberry.types.nodes import SelectedField, Selection

from padu.access.gate import Forbidden
from padu.errors import BadUserInput
from padu.loaders.performance import OfficerByNipLoader
from padu.principal import Role
from padu.resolvers import live, region
from padu.resolvers.info import Info
from padu.resolvers.performance import check_year, quarter_period
from padu.schema.inputs import DashboardFilter
from padu.sources import performance
from padu.sources.performance import Predicate
from padu.sources.performance_stats import UnitCompliance, UnitPredicates
from padu.sources.population import AGE_BAND_YEARS, OLDEST_BAND, Gender, ResidentDimension
from padu.sources.population import ResidentFilter as ResidentWhere
from padu.sources.service_request_changes import RequestChange
from padu.sources.service_request_stats import LevelGroup, RequestDimension, ServiceLevels
from padu.sources.service_requests import RequestFilter, RequestStatus, ServiceCategory

TOP_RESOLVERS_MAX = 100
# Counters are recounted after this many quiet seconds too: requests become overdue by time.
COUNTER_REFRESH_SECONDS = 30.0
# Changes within this window are counted once (a batch of writes makes one update), and a
# dashboard is recounted at most once per COUNTER_INTERVAL_SECONDS: at city scale a count
# scans a million requests, so a busy hour must not turn into a count per change.
COUNTER_SETTLE_SECONDS = 0.05
COUNTER_INTERVAL_SECONDS = 1.0
NO_UNIT = "Unassigned or not in e-Kinerja"


@dataclass(frozen=True, slots=True)
class DashboardView:
    """What a dashboard query counts: the requests and residents matching its filter, and a
    supervisor's unit (None: every unit)."""

    requests: RequestFilter = field(default_factory=RequestFilter)
    residents: ResidentWhere = field(default_factory=ResidentWhere)
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class LabelledLevels:
    """The service levels of one group, with a label for people; no key: requests with no unit."""

    key: str | None
    label: str
    levels: ServiceLevels


@dataclass(frozen=True, slots=True)
class ResidentCount:
    """The residents of one group, with a label for people."""

    key: str
    label: str
    residents: int


@dataclass(frozen=True, slots=True)
class ResolverCount:
    """An officer and the requests they resolved."""

    nip: str
    resolved: int


def _asks_for(selections: Sequence[Selection], path: tuple[str, ...]) -> bool:
    """Whether the selection reaches the field ``path`` (through fragments too)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name != path[0]:
                continue
            if len(path) == 1 or _asks_for(selection.selections, path[1:]):
                return True
        elif _asks_for(selection.selections, path):
            return True
    return False


def _p90_asked(info: Info, *within: str) -> bool:
    """Whether the query asks for the p90 (a costly sort) under this field."""
    return _asks_for(info.selected_fields, (info.field_name, *within, "p90ResolutionHours"))


def _checked(info: Info, f: DashboardFilter) -> DashboardFilter:
    known = info.context.config.region
    if f.district_code is not None and known.district(f.district_code) is None:
        raise BadUserInput(
            f"`districtCode` {f.district_code!r} is not a district of {known.name}; "
            "see `region { districts { code } }`",
            argument="districtCode",
        )
    if f.village_code is not None and known.village(f.village_code) is None:
        raise BadUserInput(
            f"`villageCode` {f.village_code!r} is not a village of {known.name}; "
            "see `region { districts { villages { code } } }`",
            argument="villageCode",
        )
    if (
        f.submitted_from is not None
        and f.submitted_before is not None
        and f.submitted_from >= f.submitted_before
    ):
        raise BadUserInput(
            "`submittedFrom` must be before `submittedBefore`", argument="submittedFrom"
        )
    return f


async def dashboard(info: Info, filter: DashboardFilter | None = None) -> DashboardView:
    f = _checked(info, filter or DashboardFilter())
    unit = None
    if info.context.viewer.role is Role.SUPERVISOR:
        unit = await info.context.scopes.unit()
        if unit is None:
            raise Forbidden(
                "Your e-Kinerja record names no unit, so there is no unit dashboard to show.",
                field="Query.dashboard",
            )
    return DashboardView(
        requests=RequestFilter(
            categories=None if f.category is None else tuple(f.category),
            district_code=f.district_code,
            village_code=f.village_code,
            submitted_from=f.submitted_from,
            submitted_before=f.submitted_before,
        ),
        residents=ResidentWhere(district_code=f.district_code, village_code=f.village_code),
        unit=unit,
    )


async def service_levels(root: DashboardView, info: Info) -> ServiceLevels:
    scope = await info.context.scopes.requests()
    source = info.context.sources.service_requests
    return await source.stats.service_levels(root.requests, scope, _p90_asked(info))


async def _unit_groups(root: DashboardView, info: Info) -> tuple[list[LevelGroup], dict[str, str]]:
    sources = info.context.sources
    officer_units, units, scope = await asyncio.gather(
        sources.performance.stats.officer_units(root.unit),
        sources.performance.units(),
        info.context.scopes.requests(),
    )
    groups = await sources.service_requests.stats.service_levels_by(
        RequestDimension.UNIT, root.requests, scope, officer_units, _p90_asked(info, "levels")
    )
    return groups, {u.code: u.name for u in units}


def _label(info: Info, dimension: RequestDimension, group: LevelGroup) -> tuple[str | None, str]:
    """The group's key as the API spells it, and its label."""
    key = group.key
    if key is None:
        return None, NO_UNIT
    if dimension is RequestDimension.STATUS:
        return RequestStatus(key).name, key
    if dimension is RequestDimension.CATEGORY:
        return ServiceCategory(key).name, group.label or key
    if dimension is RequestDimension.DISTRICT:
        return key, region.district_by_code(info, key).name
    if dimension is RequestDimension.VILLAGE:
        return key, region.village_by_code(info, key).name
    return key, group.label or key


async def service_levels_by(
    root: DashboardView, info: Info, dimension: RequestDimension
) -> list[LabelledLevels]:
    if dimension is RequestDimension.UNIT:
        groups, unit_names = await _unit_groups(root, info)
        return [
            LabelledLevels(
                g.key, NO_UNIT if g.key is None else unit_names.get(g.key, g.key), g.levels
            )
            for g in groups
        ]
    scope = await info.context.scopes.requests()
    source = info.context.sources.service_requests
    percentile = _p90_asked(info, "levels")
    groups = await source.stats.service_levels_by(dimension, root.requests, scope, (), percentile)
    labelled = [LabelledLevels(*_label(info, dimension, g), levels=g.levels) for g in groups]
    if dimension is RequestDimension.STATUS:  # in the order of a request's life
        lifecycle = [s.name for s in RequestStatus]
        return sorted(labelled, key=lambda g: lifecycle.index(g.key or ""))
    return sorted(labelled, key=lambda g: g.key or "")


async def top_resolvers(root: DashboardView, info: Info, first: int = 10) -> list[ResolverCount]:
    if not 1 <= first <= TOP_RESOLVERS_MAX:
        raise BadUserInput(
            f"`first` must be between 1 and {TOP_RESOLVERS_MAX}, got {first}", argument="first"
        )
    scope = await info.context.scopes.requests()
    source = info.context.sources.service_requests
    top = await source.stats.top_resolvers(root.requests, scope, first)
    return [ResolverCount(t.nip, t.resolved) for t in top]


async def resolver_officer(root: ResolverCount, info: Info) -> performance.Officer | None:
    return await info.context.loaders[OfficerByNipLoader].load(root.nip)


async def performance_by_unit(
    root: DashboardView, info: Info, year: int, quarter: int | None = None
) -> list[UnitPredicates]:
    periods = [quarter_period(q) for q in ((1, 2, 3, 4) if quarter is None else (quarter,))]
    source = info.context.sources.performance
    groups = await source.stats.predicates_by_unit(check_year(year), periods, root.unit)
    if info.context.viewer.role is not Role.DASHBOARD:
        return groups  # supervisors and admins may read each officer's rating anyway
    # The dashboard role may not read one officer's rating, so neither a unit's few.
    smallest = info.context.config.min_group_size
    return [g if g.rated >= smallest else replace(g, counts={}, suppressed=True) for g in groups]


async def learning_compliance(root: DashboardView, info: Info, year: int) -> list[UnitCompliance]:
    sources = info.context.sources
    required = info.context.config.jp_required
    compliant = await sources.learning.compliant_officers(check_year(year), required)
    return await sources.performance.stats.compliance_by_unit(year, compliant, root.unit)


def _age_band(lower: str) -> str:
    start = int(lower)
    return f"{start}+" if start >= OLDEST_BAND else f"{start}-{start + AGE_BAND_YEARS - 1}"


async def residents_by(
    root: DashboardView, info: Info, dimension: ResidentDimension
) -> list[ResidentCount]:
    scope = await info.context.scopes.residents()
    source = info.context.sources.population
    counts = await source.count_residents_by(dimension, root.residents, scope)
    if dimension is ResidentDimension.DISTRICT:
        return [ResidentCount(k, region.district_by_code(info, k).name, n) for k, n in counts]
    if dimension is ResidentDimension.GENDER:
        return [ResidentCount(Gender(k).name, k, n) for k, n in counts]
    return [ResidentCount(_age_band(k), _age_band(k), n) for k, n in counts]


def sla_compliance(root: ServiceLevels) -> float | None:
    return root.sla_compliance


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def average_resolution_hours(root: ServiceLevels) -> float | None:
    return _hours(root.average_resolution_seconds)


def p90_resolution_hours(root: ServiceLevels) -> float | None:
    return _hours(root.p90_resolution_seconds)


@dataclass(frozen=True, slots=True)
class PredicateCount:
    """Officers with one predicate."""

    predicate: Predicate
    label: str
    officers: int


def predicate_counts(root: UnitPredicates) -> list[PredicateCount]:
    return [PredicateCount(p, p.value, n) for p, n in root.counts.items()]


def _concerns(view: DashboardView, change: RequestChange) -> bool:
    """Whether the change can move the counts of ``view`` (the period is checked by counting)."""
    where = view.requests
    return (
        where.district_code in (None, change.district_code)
        and where.village_code in (None, change.village_code)
        and (where.categories is None or change.category in where.categories)
    )


async def dashboard_counters(
    info: Info, filter: DashboardFilter | None = None
) -> AsyncGenerator[ServiceLevels, None]:
    view = await dashboard(info, filter)
    scope = await info.context.scopes.requests()
    source = info.context.sources.service_requests
    feed = info.context.changes
    percentile = _p90_asked(info)
    last, counted_at, counted_up_to = None, 0.0, 0
    async for change in live.changes(info, refresh=COUNTER_REFRESH_SECONDS, initial=True):
        if change is not None:
            if change.serial <= counted_up_to or not _concerns(view, change):
                continue  # already in the last count, or outside this dashboard
            since = time.monotonic() - counted_at
            await asyncio.sleep(max(COUNTER_SETTLE_SECONDS, COUNTER_INTERVAL_SECONDS - since))
        counted_at, counted_up_to = time.monotonic(), feed.generation
        # Dashboards with the same filter and scope share one count per change.
        levels = await feed.shared(
            ("service_levels", view.requests, scope, percentile),
            lambda: source.stats.service_levels(view.requests, scope, percentile),
        )
        if levels != last:
            last = levels
            yield levels
