"""Service requests, their timelines, and the relations out to residents and officers."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL, node_id
from tests.data import AGUS, BUDI

LIST = """query($f: ServiceRequestFilter) {
  serviceRequests(filter: $f) { totalCount nodes { ticketNumber } } }"""


async def ids(gql: GraphQL, filter: dict[str, Any]) -> tuple[int, list[str]]:
    body = await gql(LIST, {"f": filter})
    assert body.get("errors") is None, body
    found = body["data"]["serviceRequests"]
    # Each request's number, from its ticket (LKS-2026-000003 is request 3).
    return found["totalCount"], [str(int(n["ticketNumber"][-6:])) for n in found["nodes"]]


async def test_request_by_id_with_its_relations(gql: GraphQL) -> None:
    body = await gql(
        """{ serviceRequest(id: "1") {
              id ticketNumber category categoryName status title description
              submittedAt dueAt resolvedAt overdue
              resident { nik fullName }
              village { name } district { code }
              assignee { nip fullName unit { code } }
              events { status note at actor { nip } }
        } }"""
    )
    assert body.get("errors") is None
    assert body["data"]["serviceRequest"] == {
        "id": node_id("ServiceRequest", 1),
        "ticketNumber": "LKS-2026-000001",
        "category": "KTP_EL",
        "categoryName": "Perekaman dan pencetakan KTP-el",
        "status": "RESOLVED",
        "title": "Cetak ulang KTP-el rusak",
        "description": "KTP-el patah.",
        "submittedAt": "2026-01-05T02:00:00+00:00",
        "dueAt": "2026-01-08T02:00:00+00:00",
        "resolvedAt": "2026-01-07T03:00:00+00:00",
        "overdue": False,
        "resident": {"nik": BUDI, "fullName": "Budi Santoso"},
        "village": {"name": "Sukarasa"},
        "district": {"code": "36.71.01"},
        "assignee": {"nip": AGUS, "fullName": "Agus Setiawan", "unit": {"code": "DISDUKCAPIL"}},
        "events": [
            {
                "status": "SUBMITTED",
                "note": "Permohonan diterima",
                "at": "2026-01-05T02:00:00+00:00",
                "actor": None,
            },
            {
                "status": "VERIFIED",
                "note": "Dokumen lengkap",
                "at": "2026-01-05T06:00:00+00:00",
                "actor": {"nip": AGUS},
            },
            {
                "status": "IN_PROGRESS",
                "note": "Dicetak",
                "at": "2026-01-06T02:00:00+00:00",
                "actor": {"nip": AGUS},
            },
            {
                "status": "RESOLVED",
                "note": "KTP-el diambil",
                "at": "2026-01-07T03:00:00+00:00",
                "actor": {"nip": AGUS},
            },
        ],
    }
    # Level 1: the request; level 2: resident, assignee, events (three sources, concurrently);
    # level 3: the events' actors (already loaded: the same officer is not fetched twice).
    assert body["extensions"]["sources"] == {
        "service_requests": {"roundTrips": 2, "rows": 5},
        "population": {"roundTrips": 1, "rows": 1},
        "performance": {"roundTrips": 1, "rows": 1},
        "state": {"roundTrips": 1, "rows": 0},
    }


async def test_a_missing_id_is_null_and_a_malformed_one_is_refused(gql: GraphQL) -> None:
    body = await gql('{ a: serviceRequest(id: "999") { id } }')
    assert body == {"data": {"a": None}, "extensions": body["extensions"]}
    malformed = await gql('{ b: serviceRequest(id: "x") { id } }')
    assert "data" not in malformed  # refused before execution (tests/api/test_error_inputs.py)
    assert malformed["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}


async def test_requests_are_newest_first(gql: GraphQL) -> None:
    assert await ids(gql, {}) == (5, ["3", "5", "2", "1", "4"])


async def test_request_filters(gql: GraphQL) -> None:
    assert await ids(gql, {"status": ["SUBMITTED", "REJECTED"]}) == (2, ["3", "4"])
    assert await ids(gql, {"category": ["COMPLAINT", "FAMILY_CARD"]}) == (2, ["3", "2"])
    assert await ids(gql, {"districtCode": "36.71.05"}) == (2, ["5", "4"])
    assert await ids(gql, {"villageCode": "36.71.01.1001"}) == (3, ["3", "2", "1"])
    assert await ids(gql, {"assigneeNip": AGUS}) == (3, ["5", "2", "1"])
    window = {
        "submittedFrom": "2026-02-01T00:00:00+07:00",
        "submittedBefore": "2026-03-02T00:00:00+07:00",
    }
    assert await ids(gql, window) == (2, ["5", "2"])
    # Only request 2 is still open after its due time (the open ones in 2030 are not due yet).
    assert await ids(gql, {"overdue": True}) == (1, ["2"])
    assert await ids(gql, {"overdue": False}) == (4, ["3", "5", "1", "4"])
    assert await ids(gql, {"status": ["RESOLVED"], "assigneeNip": AGUS}) == (1, ["1"])


async def test_officer_assigned_requests(gql: GraphQL) -> None:
    body = await gql(
        """query($nip: NIP!) { officer(nip: $nip) {
             assignedRequests(status: [IN_PROGRESS, VERIFIED]) {
               totalCount nodes { ticketNumber resident { fullName } } } } }""",
        {"nip": AGUS},
    )
    assert body["data"]["officer"]["assignedRequests"] == {
        "totalCount": 2,
        "nodes": [
            {"ticketNumber": "LKS-2026-000005", "resident": {"fullName": "Dewi Lestari"}},
            {"ticketNumber": "LKS-2026-000002", "resident": {"fullName": "Budi Santoso"}},
        ],
    }


async def test_unassigned_request_has_null_assignee_without_error(gql: GraphQL) -> None:
    body = await gql(
        '{ serviceRequest(id: "3") { status assignee { nip } events { actor { nip } } } }'
    )
    assert body.get("errors") is None
    assert body["data"]["serviceRequest"] == {
        "status": "SUBMITTED",
        "assignee": None,
        "events": [{"actor": None}],
    }
