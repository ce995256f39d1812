"""Residents, families and addresses from the population registry."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from padu.resolvers import entities as resolve_entities
from padu.resolvers import population as resolve
from padu.resolvers import service_requests as resolve_requests
from padu.schema.enums import FamilyRelationship, Gender, MaritalStatus, Religion
from padu.schema.node import Node
from padu.schema.pagination import Connection
from padu.schema.region import District, Village
from padu.schema.scalars import NIK

if TYPE_CHECKING:
    from padu.schema.service_requests import ServiceRequest


@strawberry.type(description="Where a family lives, as printed on its family card (KK).")
class Address:
    street: str
    rt: str = strawberry.field(description="Rukun Tetangga, 3 digits.")
    rw: str = strawberry.field(description="Rukun Warga, 3 digits.")
    postal_code: str | None
    village: Village = strawberry.field(resolver=resolve.address_village)
    district: District = strawberry.field(resolver=resolve.address_district)


@strawberry.type(
    description="A person in the population registry. Fields your role may not see are null, "
    "each with a FORBIDDEN error at its path."
)
class Resident(Node):
    id: strawberry.ID = strawberry.field(
        resolver=resolve_entities.resident_id,
        description="An opaque, stable id: the same resident always has the same one, and it "
        "reveals nothing (not the NIK). Federation gateways join subgraphs on it.",
    )
    nik: NIK | None = strawberry.field(
        description="The NIK; masked (3671********0001) for officers; null with a FORBIDDEN "
        "error when your role may not see it."
    )
    full_name: str | None
    gender: Gender
    birth_place: str | None
    birth_date: date | None
    religion: Religion
    marital_status: MaritalStatus
    occupation: str
    education: str | None
    blood_type: str | None
    family_relationship: FamilyRelationship
    family_card_number: str | None = strawberry.field(
        description="KK number, 16 digits; masked for officers."
    )
    address: Address | None
    family: Family | None = strawberry.field(resolver=resolve.resident_family)
    service_requests: (
        Connection[Annotated[ServiceRequest, strawberry.lazy("padu.schema.service_requests")]]
        | None
    ) = strawberry.field(
        resolver=resolve_requests.resident_service_requests,
        description="Requests this resident submitted, newest first (service-request system).",
    )


@strawberry.type(description="A family card (Kartu Keluarga) and its members.")
class Family:
    number: str = strawberry.field(description="KK number, 16 digits.")
    issued_on: date
    address: Address
    head: Resident | None = strawberry.field(resolver=resolve.family_head)
    members: list[Resident] = strawberry.field(resolver=resolve.family_members)
