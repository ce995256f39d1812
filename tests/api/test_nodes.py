"""Relay's Node: every entity's global id finds it again through `node` and `nodes`, with the
caller's rules, and reveals nothing."""

from __future__ import annotations

from typing import Any

from padu.principal import Role
from tests.conftest import GraphQL, node_id
from tests.data import AGUS, BUDI, DEWI, SITI

# (type, key, the fields compared, the query reaching the entity directly)
ENTITIES = [
    ("Resident", BUDI, "nik fullName", f'resident(nik: "{BUDI}")'),
    ("Officer", AGUS, "nip fullName", f'officer(nip: "{AGUS}")'),
    ("ServiceRequest", 1, "ticketNumber status", 'serviceRequest(id: "1")'),
    ("Course", 1, "title jp", 'course(id: "1")'),
]
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on %s { %s } } }"


async def test_every_entity_is_found_again_by_its_id(gql: GraphQL) -> None:
    for type_name, key, fields, direct in ENTITIES:
        reached = (await gql(f"{{ it: {direct} {{ id {fields} }} }}"))["data"]["it"]
        assert reached["id"] == node_id(type_name, key)
        found = await gql(NODE % (type_name, fields), {"id": reached["id"]})
        assert found["data"]["node"] == {"__typename": type_name, **reached}, found
    units = await gql("{ units { id code name } }")
    unit = units["data"]["units"][0]
    found = await gql(NODE % ("Unit", "code name"), {"id": unit["id"]})
    assert found["data"]["node"] == {"__typename": "Unit", **unit}


async def test_ids_reveal_nothing_and_differ_by_type(gql: GraphQL) -> None:
    resident = node_id("Resident", BUDI)
    assert BUDI not in resident and BUDI[-4:] not in resident
    assert node_id("ServiceRequest", 1) != node_id("Course", 1)
    # An officer sees Budi's NIK masked, yet his id is the same for every caller.
    body = await gql(f'{{ resident(nik: "{BUDI}") {{ id nik }} }}', as_=(Role.OFFICER, AGUS))
    assert body["data"]["resident"] == {"id": resident, "nik": "3671********0001"}


async def test_nodes_finds_many_in_one_round_trip_per_source(gql: GraphQL) -> None:
    ids = [node_id("Resident", BUDI), node_id("Resident", SITI), node_id("ServiceRequest", 2),
           node_id("ServiceRequest", 1), node_id("Officer", AGUS)]  # fmt: skip
    body = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename "
        "... on Resident { nik } ... on ServiceRequest { ticketNumber } ... on Officer { nip } } }",
        {"ids": ids},
    )
    assert [list(n.values())[1] for n in body["data"]["nodes"]] == [
        BUDI, SITI, "LKS-2026-000002", "LKS-2026-000001", AGUS,
    ]  # fmt: skip
    sources = body["extensions"]["sources"].items()
    trips = {name: s["roundTrips"] for name, s in sources if name != "state"}  # not the audit's
    assert trips == {"population": 1, "service_requests": 1, "performance": 1}


async def test_what_a_caller_may_not_see_is_null_like_a_missing_one(gql: GraphQL) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    dewi = node_id("Resident", DEWI)  # not of Siti's family
    forged = "A" * 43  # well-formed, but not sealed here
    missing = node_id("ServiceRequest", 999)
    body = await gql(query, {"ids": [node_id("Resident", SITI), dewi, forged, missing]},
                     as_=(Role.CITIZEN, SITI))  # fmt: skip
    assert body["data"]["nodes"] == [{"id": node_id("Resident", SITI)}, None, None, None]
    assert "errors" not in body


async def test_bad_ids_are_refused_by_name(gql: GraphQL) -> None:
    body: dict[str, Any] = await gql('{ node(id: "not an id!") { id } }')
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
    many = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["1"] * 101})
    assert many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_requests_global_id_and_its_number_both_act_on_it(gql: GraphQL) -> None:
    by_number = await gql('{ serviceRequest(id: "3") { ticketNumber } }')
    by_id = await gql(
        "query($id: ID!) { serviceRequest(id: $id) { ticketNumber } }",
        {"id": node_id("ServiceRequest", 3)},
    )
    assert (
        by_number["data"]
        == by_id["data"]
        == {"serviceRequest": {"ticketNumber": "LKS-2026-000003"}}
    )
    wrong_type = await gql(
        "query($id: ID!) { serviceRequest(id: $id) { ticketNumber } }",
        {"id": node_id("Course", 3)},
    )
    assert wrong_type["data"] == {"serviceRequest": None}
