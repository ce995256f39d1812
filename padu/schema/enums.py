"""GraphQL enums over the source systems' own codes (each member's value is the native code)."""

from __future__ import annotations

import strawberry

from padu.sources import performance, population, service_requests

Gender = strawberry.enum(population.Gender, description="Sex as recorded by Dukcapil.")
Religion = strawberry.enum(population.Religion, description="Religion as recorded on the KTP.")
MaritalStatus = strawberry.enum(population.MaritalStatus, description="Status perkawinan.")
FamilyRelationship = strawberry.enum(
    population.FamilyRelationship, description="Place in the family card (SHDK)."
)

ServiceRequestStatus = strawberry.enum(
    service_requests.RequestStatus,
    name="ServiceRequestStatus",
    description="SUBMITTED (menunggu) → VERIFIED → IN_PROGRESS (proses) → RESOLVED (selesai); "
    "or REJECTED before work starts.",
)
ServiceCategory = strawberry.enum(
    service_requests.ServiceCategory,
    description="Kind of service; each has its own service standard (due time).",
)

EmploymentType = strawberry.enum(
    performance.EmploymentType, description="PNS and PPPK are ASN; NON_ASN are honorer staff."
)
UnitKind = strawberry.enum(performance.UnitKind, description="Kind of government unit.")
ActivityCategory = strawberry.enum(
    performance.ActivityCategory, description="Kind of work logged in e-Kinerja."
)
PerformancePeriod = strawberry.enum(
    performance.PerformancePeriod, description="Quarters Q1-Q4 and the FINAL (yearly) period."
)
Rating = strawberry.enum(
    performance.Rating, description="Work results or behaviour against expectations."
)
Predicate = strawberry.enum(
    performance.Predicate,
    name="PerformancePredicate",
    description="Official predicate (PermenPANRB 6/2022); `predicateLabel` gives the Indonesian.",
)
