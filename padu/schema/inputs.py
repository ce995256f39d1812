"""Filter inputs of the top-level lists."""

from __future__ import annotations

from datetime import datetime

import strawberry

from padu.schema.enums import EmploymentType, RequestStatus, ServiceCategory
from padu.schema.scalars import NIP
from padu.sources.service_request_changes import ChangeKind


@strawberry.input(description="Narrows a resident list; all given conditions must hold.")
class ResidentFilter:
    district_code: str | None = strawberry.field(default=None, description="e.g. 36.71.01")
    village_code: str | None = strawberry.field(default=None, description="e.g. 36.71.01.1001")
    name: str | None = strawberry.field(
        default=None, description="Part of the full name, case-insensitive."
    )


@strawberry.input(description="Narrows a service-request list; all given conditions must hold.")
class ServiceRequestFilter:
    status: list[RequestStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    category: list[ServiceCategory] | None = strawberry.field(
        default=None, description="Any of these categories."
    )
    district_code: str | None = None
    village_code: str | None = None
    assignee_nip: NIP | None = None
    submitted_from: datetime | None = strawberry.field(
        default=None, description="Submitted at or after this time."
    )
    submitted_before: datetime | None = strawberry.field(
        default=None, description="Submitted before this time."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="Still open past its due time (true) or not (false)."
    )


@strawberry.input(description="Narrows an officer list; all given conditions must hold.")
class OfficerFilter:
    unit_code: str | None = None
    name: str | None = strawberry.field(
        default=None, description="Part of the name, case-insensitive."
    )
    employment_type: EmploymentType | None = None
    active: bool | None = None


@strawberry.input(
    description="What a dashboard counts; the same conditions as `ServiceRequestFilter`."
)
class DashboardFilter:
    district_code: str | None = strawberry.field(default=None, description="e.g. 36.71.01")
    village_code: str | None = None
    category: list[ServiceCategory] | None = strawberry.field(
        default=None, description="Any of these categories."
    )
    submitted_from: datetime | None = strawberry.field(
        default=None, description="Requests submitted at or after this time."
    )
    submitted_before: datetime | None = strawberry.field(
        default=None, description="Requests submitted before this time."
    )


@strawberry.input(description="Which live changes to receive; all given conditions must hold.")
class ServiceRequestChangeFilter:
    kind: list[ChangeKind] | None = strawberry.field(
        default=None, description="Any of these kinds (default: all)."
    )
    district_code: str | None = None
    unit_code: str | None = strawberry.field(
        default=None, description="Assigned to an officer of this unit (e-Kinerja)."
    )
    assignee_nip: NIP | None = None
