"""Courses, enrolments and learning hours (JP) from e-learning."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from padu.resolvers import entities as resolve_entities
from padu.resolvers import learning as resolve
from padu.resolvers import performance as resolve_officers
from padu.schema.node import Node
from padu.schema.pagination import Connection

if TYPE_CHECKING:
    from padu.schema.performance import Officer, Unit

LazyOfficer = Annotated["Officer", strawberry.lazy("padu.schema.performance")]
LazyUnit = Annotated["Unit", strawberry.lazy("padu.schema.performance")]


@strawberry.type(description="A course and the learning hours (JP) it carries.")
class Course(Node):
    id: strawberry.ID = strawberry.field(
        resolver=resolve_entities.course_id,
        description="A global id (opaque; `node(id:)` finds the course again). Arguments "
        "taking a course's id also take its number, as ids were before.",
    )
    title: str
    short_name: str
    summary: str | None
    jp: int = strawberry.field(description="Jam Pelajaran credited on completion.")
    mandatory: bool
    enrollments: Connection[Enrollment] | None = strawberry.field(
        resolver=resolve.course_enrollments, description="Enrolments in enrolment order."
    )


@strawberry.type(description="A learner's enrolment in a course and its completion.")
class Enrollment:
    id: strawberry.ID
    course: Course
    enrolled_at: datetime
    completed_at: datetime | None
    completed: bool = strawberry.field(resolver=resolve.enrollment_completed)
    officer: LazyOfficer | None = strawberry.field(
        resolver=resolve_officers.enrollment_officer,
        description="The learner as an officer (e-Kinerja), matched by NIP.",
    )


@strawberry.type(description="An officer's learning hours in one year against the requirement.")
class LearningSummary:
    year: int
    jp_completed: int = strawberry.field(description="JP of courses completed in the year.")
    courses_completed: int
    jp_required: int = strawberry.field(
        resolver=resolve.jp_required, description="JP every ASN must complete a year."
    )
    compliant: bool = strawberry.field(
        resolver=resolve.compliant, description="`jpCompleted` ≥ `jpRequired`."
    )
    enrollments: list[Enrollment] = strawberry.field(
        resolver=resolve.summary_enrollments,
        description="Enrolments started or completed in the year.",
    )


@strawberry.type(description="A unit's learning compliance in one year.")
class UnitLearningCompliance:
    unit: LazyUnit
    year: int
    officers: int = strawberry.field(description="Active PNS and PPPK officers of the unit.")
    compliant: int = strawberry.field(description="Of those, officers with at least `jpRequired`.")
    rate: float = strawberry.field(description="`compliant` / `officers` (0 when none).")
