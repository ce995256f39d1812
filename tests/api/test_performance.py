"""Officers, units, activities and performance summaries from e-Kinerja."""

from __future__ import annotations

from tests.conftest import GraphQL
from tests.data import AGUS, HENDRA, JOKO, MAYA

PERFORMANCE = """query($nip: NIP!) { officer(nip: $nip) {
  q1: performance(year: 2026, quarter: 1) {
    year period workResult behaviour predicate predicateLabel activityCount activityMinutes }
  q3: performance(year: 2026, quarter: 3) { predicate activityCount activityMinutes }
  final2025: performance(year: 2025) { period predicate predicateLabel activityCount }
} }"""


async def test_officer_profile(gql: GraphQL) -> None:
    body = await gql(
        """query($nip: NIP!) { officer(nip: $nip) {
             nip fullName position employmentType grade active unit { code name kind } } }""",
        {"nip": JOKO},
    )
    assert body["data"]["officer"] == {
        "nip": JOKO,
        "fullName": "Joko Prasetyo",
        "position": "Staf Pelayanan",
        "employmentType": "PPPK",
        "grade": "IX",
        "active": True,
        "unit": {"code": "KEC-01", "name": "Kecamatan Tangerang", "kind": "DISTRICT_OFFICE"},
    }


async def test_performance_per_quarter_and_final(gql: GraphQL) -> None:
    body = await gql(PERFORMANCE, {"nip": AGUS})
    assert body.get("errors") is None
    assert body["data"]["officer"] == {
        "q1": {
            "year": 2026,
            "period": "Q1",
            "workResult": "MEETS_EXPECTATIONS",
            "behaviour": "MEETS_EXPECTATIONS",
            "predicate": "GOOD",
            "predicateLabel": "Baik",
            "activityCount": 3,
            "activityMinutes": 30 + 120 + 540,
        },
        # Not rated yet: the summary still reports the work logged in the quarter.
        "q3": {"predicate": None, "activityCount": 1, "activityMinutes": 90},
        "final2025": {
            "period": "FINAL",
            "predicate": "VERY_GOOD",
            "predicateLabel": "Sangat Baik",
            "activityCount": 1,
        },
    }
    # Three summaries of one officer: one performance round trip after the officer's own.
    assert body["extensions"]["sources"]["performance"]["roundTrips"] == 2


async def test_bad_quarter_is_a_clear_error_at_its_path(gql: GraphQL) -> None:
    body = await gql(
        "query($nip: NIP!) { officer(nip: $nip) { fullName performance(year: 2026, quarter: 5) "
        "{ predicate } } }",
        {"nip": MAYA},
    )
    assert body["data"] == {"officer": {"fullName": "Maya Sari", "performance": None}}
    [error] = body["errors"]
    assert error["path"] == ["officer", "performance"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "quarter" in error["message"] and "5" in error["message"]


async def test_activities_by_date_range_newest_first_with_paging(gql: GraphQL) -> None:
    query = """query($nip: NIP!, $after: String) { officer(nip: $nip) {
      activities(from: "2026-01-01", to: "2026-03-31", first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { id date category minutes evidence serviceRequest { ticketNumber status } } } } }"""
    first = (await gql(query, {"nip": AGUS}))["data"]["officer"]["activities"]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["nodes"] == [
        {
            "id": "3",
            "date": "2026-03-30",
            "category": "COMPETENCY_DEVELOPMENT",
            "minutes": 540,
            "evidence": None,
            "serviceRequest": None,
        },
        {
            "id": "2",
            "date": "2026-02-03",
            "category": "DUTY",
            "minutes": 120,
            "evidence": "ND/12/DISDUKCAPIL/2026",
            "serviceRequest": None,
        },
    ]
    after = first["pageInfo"]["endCursor"]
    second = (await gql(query, {"nip": AGUS, "after": after}))["data"]["officer"]["activities"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["nodes"] == [
        {
            "id": "1",
            "date": "2026-01-07",
            "category": "PUBLIC_SERVICE",
            "minutes": 30,
            "evidence": "LKS-2026-000001",
            "serviceRequest": {"ticketNumber": "LKS-2026-000001", "status": "RESOLVED"},
        },
    ]


async def test_units_and_their_officers(gql: GraphQL) -> None:
    body = await gql("{ units { code kind officers { totalCount nodes { nip } } } }")
    assert body["data"]["units"] == [
        {
            "code": "DISDUKCAPIL",
            "kind": "AGENCY",
            "officers": {"totalCount": 2, "nodes": [{"nip": HENDRA}, {"nip": AGUS}]},
        },
        {
            "code": "DISKOMINFO",
            "kind": "AGENCY",
            "officers": {"totalCount": 1, "nodes": [{"nip": MAYA}]},
        },
        {
            "code": "KEC-01",
            "kind": "DISTRICT_OFFICE",
            "officers": {"totalCount": 1, "nodes": [{"nip": JOKO}]},
        },
    ]
    assert body["extensions"]["sources"] == {"performance": {"roundTrips": 2, "rows": 3 + 4}}


async def test_officer_filters(gql: GraphQL) -> None:
    query = "query($f: OfficerFilter) { officers(filter: $f) { totalCount nodes { nip } } }"

    async def nips(f: dict[str, object]) -> list[str]:
        return [n["nip"] for n in (await gql(query, {"f": f}))["data"]["officers"]["nodes"]]

    assert await nips({}) == [HENDRA, AGUS, JOKO, MAYA]
    assert await nips({"unitCode": "DISDUKCAPIL"}) == [HENDRA, AGUS]
    assert await nips({"employmentType": "PPPK"}) == [JOKO]
    assert await nips({"active": False}) == [HENDRA]
    assert await nips({"name": "sari", "active": True}) == [MAYA]
