"""The Mutation type: writes that reach every service that needs them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from padu.mutations import learning
from padu.mutations import service_requests as requests
from padu.resolvers import sync as resolve_sync

if TYPE_CHECKING:
    from padu.schema.learning import Enrollment
    from padu.schema.service_requests import ServiceRequest

LazyRequest = Annotated["ServiceRequest", strawberry.lazy("padu.schema.service_requests")]
LazyEnrollment = Annotated["Enrollment", strawberry.lazy("padu.schema.learning")]


@strawberry.type(description="Why a mutation was refused; nothing was written.")
class MutationError:
    code: str = strawberry.field(
        description="CONFLICT, ILLEGAL_TRANSITION, NOT_FOUND, FORBIDDEN, BAD_USER_INPUT, …"
    )
    message: str
    field: str | None = strawberry.field(description="The input field at fault, if one is.")


@strawberry.type(description="What a service-request mutation answers.")
class ServiceRequestPayload:
    client_mutation_id: str | None
    errors: list[MutationError] = strawberry.field(description="Empty when it succeeded.")
    replayed: bool = strawberry.field(
        description="True when this answers a clientMutationId seen before: nothing new written."
    )
    service_request: LazyRequest | None = strawberry.field(
        resolver=resolve_sync.payload_service_request,
        description="The request as it is now.",
    )


@strawberry.type(description="What an e-learning mutation answers.")
class EnrollmentPayload:
    client_mutation_id: str | None
    errors: list[MutationError] = strawberry.field(description="Empty when it succeeded.")
    replayed: bool
    enrollment: LazyEnrollment | None = strawberry.field(
        resolver=resolve_sync.payload_enrollment, description="The enrolment as it is now."
    )


@strawberry.type(description="Writes. Each takes an optional clientMutationId for safe retries.")
class Mutation:
    submit_service_request: ServiceRequestPayload | None = strawberry.mutation(
        resolver=requests.submit_service_request,
        description="A citizen files a request (or an officer for them); due time from its "
        "category's service standard.",
    )
    assign_service_request: ServiceRequestPayload | None = strawberry.mutation(
        resolver=requests.assign_service_request,
        description="A supervisor gives an open request to an active officer of their unit.",
    )
    update_service_request_status: ServiceRequestPayload | None = strawberry.mutation(
        resolver=requests.update_service_request_status,
        description="Move a request along its life; RESOLVED credits e-Kinerja as "
        "resolveServiceRequest does.",
    )
    resolve_service_request: ServiceRequestPayload | None = strawberry.mutation(
        resolver=requests.resolve_service_request,
        description="The assignee resolves the request; the work is credited to their "
        "e-Kinerja activities, exactly once.",
    )

    enroll_in_course: EnrollmentPayload | None = strawberry.mutation(
        resolver=learning.enroll_in_course, description="An officer enrols in a course."
    )
    record_course_completion: EnrollmentPayload | None = strawberry.mutation(
        resolver=learning.record_course_completion,
        description="Credits the course's JP in e-learning and logs the learning as a "
        "competency-development activity in e-Kinerja, exactly once.",
    )


@strawberry.type(description="Whether a change has reached every system it must reach.")
class SyncStatus:
    pending_effects: int = strawberry.field(description="Deliveries still to land.")
    delivered_effects: int
    last_error: str | None = strawberry.field(description="Why the last try failed, if it did.")
    status: str = strawberry.field(
        resolver=resolve_sync.sync_state, description="PENDING while any effect is, else SYNCED."
    )


@strawberry.type(description="One effect in the outbox (admins).")
class Delivery:
    id: strawberry.ID
    effect_key: str
    subject: str
    target: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
