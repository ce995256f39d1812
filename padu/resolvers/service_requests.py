"""Resolvers for service requests, in their own system and from residents and officers."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from padu.errors import BadUserInput
from padu.loaders.base import PageByParentLoader
from padu.loaders.population import ResidentByNikLoader
from padu.loaders.service_requests import (
    EventsByServiceRequestLoader,
    RequestPageArgs,
    ServiceRequestByIdLoader,
    ServiceRequestByTicketLoader,
    ServiceRequestsByAssigneeLoader,
    ServiceRequestsByResidentLoader,
)
from padu.region import District, Village
from padu.resolvers import live, region
from padu.resolvers.entities import number_of
from padu.resolvers.info import Info
from padu.resolvers.pagination import (
    CursorKind,
    PageRequest,
    list_connection,
    page_connection,
    page_request,
)
from padu.resolvers.performance import officer_by_nip
from padu.schema.enums import RequestStatus
from padu.schema.inputs import ServiceRequestChangeFilter, ServiceRequestFilter
from padu.schema.pagination import Connection
from padu.sources import performance, population
from padu.sources import service_requests as records
from padu.sources.service_request_changes import ChangeKind, RequestChange

REQUEST_CURSOR = CursorKind[records.ServiceRequest](
    "serviceRequest", (datetime, int), lambda r: (r.submitted_at, r.id)
)


async def service_request(info: Info, id: strawberry.ID) -> records.ServiceRequest | None:
    number = number_of(info.context, "ServiceRequest", id)
    return (
        None
        if number is None
        else await info.context.loaders[ServiceRequestByIdLoader].load(number)
    )


async def service_requests(
    info: Info,
    filter: ServiceRequestFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[records.ServiceRequest]:
    request = page_request(info, first, after, REQUEST_CURSOR)
    f = filter or ServiceRequestFilter()
    where = records.RequestFilter(
        statuses=None if f.status is None else tuple(f.status),
        categories=None if f.category is None else tuple(f.category),
        district_code=f.district_code,
        village_code=f.village_code,
        assignee_nip=f.assignee_nip,
        submitted_from=f.submitted_from,
        submitted_before=f.submitted_before,
        overdue=f.overdue,
    )
    source = info.context.sources.service_requests
    position = request.after
    scope = await info.context.scopes.requests()
    return await list_connection(
        info,
        request,
        REQUEST_CURSOR,
        page=lambda: source.list_requests(where, request.limit, position, scope),
        counted_page=lambda: source.page_requests(where, request.limit, position, scope),
    )


async def _page_of(
    loader: PageByParentLoader[str, RequestPageArgs, records.ServiceRequest],
    parent: str,
    status: list[RequestStatus] | None,
    request: PageRequest,
) -> Connection[records.ServiceRequest]:
    arguments = RequestPageArgs(
        statuses=None if status is None else tuple(status),
        limit=request.limit,
        after=request.after,
    )
    page = await loader.load((parent, arguments))
    return page_connection(page, request, REQUEST_CURSOR)


async def resident_service_requests(
    root: population.Resident,
    info: Info,
    status: list[RequestStatus] | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[records.ServiceRequest]:
    request = page_request(info, first, after, REQUEST_CURSOR)
    loader = info.context.loaders[ServiceRequestsByResidentLoader]
    return await _page_of(loader, root.nik, status, request)


async def officer_assigned_requests(
    root: performance.Officer,
    info: Info,
    status: list[RequestStatus] | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[records.ServiceRequest]:
    request = page_request(info, first, after, REQUEST_CURSOR)
    loader = info.context.loaders[ServiceRequestsByAssigneeLoader]
    return await _page_of(loader, root.nip, status, request)


async def activity_service_request(
    root: performance.Activity, info: Info
) -> records.ServiceRequest | None:
    if root.ticket_number is None:
        return None
    return await info.context.loaders[ServiceRequestByTicketLoader].load(root.ticket_number)


async def request_resident(root: records.ServiceRequest, info: Info) -> population.Resident | None:
    return await info.context.loaders[ResidentByNikLoader].load(root.resident_nik)


async def request_assignee(root: records.ServiceRequest, info: Info) -> performance.Officer | None:
    if root.assignee_nip is None:
        return None
    return await officer_by_nip(info, root.assignee_nip)


async def event_actor(root: records.RequestEvent, info: Info) -> performance.Officer | None:
    if root.actor_nip is None:
        return None
    return await officer_by_nip(info, root.actor_nip)


async def request_events(root: records.ServiceRequest, info: Info) -> list[records.RequestEvent]:
    return await info.context.loaders[EventsByServiceRequestLoader].load(root.id)


def request_village(root: records.ServiceRequest, info: Info) -> Village:
    return region.village_by_code(info, root.village_code)


def request_district(root: records.ServiceRequest, info: Info) -> District:
    return region.district_by_code(info, root.district_code)


async def service_request_changed(
    info: Info, filter: ServiceRequestChangeFilter | None = None
) -> AsyncGenerator[RequestChange, None]:
    f = filter or ServiceRequestChangeFilter()
    kinds = set(f.kind or ChangeKind)
    unit: frozenset[str] | None = None
    if f.unit_code is not None:
        nips = await info.context.sources.performance.nips_of_unit(f.unit_code)
        if not nips:
            raise BadUserInput(f"No unit {f.unit_code!r} with officers", argument="unitCode")
        unit = frozenset(nips)
    async for change in live.changes(info):
        if (
            change is not None
            and change.kind in kinds
            and f.district_code in (None, change.district_code)
            and f.assignee_nip in (None, change.assignee_nip)
            and (unit is None or change.assignee_nip in unit)
        ):
            yield change


async def change_request(root: RequestChange, info: Info) -> records.ServiceRequest | None:
    """The request as it is now: read once per change for all subscribers of one scope."""
    context = info.context
    scope = await context.scopes.requests()
    found = await context.changes.shared(
        ("request", root.request_id, scope),
        lambda: context.sources.service_requests.requests_by_id([root.request_id], scope),
    )
    return found[0] if found else None
