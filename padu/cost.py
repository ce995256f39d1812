"""What each field costs: how many items its list holds and how much work it makes, as data.

The query limits (``padu.limits``) price an operation before it runs::

    cost(selections) = sum over fields f of  work(f) + size(f) * cost(f's selections)

- ``size(f)`` is how many objects ``f`` returns, each paying for the selections below it:
  the page size for a paginated field (its ``first``, coerced as execution will coerce it,
  capped at ``max_page_size``), the real size for a list Padu knows (13 districts for Kota
  Tangerang, the largest district's villages, the groups of a dashboard dimension), an
  assumed bound where only the data knows (``[limits] assumed_units``, a family's members,
  a request's events), and 1 for a single object. The edges and nodes of a connection are
  1: the connection field already multiplied by its page. A list of objects missing from
  ``FIELD_COSTS`` counts as the largest page (``tests/api/test_limits.py`` checks there is
  none).
- ``work(f)`` is 1 for a field read from an object, and ``AGGREGATE`` for a field the source
  computes by scanning a table (every figure under ``dashboard``), because at city scale one
  such scan takes as long as building thousands of values (0.3-3 s, see the README).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from padu.config import Config
from padu.sources.performance import Predicate
from padu.sources.population import AGE_BAND_YEARS, OLDEST_BAND, Gender, ResidentDimension
from padu.sources.service_request_stats import RequestDimension
from padu.sources.service_requests import RequestStatus, ServiceCategory

AGGREGATE = 1_000  # a scan of a source table (dashboard figures)
UNIT_COMPLIANCE = 100  # one unit's ASN and their learning totals, read into Padu
MONTHS = 36  # monthly groups assumed for MONTH: three years of requests
FAMILY_MEMBERS = 10  # people on one family card, assumed
REQUEST_EVENTS = 10  # steps of one request's timeline (a few reassignments included)
YEAR_ENROLLMENTS = 20  # one officer's enrolments in one year, assumed
MUTATION_ERRORS = 5  # errors one mutation answers (one per input field at most)


@dataclass(frozen=True, slots=True)
class Sizes:
    """The list sizes known from configuration: the region's, and the assumed unit count."""

    districts: int
    villages: int
    villages_per_district: int
    units: int

    @classmethod
    def of(cls, config: Config) -> Sizes:
        region = config.region
        largest = max((len(d.villages) for d in region.districts), default=0)
        units = config.limits.assumed_units
        return cls(len(region.districts), len(region.villages), largest, units)


Arguments = Mapping[str, Any]
SizeOf = Callable[[Sizes, Arguments], int]


@dataclass(frozen=True, slots=True)
class FieldCost:
    """One field's list size (a number, or from the sizes and its coerced arguments) and work."""

    size: int | SizeOf = 1
    work: int = 1


def _request_groups(sizes: Sizes, arguments: Arguments) -> int:
    groups: dict[Any, int] = {
        RequestDimension.STATUS: len(RequestStatus),
        RequestDimension.CATEGORY: len(ServiceCategory),
        RequestDimension.DISTRICT: sizes.districts,
        RequestDimension.VILLAGE: sizes.villages,
        RequestDimension.MONTH: MONTHS,
        RequestDimension.UNIT: sizes.units + 1,  # and the group of requests with no unit
    }
    return _chosen(groups, arguments.get("dimension"))


def _chosen(groups: Mapping[Any, int], dimension: Any) -> int:
    """The number of groups of ``dimension``; the most of any when it is missing or invalid."""
    known = isinstance(dimension, Hashable) and dimension in groups
    return groups[dimension] if known else max(groups.values())


def _resident_groups(sizes: Sizes, arguments: Arguments) -> int:
    groups: dict[Any, int] = {
        ResidentDimension.DISTRICT: sizes.districts,
        ResidentDimension.GENDER: len(Gender),
        ResidentDimension.AGE_BAND: OLDEST_BAND // AGE_BAND_YEARS + 1,
    }
    return _chosen(groups, arguments.get("dimension"))


def _unit_quarters(sizes: Sizes, arguments: Arguments) -> int:
    return sizes.units * (4 if arguments.get("quarter") is None else 1)


FIELD_COSTS: dict[tuple[str, str], FieldCost] = {
    ("Region", "districts"): FieldCost(size=lambda sizes, _: sizes.districts),
    ("District", "villages"): FieldCost(size=lambda sizes, _: sizes.villages_per_district),
    ("Query", "units"): FieldCost(size=lambda sizes, _: sizes.units),
    ("Family", "members"): FieldCost(size=FAMILY_MEMBERS),
    ("ServiceRequest", "events"): FieldCost(size=REQUEST_EVENTS),
    ("LearningSummary", "enrollments"): FieldCost(size=YEAR_ENROLLMENTS),
    ("Unit", "learningCompliance"): FieldCost(work=UNIT_COMPLIANCE),
    ("UnitPerformance", "predicates"): FieldCost(size=len(Predicate)),
    ("EnrollmentPayload", "errors"): FieldCost(size=MUTATION_ERRORS),
    ("ServiceRequestPayload", "errors"): FieldCost(size=MUTATION_ERRORS),
    ("Dashboard", "serviceLevels"): FieldCost(work=AGGREGATE),
    ("Dashboard", "serviceLevelsBy"): FieldCost(size=_request_groups, work=AGGREGATE),
    ("Dashboard", "topResolvers"): FieldCost(work=AGGREGATE),  # size: its `first`
    ("Dashboard", "performance"): FieldCost(size=_unit_quarters, work=AGGREGATE),
    ("Dashboard", "learningCompliance"): FieldCost(size=lambda s, _: s.units, work=AGGREGATE),
    ("Dashboard", "residentsBy"): FieldCost(size=_resident_groups, work=AGGREGATE),
    ("Subscription", "dashboardCounters"): FieldCost(work=AGGREGATE),
    ("Query", "nodes"): FieldCost(size=lambda _, args: len(args.get("ids") or ())),
    # A subgraph's entities by key: as many as the gateway sent representations.
    ("Query", "_entities"): FieldCost(size=lambda _, args: len(args.get("representations") or ())),
}
