"""Learning hours (JP) per officer and year, courses and enrolments, from e-learning."""

from __future__ import annotations

from tests.conftest import GraphQL, node_id
from tests.data import AGUS, HENDRA, JOKO, MAYA

SUMMARY = """query($nip: NIP!, $year: Int!) { officer(nip: $nip) { learning(year: $year) {
  year jpCompleted jpRequired compliant coursesCompleted
  enrollments { id course { id title jp mandatory } enrolledAt completedAt completed } } } }"""


async def summary(gql: GraphQL, nip: str, year: int = 2026) -> dict[str, object]:
    body = await gql(SUMMARY, {"nip": nip, "year": year})
    assert body.get("errors") is None, body
    learning: dict[str, object] = body["data"]["officer"]["learning"]
    return learning


async def test_officer_meeting_twenty_jp_is_compliant(gql: GraphQL) -> None:
    assert await summary(gql, AGUS) == {
        "year": 2026,
        "jpCompleted": 22,
        "jpRequired": 20,
        "compliant": True,
        "coursesCompleted": 2,
        "enrollments": [
            {
                "id": "1",
                "course": {
                    "id": node_id("Course", 1),
                    "title": "Pelayanan Publik Prima",
                    "jp": 12,
                    "mandatory": True,
                },
                "enrolledAt": "2026-01-21T12:53:20+00:00",
                "completedAt": "2026-02-10T00:00:00+00:00",
                "completed": True,
            },
            {
                "id": "2",
                "course": {
                    "id": node_id("Course", 2),
                    "title": "Literasi Digital ASN",
                    "jp": 10,
                    "mandatory": False,
                },
                "enrolledAt": "2026-02-25T06:13:20+00:00",
                "completedAt": "2026-04-15T00:00:00+00:00",
                "completed": True,
            },
            {
                "id": "3",
                "course": {
                    "id": node_id("Course", 3),
                    "title": "Pendidikan Anti-Korupsi",
                    "jp": 6,
                    "mandatory": True,
                },
                "enrolledAt": "2026-04-24T03:06:40+00:00",
                "completedAt": None,
                "completed": False,
            },
        ],
    }


async def test_jp_counts_by_completion_year(gql: GraphQL) -> None:
    maya = await summary(gql, MAYA)
    assert (maya["jpCompleted"], maya["compliant"]) == (6, False)
    assert await summary(gql, MAYA, 2025) == {
        "year": 2025,
        "jpCompleted": 12,
        "jpRequired": 20,
        "compliant": False,
        "coursesCompleted": 1,
        "enrollments": [
            {
                "id": "5",
                "course": {
                    "id": node_id("Course", 1),
                    "title": "Pelayanan Publik Prima",
                    "jp": 12,
                    "mandatory": True,
                },
                "enrolledAt": "2025-02-19T21:20:00+00:00",
                "completedAt": "2025-06-01T00:00:00+00:00",
                "completed": True,
            },
        ],
    }
    # Enrolled in 2025, completed in January 2026: the JP count for 2026.
    joko = await summary(gql, JOKO)
    assert (joko["jpCompleted"], [e["id"] for e in joko["enrollments"]]) == (10, ["6"])  # type: ignore[union-attr]


async def test_officer_without_learning_account_has_zero_jp(gql: GraphQL) -> None:
    assert await summary(gql, HENDRA) == {
        "year": 2026,
        "jpCompleted": 0,
        "jpRequired": 20,
        "compliant": False,
        "coursesCompleted": 0,
        "enrollments": [],
    }


async def test_course_catalogue_lists_visible_courses(gql: GraphQL) -> None:
    body = await gql("{ courses { totalCount nodes { id title shortName jp mandatory } } }")
    assert body["data"]["courses"] == {
        "totalCount": 3,
        "nodes": [
            {
                "id": node_id("Course", 1),
                "title": "Pelayanan Publik Prima",
                "shortName": "PPP",
                "jp": 12,
                "mandatory": True,
            },
            {
                "id": node_id("Course", 2),
                "title": "Literasi Digital ASN",
                "shortName": "LITDIG",
                "jp": 10,
                "mandatory": False,
            },
            {
                "id": node_id("Course", 3),
                "title": "Pendidikan Anti-Korupsi",
                "shortName": "PAK",
                "jp": 6,
                "mandatory": True,
            },
        ],
    }
    assert body["extensions"]["sources"] == {"learning": {"roundTrips": 1, "rows": 3}}


async def test_course_enrollments_cross_to_officers(gql: GraphQL) -> None:
    body = await gql(
        """{ course(id: "1") { title enrollments(first: 2) {
              totalCount pageInfo { hasNextPage }
              nodes { id completed officer { nip fullName } } } } }"""
    )
    assert body["data"]["course"] == {
        "title": "Pelayanan Publik Prima",
        "enrollments": {
            "totalCount": 3,
            "pageInfo": {"hasNextPage": True},
            "nodes": [
                {
                    "id": "1",
                    "completed": True,
                    "officer": {"nip": AGUS, "fullName": "Agus Setiawan"},
                },
                {"id": "5", "completed": True, "officer": {"nip": MAYA, "fullName": "Maya Sari"}},
            ],
        },
    }
    last = await gql(
        '{ course(id: "1") { enrollments(first: 5) { nodes { id officer { nip } } } } }'
    )
    # The third learner is a guest trainer with no NIP: no officer, and no error.
    assert last["data"]["course"]["enrollments"]["nodes"][2] == {"id": "7", "officer": None}
    assert "errors" not in last


async def test_unit_compliance_counts_active_asn_only(gql: GraphQL) -> None:
    body = await gql(
        "{ units { code learningCompliance(year: 2026) { officers compliant rate } } }"
    )
    assert body["data"]["units"] == [
        # Hendra (DISDUKCAPIL) is inactive; Agus met 20 JP.
        {"code": "DISDUKCAPIL", "learningCompliance": {"officers": 1, "compliant": 1, "rate": 1.0}},
        {"code": "DISKOMINFO", "learningCompliance": {"officers": 1, "compliant": 0, "rate": 0.0}},
        {"code": "KEC-01", "learningCompliance": {"officers": 1, "compliant": 0, "rate": 0.0}},
    ]
    assert body["extensions"]["sources"] == {
        "performance": {"roundTrips": 2, "rows": 3 + 3},
        "learning": {"roundTrips": 1, "rows": 3},
    }
