"""Residents and families from the population registry, and their requests across sources."""

from __future__ import annotations

from tests.conftest import GraphQL, node_id
from tests.data import ANDI, BUDI, DEWI, KK_BUDI, RUDI, SITI

RESIDENT = """
query($nik: NIK!) {
  resident(nik: $nik) {
    nik fullName gender birthPlace birthDate religion maritalStatus occupation education
    bloodType familyRelationship familyCardNumber
    address { street rt rw postalCode village { code name } district { code name } }
  }
}
"""


async def test_resident_by_nik_maps_the_registry_record(gql: GraphQL) -> None:
    body = await gql(RESIDENT, {"nik": SITI})
    assert body.get("errors") is None
    assert body["data"]["resident"] == {
        "nik": SITI,
        "fullName": "Siti Aminah",
        "gender": "FEMALE",
        "birthPlace": "Serang",
        "birthDate": "1985-08-12",
        "religion": "ISLAM",
        "maritalStatus": "MARRIED",
        "occupation": "MENGURUS RUMAH TANGGA",
        "education": "SLTA/SEDERAJAT",
        "bloodType": "A",
        "familyRelationship": "WIFE",
        "familyCardNumber": KK_BUDI,
        "address": {
            "street": "Jl. Merdeka No. 1",
            "rt": "001",
            "rw": "002",
            "postalCode": "15111",
            "village": {"code": "36.71.01.1001", "name": "Sukarasa"},
            "district": {"code": "36.71.01", "name": "Tangerang"},
        },
    }
    # The audit entry for reading Siti's record is the one round trip to Padu's state.
    assert body["extensions"]["sources"] == {
        "population": {"roundTrips": 1, "rows": 1},
        "state": {"roundTrips": 1, "rows": 0},
    }


async def test_nik_prefix_is_first_registration_not_current_address(gql: GraphQL) -> None:
    body = await gql(
        "query($nik: NIK!) { resident(nik: $nik) { address { district { name } } } }",
        {"nik": RUDI},
    )
    # Rudi's NIK starts 31.74 (Jakarta Selatan); he lives in Cipondoh.
    assert body["data"]["resident"]["address"]["district"]["name"] == "Cipondoh"


async def test_unknown_resident_is_null_without_error(gql: GraphQL) -> None:
    body = await gql('{ resident(nik: "3671010101010001") { nik } }')
    assert body == {
        "data": {"resident": None},
        "extensions": {"sources": {"population": {"roundTrips": 1, "rows": 0}}},
    }


async def test_family_with_head_and_members_costs_one_round_trip_per_level(gql: GraphQL) -> None:
    body = await gql(
        """query($nik: NIK!) { resident(nik: $nik) {
             family { number issuedOn address { rt } head { fullName }
                      members { nik familyRelationship } } } }""",
        {"nik": ANDI},
    )
    assert body["data"]["resident"]["family"] == {
        "number": KK_BUDI,
        "issuedOn": "2010-01-12",
        "address": {"rt": "001"},
        "head": {"fullName": "Budi Santoso"},
        "members": [
            {"nik": BUDI, "familyRelationship": "HEAD"},
            {"nik": SITI, "familyRelationship": "WIFE"},
            {"nik": ANDI, "familyRelationship": "CHILD"},
        ],
    }
    assert body["extensions"]["sources"] == {
        "population": {"roundTrips": 3, "rows": 5},
        "state": {"roundTrips": 1, "rows": 0},
    }


async def test_residents_filtered_by_district_village_and_name(gql: GraphQL) -> None:
    query = """query($f: ResidentFilter) {
      residents(filter: $f) { totalCount nodes { nik } } }"""
    by_district = await gql(query, {"f": {"districtCode": "36.71.05"}})
    assert by_district["data"]["residents"] == {
        "totalCount": 2,
        "nodes": [{"nik": RUDI}, {"nik": DEWI}],
    }
    by_village = await gql(query, {"f": {"villageCode": "36.71.01.1001"}})
    assert [n["nik"] for n in by_village["data"]["residents"]["nodes"]] == [ANDI, BUDI, SITI]
    by_name = await gql(query, {"f": {"name": "SANTOSO", "districtCode": "36.71.01"}})
    assert [n["nik"] for n in by_name["data"]["residents"]["nodes"]] == [ANDI, BUDI]
    wildcard = await gql(query, {"f": {"name": "%"}})
    assert wildcard["data"]["residents"] == {"totalCount": 0, "nodes": []}


async def test_resident_service_requests_cross_to_the_service_request_system(
    gql: GraphQL,
) -> None:
    body = await gql(
        """query($nik: NIK!) { resident(nik: $nik) {
             all: serviceRequests { totalCount nodes { ticketNumber status } }
             open: serviceRequests(status: [IN_PROGRESS, VERIFIED]) { totalCount nodes { id } }
        } }""",
        {"nik": BUDI},
    )
    resident = body["data"]["resident"]
    assert resident["all"] == {
        "totalCount": 2,
        "nodes": [
            {"ticketNumber": "LKS-2026-000002", "status": "IN_PROGRESS"},
            {"ticketNumber": "LKS-2026-000001", "status": "RESOLVED"},
        ],
    }
    assert resident["open"] == {"totalCount": 1, "nodes": [{"id": node_id("ServiceRequest", 2)}]}
    # Two aliases with different arguments: one round trip each, nothing more.
    assert body["extensions"]["sources"]["service_requests"] == {"roundTrips": 2, "rows": 3}
