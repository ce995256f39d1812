"""The dashboard: service levels, performance, learning compliance and residents, counted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from padu.resolvers import dashboard as resolve
from padu.schema.enums import PerformancePeriod, Predicate
from padu.schema.performance import Unit
from padu.sources.population import ResidentDimension
from padu.sources.service_request_stats import RequestDimension

if TYPE_CHECKING:
    from padu.schema.learning import UnitLearningCompliance
    from padu.schema.performance import Officer

LazyOfficer = Annotated["Officer", strawberry.lazy("padu.schema.performance")]
LazyCompliance = Annotated["UnitLearningCompliance", strawberry.lazy("padu.schema.learning")]

strawberry.enum(
    RequestDimension,
    description="What service levels are grouped by; MONTH is of submission (WIB), UNIT the "
    "assignee's unit in e-Kinerja.",
)
strawberry.enum(
    ResidentDimension, description="What residents are counted by; AGE_BAND is five-year bands."
)


@strawberry.type(description="Counts and times of a set of service requests.")
class ServiceLevels:
    total: int
    backlog: int = strawberry.field(description="Still open: submitted, verified or in progress.")
    overdue: int = strawberry.field(description="Open past their due time.")
    resolved: int
    rejected: int
    resolved_on_time: int = strawberry.field(description="Resolved by their due time.")

    sla_compliance: float | None = strawberry.field(
        resolver=resolve.sla_compliance,
        description="`resolvedOnTime` / `resolved`; null when none was resolved.",
    )
    average_resolution_hours: float | None = strawberry.field(
        resolver=resolve.average_resolution_hours,
        description="Mean hours from submission to resolution (resolved only).",
    )
    p90_resolution_hours: float | None = strawberry.field(
        resolver=resolve.p90_resolution_hours,
        description="90th percentile of those hours (interpolated).",
    )


@strawberry.type(description="The service levels of one group.")
class ServiceLevelGroup:
    key: str | None = strawberry.field(
        description="Status or category name, district or village code, month (YYYY-MM), unit "
        "code; null for requests with no unit."
    )
    label: str = strawberry.field(description="A name for people: district name, unit name…")
    levels: ServiceLevels


@strawberry.type(description="Residents in one group.")
class ResidentGroup:
    key: str = strawberry.field(description="District code, gender, or age band (e.g. 20-24).")
    label: str
    residents: int


@strawberry.type(description="An officer and how many requests they resolved.")
class ResolverCount:
    resolved: int
    officer: LazyOfficer | None = strawberry.field(
        resolver=resolve.resolver_officer, description="The officer (e-Kinerja)."
    )


@strawberry.type(description="Officers with one predicate.")
class PredicateCount:
    predicate: Predicate
    label: str = strawberry.field(description="The predicate in Indonesian.")
    officers: int


@strawberry.type(description="A unit's predicates in one quarter.")
class UnitPerformance:
    unit: Unit
    period: PerformancePeriod
    rated: int = strawberry.field(description="Officers rated in the period.")
    suppressed: bool = strawberry.field(
        description="For the dashboard role, a unit with fewer rated officers than "
        "`min_group_size` shows no predicates (empty), so no one's rating can be inferred."
    )

    predicates: list[PredicateCount] = strawberry.field(
        resolver=resolve.predicate_counts,
        description="Officers per predicate, best first (zeros included).",
    )


@strawberry.type(
    description="Aggregates for dashboards, computed by the source systems under one filter. "
    "A supervisor sees their own unit's."
)
class Dashboard:
    service_levels: ServiceLevels = strawberry.field(
        resolver=resolve.service_levels, description="Headline counts of the filtered requests."
    )
    service_levels_by: list[ServiceLevelGroup] = strawberry.field(
        resolver=resolve.service_levels_by,
        description="The same, per group: statuses in lifecycle order, other keys sorted, "
        "no-unit last.",
    )
    top_resolvers: list[ResolverCount] = strawberry.field(
        resolver=resolve.top_resolvers,
        description="Officers who resolved the most filtered requests, most first.",
    )
    performance: list[UnitPerformance] = strawberry.field(
        resolver=resolve.performance_by_unit,
        description="e-Kinerja predicates per unit and quarter of `year` (all four, or `quarter`).",
    )
    learning_compliance: list[LazyCompliance] = strawberry.field(
        resolver=resolve.learning_compliance,
        description="Per unit: active ASN with at least `jpRequired` JP in `year`.",
    )
    residents_by: list[ResidentGroup] = strawberry.field(
        resolver=resolve.residents_by,
        description="Residents per group, by their family card's address (district filter "
        "only; the period does not apply).",
    )
