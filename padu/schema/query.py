"""The root Query type: every entry point into the graph."""

from __future__ import annotations

import strawberry

from padu.resolvers import (
    audit,
    dashboard,
    entities,
    learning,
    performance,
    population,
    region,
    service_requests,
    sync,
)
from padu.schema.audit import AuditEntry
from padu.schema.dashboard import Dashboard
from padu.schema.learning import Course
from padu.schema.mutations import Delivery
from padu.schema.node import Node
from padu.schema.pagination import Connection
from padu.schema.performance import Officer, Unit
from padu.schema.population import Resident
from padu.schema.region import Region
from padu.schema.service_requests import ServiceRequest


@strawberry.type(description="Everything Padu federates, in one graph.")
class Query:
    node: Node | None = strawberry.field(
        resolver=entities.node,
        description="The entity with this global `id`: a resident, officer, service request, "
        "course or unit; null when you may not see it or it is not there.",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=entities.nodes, description="Each id's entity (at most 100), as `node` finds it."
    )
    region: Region = strawberry.field(resolver=region.region)
    resident: Resident | None = strawberry.field(
        resolver=population.resident, description="A resident by NIK (population registry)."
    )
    residents: Connection[Resident] | None = strawberry.field(
        resolver=population.residents, description="Residents in NIK order."
    )
    service_request: ServiceRequest | None = strawberry.field(
        resolver=service_requests.service_request, description="A service request by id."
    )
    service_requests: Connection[ServiceRequest] | None = strawberry.field(
        resolver=service_requests.service_requests, description="Requests, newest first."
    )
    officer: Officer | None = strawberry.field(
        resolver=performance.officer, description="An officer by NIP (e-Kinerja)."
    )
    officers: Connection[Officer] | None = strawberry.field(
        resolver=performance.officers, description="Officers in NIP order."
    )
    units: list[Unit] | None = strawberry.field(resolver=performance.units)
    course: Course | None = strawberry.field(resolver=learning.course)
    audit_log: Connection[AuditEntry] | None = strawberry.field(
        resolver=audit.audit_log,
        description="Who processed whose personal data, newest first (admins; itself audited).",
    )
    deliveries: Connection[Delivery] | None = strawberry.field(
        resolver=sync.deliveries,
        description="Effects still to deliver, oldest first; failing: only those whose last "
        "try failed (admins).",
    )
    dashboard: Dashboard | None = strawberry.field(
        resolver=dashboard.dashboard,
        description="Counts for dashboards under one filter (dashboard, supervisor, admin).",
    )
    courses: Connection[Course] = strawberry.field(
        resolver=learning.courses, description="Visible courses in id order."
    )
