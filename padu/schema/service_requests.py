"""Citizen service requests and complaints with their timelines."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from padu.resolvers import entities as resolve_entities
from padu.resolvers import service_requests as resolve
from padu.resolvers import sync as resolve_sync
from padu.schema.enums import ChangeKind, RequestStatus, ServiceCategory
from padu.schema.node import Node
from padu.schema.pagination import Connection
from padu.schema.region import District, Village

if TYPE_CHECKING:
    from padu.schema.mutations import SyncStatus
    from padu.schema.performance import Officer
    from padu.schema.population import Resident

LazyResident = Annotated["Resident", strawberry.lazy("padu.schema.population")]
LazyOfficer = Annotated["Officer", strawberry.lazy("padu.schema.performance")]
LazySync = Annotated["SyncStatus", strawberry.lazy("padu.schema.mutations")]


@strawberry.type(description="One step of a request's timeline.")
class RequestEvent:
    status: RequestStatus
    note: str | None
    at: datetime
    actor: LazyOfficer | None = strawberry.field(
        resolver=resolve.event_actor, description="Officer who took the step (e-Kinerja)."
    )


@strawberry.type(description="A citizen's service request or complaint.")
class ServiceRequest(Node):
    id: strawberry.ID = strawberry.field(
        resolver=resolve_entities.request_id,
        description="A global id (opaque; `node(id:)` finds the request again). Arguments "
        "taking a request's id also take its number, as ids were before.",
    )
    ticket_number: str
    category: ServiceCategory
    category_name: str = strawberry.field(description="The category's name in the source system.")
    status: RequestStatus
    title: str | None = strawberry.field(description="The resident's words; not for dashboards.")
    description: str | None
    submitted_at: datetime
    due_at: datetime = strawberry.field(description="From the category's service standard.")
    resolved_at: datetime | None = strawberry.field(
        description="When the request was resolved or rejected."
    )
    overdue: bool = strawberry.field(description="Still open after `dueAt`.")
    resident: LazyResident | None = strawberry.field(
        resolver=resolve.request_resident, description="Who submitted it (population registry)."
    )
    village: Village | None = strawberry.field(resolver=resolve.request_village)
    district: District | None = strawberry.field(resolver=resolve.request_district)
    assignee: LazyOfficer | None = strawberry.field(
        resolver=resolve.request_assignee, description="Officer handling it (e-Kinerja)."
    )
    events: list[RequestEvent] = strawberry.field(resolver=resolve.request_events)
    sync: LazySync | None = strawberry.field(
        resolver=resolve_sync.request_sync,
        description="Whether this request's changes reached every system (e.g. the e-Kinerja "
        "credit of its resolution).",
    )


ServiceRequestConnection = Connection[ServiceRequest]


@strawberry.type(description="A request was created, assigned or changed status.")
class ServiceRequestChange:
    kind: ChangeKind
    at: datetime = strawberry.field(description="When the source system made the change.")
    request_id: strawberry.ID = strawberry.field(
        resolver=resolve_entities.change_request_id, description="The request's `id`."
    )
    status: RequestStatus
    previous_status: RequestStatus | None = strawberry.field(
        description="Before a status change; null for a new request."
    )
    request: ServiceRequest | None = strawberry.field(
        resolver=resolve.change_request, description="The request as it is now."
    )
