"""GraphQL enums over the source systems' own codes (each member's value is the native code).

``strawberry.enum`` registers each source enum in place, so schema and resolvers use the
source classes themselves and sources stay free of Strawberry.
"""

from __future__ import annotations

from enum import EnumMeta

import strawberry

from padu.sources.performance import (
    ActivityCategory,
    EmploymentType,
    PerformancePeriod,
    Predicate,
    Rating,
    UnitKind,
)
from padu.sources.population import FamilyRelationship, Gender, MaritalStatus, Religion
from padu.sources.service_request_changes import ChangeKind
from padu.sources.service_requests import RequestStatus, ServiceCategory

_DESCRIPTIONS: dict[EnumMeta, tuple[str | None, str]] = {
    Gender: (None, "Sex as recorded by Dukcapil."),
    Religion: (None, "Religion as recorded on the KTP."),
    MaritalStatus: (None, "Status perkawinan."),
    FamilyRelationship: (None, "Place in the family card (SHDK)."),
    RequestStatus: (
        "ServiceRequestStatus",
        "SUBMITTED (menunggu) → VERIFIED → IN_PROGRESS (proses) → RESOLVED (selesai); "
        "or REJECTED before work starts.",
    ),
    ServiceCategory: (None, "Kind of service; each has its own service standard (due time)."),
    ChangeKind: ("ServiceRequestChangeKind", "What happened to a request."),
    EmploymentType: (None, "PNS and PPPK are ASN; NON_ASN are honorer staff."),
    UnitKind: (None, "Kind of government unit."),
    ActivityCategory: (None, "Kind of work logged in e-Kinerja."),
    PerformancePeriod: (None, "Quarters Q1-Q4 and the FINAL (yearly) period."),
    Rating: (None, "Work results or behaviour against expectations."),
    Predicate: (
        "PerformancePredicate",
        "Official predicate (PermenPANRB 6/2022); `predicateLabel` gives the Indonesian.",
    ),
}

for _enum, (_name, _description) in _DESCRIPTIONS.items():
    strawberry.enum(_enum, name=_name, description=_description)

__all__ = [
    "ActivityCategory",
    "ChangeKind",
    "EmploymentType",
    "FamilyRelationship",
    "Gender",
    "MaritalStatus",
    "PerformancePeriod",
    "Predicate",
    "Rating",
    "Religion",
    "RequestStatus",
    "ServiceCategory",
    "UnitKind",
]
