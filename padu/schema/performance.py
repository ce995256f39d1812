"""Officers, units, activities and performance from e-Kinerja."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from padu.resolvers import entities as resolve_entities
from padu.resolvers import learning as resolve_learning
from padu.resolvers import performance as resolve
from padu.resolvers import service_requests as resolve_requests
from padu.schema.enums import (
    ActivityCategory,
    EmploymentType,
    PerformancePeriod,
    Predicate,
    Rating,
    UnitKind,
)
from padu.schema.node import Node
from padu.schema.pagination import Connection
from padu.schema.scalars import NIP

if TYPE_CHECKING:
    from padu.schema.learning import LearningSummary, UnitLearningCompliance
    from padu.schema.service_requests import ServiceRequest

LazyRequest = Annotated["ServiceRequest", strawberry.lazy("padu.schema.service_requests")]
LazyLearning = Annotated["LearningSummary", strawberry.lazy("padu.schema.learning")]
LazyCompliance = Annotated["UnitLearningCompliance", strawberry.lazy("padu.schema.learning")]


@strawberry.type(description="A government unit (OPD, kecamatan office…).")
class Unit(Node):
    id: strawberry.ID = strawberry.field(
        resolver=resolve_entities.unit_id,
        description="A global id (opaque; `node(id:)` finds the unit again).",
    )
    code: str
    name: str
    kind: UnitKind
    officers: Connection[Officer] | None = strawberry.field(
        resolver=resolve.unit_officers, description="Officers of this unit, by NIP."
    )
    learning_compliance: LazyCompliance | None = strawberry.field(
        resolver=resolve_learning.unit_learning_compliance,
        description="How many of the unit's active ASN met the yearly JP requirement (e-learning).",
    )


@strawberry.type(description="An officer's rating for one period, with the work logged in it.")
class PerformanceSummary:
    year: int
    period: PerformancePeriod
    work_result: Rating | None = strawberry.field(description="Null until the period is rated.")
    behaviour: Rating | None = strawberry.field(description="Null until the period is rated.")
    predicate: Predicate | None
    activity_count: int = strawberry.field(description="Activities logged in the period.")
    activity_minutes: int = strawberry.field(description="Minutes of work logged in the period.")
    predicate_label: str | None = strawberry.field(
        resolver=resolve.predicate_label, description="The predicate as written in Indonesian."
    )


@strawberry.type(description="Work an officer logged in e-Kinerja, with its evidence.")
class Activity:
    id: strawberry.ID
    date: date
    description: str
    category: ActivityCategory
    minutes: int
    evidence: str | None
    service_request: LazyRequest | None = strawberry.field(
        resolver=resolve_requests.activity_service_request,
        description="The citizen request this work was for (service-request system).",
    )


@strawberry.type(description="A civil servant (ASN) as e-Kinerja knows them.")
class Officer(Node):
    id: strawberry.ID = strawberry.field(
        resolver=resolve_entities.officer_id,
        description="An opaque, stable id: the same officer always has the same one, and it "
        "reveals nothing (not the NIP). Federation gateways join subgraphs on it.",
    )
    nip: NIP | None
    full_name: str | None
    position: str
    employment_type: EmploymentType
    grade: str | None = strawberry.field(description="Golongan (PNS) or grade (PPPK).")
    active: bool
    unit: Unit
    assigned_requests: Connection[LazyRequest] | None = strawberry.field(
        resolver=resolve_requests.officer_assigned_requests,
        description="Service requests assigned to this officer, newest first.",
    )
    performance: PerformanceSummary | None = strawberry.field(
        resolver=resolve.officer_performance,
        description="Rating for a quarter (1-4) or, without `quarter`, the final yearly one.",
    )
    activities: Connection[Activity] | None = strawberry.field(
        resolver=resolve.officer_activities, description="Logged work, newest first."
    )
    learning: LazyLearning | None = strawberry.field(
        resolver=resolve_learning.officer_learning,
        description="Learning hours (JP) in a year against the yearly requirement (e-learning).",
    )
