"""Resolvers for officers, units, activities and performance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values

from padu.errors import BadUserInput
from padu.loaders.performance import (
    ActivitiesByOfficerLoader,
    ActivityPageArgs,
    OfficerByNipLoader,
    OfficerPageArgs,
    OfficersByUnitLoader,
    OfficerWithPerformanceLoader,
    PerformanceByOfficerLoader,
)
from padu.resolvers.info import Info
from padu.resolvers.pagination import (
    CursorKind,
    list_connection,
    page_connection,
    page_request,
)
from padu.schema.inputs import OfficerFilter
from padu.schema.pagination import Connection
from padu.schema.scalars import NIP
from padu.sources import learning
from padu.sources import performance as records

OFFICER_CURSOR = CursorKind[records.Officer]("officer", (str,), lambda o: (o.nip,))
ACTIVITY_CURSOR = CursorKind[records.Activity]("activity", (date, int), lambda a: (a.date, a.id))


def check_year(year: int) -> int:
    """Reject years no source holds data for, with the reason."""
    if not 1950 <= year <= 2100:
        raise BadUserInput(f"`year` must be between 1950 and 2100, got {year}", argument="year")
    return year


def quarter_period(quarter: int) -> records.PerformancePeriod:
    """The e-Kinerja period of quarter 1-4; anything else is refused with the reason."""
    if not 1 <= quarter <= 4:
        raise BadUserInput(f"`quarter` must be 1, 2, 3 or 4, got {quarter}", argument="quarter")
    return list(records.PerformancePeriod)[quarter - 1]


async def officer_by_nip(info: Info, nip: str) -> records.Officer | None:
    """The officer with ``nip`` (in the caller's scope), for a field returning an officer.

    When the query asks, under this field, for the officer's ``performance`` of a period, the
    officer and that summary are read in one round trip (``OfficerWithPerformanceLoader``),
    and the summary is handed to ``PerformanceByOfficerLoader`` for the field to find.
    """
    period = wanted_performance(info)
    loaders = info.context.loaders
    if period is None:
        return await loaders[OfficerByNipLoader].load(nip)
    key = (nip, *period)
    found = await loaders[OfficerWithPerformanceLoader].load(key)
    if found is None:
        return None
    officer_, summary = found
    loaders[OfficerByNipLoader].prime(nip, officer_)
    loaders[PerformanceByOfficerLoader].prime(key, summary)
    return officer_


def wanted_performance(info: Info) -> tuple[int, records.PerformancePeriod] | None:
    """The (year, period) of the first ``performance`` field selected under this field, if its
    arguments are valid (invalid ones are left for that field to refuse); one look per field
    of the query, kept in the field's first node for the request's other objects."""
    raw = info._raw_info
    node = raw.field_nodes[0]
    remembered = info.context.lookahead.get(id(node), _UNSEEN)
    if remembered is not _UNSEEN:
        return remembered  # type: ignore[return-value]
    wanted = None
    officer_type = raw.schema.type_map.get("Officer")
    found = _field_named("performance", raw.field_nodes, raw.fragments)
    if found is not None and isinstance(officer_type, GraphQLObjectType):
        given: Any = raw.variable_values  # Strawberry hands resolvers the coerced dict alone
        if not isinstance(given, VariableValues):
            given = VariableValues(sources={}, coerced=dict(given or {}))
        variables = given
        try:
            arguments = get_argument_values(officer_type.fields["performance"], found, variables)
            year, quarter = check_year(arguments["year"]), arguments.get("quarter")
            period = records.PerformancePeriod.FINAL if quarter is None else quarter_period(quarter)
            wanted = (year, period)
        except (GraphQLError, BadUserInput, KeyError, TypeError):
            wanted = None
    info.context.lookahead[id(node)] = wanted
    return wanted


_UNSEEN = object()


def _field_named(
    name: str, nodes: Sequence[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> FieldNode | None:
    """The first field ``name`` directly under ``nodes`` (through fragments), if any."""
    pending: list[SelectionSetNode] = [n.selection_set for n in nodes if n.selection_set]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop(0).selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    return selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                spread = selection.name.value
                if spread not in seen and spread in fragments:
                    seen.add(spread)
                    pending.append(fragments[spread].selection_set)
    return None


async def officer(info: Info, nip: NIP) -> records.Officer | None:
    scope = await info.context.scopes.officers()
    found = await info.context.sources.performance.officers_by_nip([nip], scope)
    if not found:
        return None
    info.context.loaders[OfficerByNipLoader].prime(nip, found[0])
    return found[0]


async def officers(
    info: Info,
    filter: OfficerFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[records.Officer]:
    request = page_request(info, first, after, OFFICER_CURSOR)
    f = filter or OfficerFilter()
    where = records.OfficerFilter(
        unit_code=f.unit_code, name=f.name, employment_type=f.employment_type, active=f.active
    )
    source = info.context.sources.performance
    position = request.after_part()
    scope = await info.context.scopes.officers()
    return await list_connection(
        info,
        request,
        OFFICER_CURSOR,
        page=lambda: source.list_officers(where, request.limit, position, scope),
        counted_page=lambda: source.page_officers(where, request.limit, position, scope),
    )


async def units(info: Info) -> list[records.Unit]:
    return await info.context.sources.performance.units()


async def unit_officers(
    root: records.Unit, info: Info, first: int | None = 20, after: str | None = None
) -> Connection[records.Officer]:
    request = page_request(info, first, after, OFFICER_CURSOR)
    arguments = OfficerPageArgs(limit=request.limit, after=request.after_part())
    page = await info.context.loaders[OfficersByUnitLoader].load((root.code, arguments))
    return page_connection(page, request, OFFICER_CURSOR)


async def officer_performance(
    root: records.Officer, info: Info, year: int, quarter: int | None = None
) -> records.PerformanceSummary | None:
    period = records.PerformancePeriod.FINAL if quarter is None else quarter_period(quarter)
    key = (root.nip, check_year(year), period)
    return await info.context.loaders[PerformanceByOfficerLoader].load(key)


def predicate_label(root: records.PerformanceSummary) -> str | None:
    return None if root.predicate is None else root.predicate.value


async def officer_activities(
    root: records.Officer,
    info: Info,
    date_from: Annotated[date | None, strawberry.argument(name="from")] = None,
    date_to: Annotated[date | None, strawberry.argument(name="to")] = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[records.Activity]:
    request = page_request(info, first, after, ACTIVITY_CURSOR)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadUserInput("`from` must not be after `to`", argument="from")
    arguments = ActivityPageArgs(date_from, date_to, request.limit, request.after)
    page = await info.context.loaders[ActivitiesByOfficerLoader].load((root.nip, arguments))
    return page_connection(page, request, ACTIVITY_CURSOR)


async def enrollment_officer(root: learning.Enrollment, info: Info) -> records.Officer | None:
    if root.officer_nip is None:
        return None
    return await officer_by_nip(info, root.officer_nip)
