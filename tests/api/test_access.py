"""Who may read what: every role on every personal field and every root field, and IDOR tries.

The expectations are written out here, cell by cell, from the issue's rules, so they check
padu/access/policy.py rather than restate it.
"""

from __future__ import annotations

from typing import Any

import pytest

from padu.principal import Role
from tests.conftest import ADMIN_ID, GraphQL, node_id
from tests.data import AGUS, ANDI, BUDI, DEWI, HENDRA, JOKO, KK_BUDI, MAYA, SITI

A, C, P, S, D, N = (  # admin, citizen, petugas (officer), supervisor, dashboard, none
    Role.ADMIN, Role.CITIZEN, Role.OFFICER, Role.SUPERVISOR, Role.DASHBOARD, Role.ANONYMOUS,
)  # fmt: skip
SUBJECTS: dict[Role, str | None] = {
    A: ADMIN_ID,
    C: BUDI,  # a citizen: Budi's own family is Budi, Siti and Andi
    P: AGUS,  # an officer of DISDUKCAPIL, assigned requests 1, 2 and 5
    S: HENDRA,  # supervisor of DISDUKCAPIL (Hendra and Agus)
    D: "dashboard@diskominfo",
    N: None,
}
ALL = (A, C, P, S, D, N)

V, M, F = "value", "masked", "forbidden"  # what a caller gets for a field

# Budi's record through `resident(nik: BUDI)`; the dashboard reads residents through the list.
RESIDENT_FIELDS: dict[str, tuple[str, dict[Role, str]]] = {
    "nik": (BUDI, {A: V, C: V, P: M, S: M, D: F}),
    "familyCardNumber": (KK_BUDI, {A: V, C: V, P: M, S: M, D: F}),
    "fullName": ("Budi Santoso", {A: V, C: V, P: V, S: V, D: F}),
    "birthPlace": ("Tangerang", {A: V, C: V, P: V, S: V, D: F}),
    "birthDate": ("1980-05-15", {A: V, C: V, P: V, S: V, D: F}),
    "address { rt }": ({"rt": "001"}, {A: V, C: V, P: V, S: V, D: F}),
    "family { number }": ({"number": KK_BUDI}, {A: V, C: V, P: F, S: F, D: F}),
    "gender": ("MALE", {A: V, C: V, P: V, S: V, D: V}),
    "religion": ("ISLAM", {A: V, C: V, P: V, S: V, D: V}),
    "maritalStatus": ("MARRIED", {A: V, C: V, P: V, S: V, D: V}),
    "occupation": ("KARYAWAN SWASTA", {A: V, C: V, P: V, S: V, D: V}),
    "education": ("DIPLOMA IV/STRATA I", {A: V, C: V, P: V, S: V, D: V}),
    "bloodType": ("O", {A: V, C: V, P: V, S: V, D: V}),
    "familyRelationship": ("HEAD", {A: V, C: V, P: V, S: V, D: V}),
    "serviceRequests { totalCount }": ({"totalCount": 2}, {A: V, C: V, P: V, S: V, D: V}),
}

# Request 1 (Budi's, assigned to Agus) through `serviceRequest(id: "1")`.
REQUEST_FIELDS: dict[str, tuple[Any, dict[Role, str]]] = {
    "ticketNumber": ("LKS-2026-000001", {A: V, C: V, P: V, S: V, D: V}),
    "status": ("RESOLVED", {A: V, C: V, P: V, S: V, D: V}),
    "title": ("Cetak ulang KTP-el rusak", {A: V, C: V, P: V, S: V, D: F}),
    "description": ("KTP-el patah.", {A: V, C: V, P: V, S: V, D: F}),
    "events { note }": (None, {A: V, C: V, P: V, S: V, D: F}),  # checked on the first event
    "assignee { position }": (
        {"position": "Verifikator Dokumen Kependudukan"},
        {A: V, C: V, P: V, S: V, D: V},
    ),
}

# Agus through `serviceRequest(id: "1") { assignee { … } }`: every role that sees request 1.
OFFICER_FIELDS: dict[str, tuple[Any, dict[Role, str]]] = {
    "nip": (AGUS, {A: V, C: F, P: V, S: V, D: F}),
    "fullName": ("Agus Setiawan", {A: V, C: V, P: V, S: V, D: F}),
    "position": ("Verifikator Dokumen Kependudukan", {A: V, C: V, P: V, S: V, D: V}),
    "unit { code }": ({"code": "DISDUKCAPIL"}, {A: V, C: V, P: V, S: V, D: V}),
    "performance(year: 2026, quarter: 1) { predicate }": (
        {"predicate": "GOOD"},
        {A: V, C: F, P: V, S: V, D: F},
    ),
    "activities { totalCount }": ({"totalCount": 5}, {A: V, C: F, P: V, S: V, D: F}),
    "learning(year: 2026) { jpCompleted }": ({"jpCompleted": 22}, {A: V, C: F, P: V, S: V, D: F}),
    "assignedRequests { totalCount }": ({"totalCount": 3}, {A: V, C: F, P: V, S: V, D: F}),
}

# Root fields: allowed (V) or FORBIDDEN (F) per role.
ROOT_FIELDS: dict[str, dict[Role, str]] = {
    "region { code }": {A: V, C: V, P: V, S: V, D: V, N: V},
    "courses { totalCount }": {A: V, C: V, P: V, S: V, D: V, N: V},
    'course(id: "1") { title }': {A: V, C: V, P: V, S: V, D: V, N: V},
    'course(id: "1") { enrollments { totalCount } }': {A: V, C: F, P: V, S: V, D: V, N: F},
    f'resident(nik: "{BUDI}") {{ gender }}': {A: V, C: V, P: V, S: V, D: F, N: F},
    "residents { totalCount }": {A: V, C: V, P: V, S: V, D: V, N: F},
    'serviceRequest(id: "1") { status }': {A: V, C: V, P: V, S: V, D: V, N: F},
    "serviceRequests { totalCount }": {A: V, C: V, P: V, S: V, D: V, N: F},
    f'officer(nip: "{AGUS}") {{ position }}': {A: V, C: F, P: V, S: V, D: V, N: F},
    "officers { totalCount }": {A: V, C: F, P: V, S: V, D: V, N: F},
    "units { code }": {A: V, C: F, P: V, S: V, D: V, N: F},
    "units { learningCompliance(year: 2026) { rate } }": {A: V, C: F, P: V, S: V, D: V, N: F},
    "auditLog { totalCount }": {A: V, C: F, P: F, S: F, D: F, N: F},
}


def cases(table: dict[str, tuple[Any, dict[Role, str]]]) -> list[Any]:
    return [
        pytest.param(field, expected, role, outcome, id=f"{role.value}-{field.split()[0]}")
        for field, (expected, outcomes) in table.items()
        for role, outcome in outcomes.items()
    ]


def as_role(role: Role) -> tuple[Role, str] | None:
    subject = SUBJECTS[role]
    return None if subject is None else (role, subject)


def outcome_of(body: dict[str, Any], value: Any, path: list[str]) -> str:
    """'value', 'masked' or 'forbidden' as the response shows it, checking the error's path."""
    if value is None:
        forbidden = [e for e in body.get("errors", ()) if e["extensions"]["code"] == "FORBIDDEN"]
        assert forbidden, body
        assert forbidden[0]["path"][: len(path)] == path, (forbidden, path)
        return F
    assert "errors" not in body, body
    return M if isinstance(value, str) and "*" in value else V


@pytest.mark.parametrize(("field", "expected", "role", "outcome"), cases(RESIDENT_FIELDS))
async def test_resident_fields(
    gql: GraphQL, field: str, expected: Any, role: Role, outcome: str
) -> None:
    name = field.split()[0]
    if role is D:  # no lookups by NIK, nor filters by name: Budi's village, in NIK order
        query = '{ residents(filter: {villageCode: "36.71.01.1001"}) { nodes { FIELD } } }'
        body = await gql(query.replace("FIELD", field), as_=as_role(role))
        value = body["data"]["residents"]["nodes"][1][name]  # Andi, Budi, Siti
        path = ["residents", "nodes", 0, name]  # the first of three alike refusals
    else:
        query = "query($n: NIK!) { resident(nik: $n) { FIELD } }".replace("FIELD", field)
        body = await gql(query, {"n": BUDI}, as_=as_role(role))
        value = body["data"]["resident"][name]
        path = ["resident", name]
    assert outcome_of(body, value, path) == outcome
    if outcome == V:
        assert value == expected
    if outcome == M:
        assert value == expected[:4] + "********" + expected[-4:]


@pytest.mark.parametrize(("field", "expected", "role", "outcome"), cases(REQUEST_FIELDS))
async def test_request_fields(
    gql: GraphQL, field: str, expected: Any, role: Role, outcome: str
) -> None:
    name = field.split()[0]
    query = '{ serviceRequest(id: "1") { FIELD } }'.replace("FIELD", field)
    body = await gql(query, as_=as_role(role))
    value = body["data"]["serviceRequest"][name]
    if name == "events":
        value = value[0]["note"]
        expected, name = "Permohonan diterima", "events"
        path = ["serviceRequest", "events", 0, "note"]
    else:
        path = ["serviceRequest", name]
    assert outcome_of(body, value, path) == outcome
    if outcome == V:
        assert value == expected


@pytest.mark.parametrize(("field", "expected", "role", "outcome"), cases(OFFICER_FIELDS))
async def test_officer_fields(
    gql: GraphQL, field: str, expected: Any, role: Role, outcome: str
) -> None:
    name = field.split("(")[0].split()[0]
    query = '{ serviceRequest(id: "1") { assignee { FIELD } } }'.replace("FIELD", field)
    body = await gql(query, as_=as_role(role))
    value = body["data"]["serviceRequest"]["assignee"][name]
    assert outcome_of(body, value, ["serviceRequest", "assignee", name]) == outcome
    if outcome == V:
        assert value == expected


@pytest.mark.parametrize(
    ("field", "role", "outcome"),
    [
        pytest.param(field, role, outcome, id=f"{role.value}-{field.split('(')[0].split()[0]}")
        for field, outcomes in ROOT_FIELDS.items()
        for role, outcome in outcomes.items()
    ],
)
async def test_root_fields(gql: GraphQL, field: str, role: Role, outcome: str) -> None:
    body = await gql("{ " + field + " }", as_=as_role(role))
    codes = [e["extensions"]["code"] for e in body.get("errors", ())]
    if outcome == V:
        assert codes == [], body
    else:
        assert codes == ["FORBIDDEN"], body


def test_matrix_size() -> None:
    """The closing note quotes these numbers."""
    cells = sum(len(o) for _, o in RESIDENT_FIELDS.values())
    cells += sum(len(o) for _, o in REQUEST_FIELDS.values())
    cells += sum(len(o) for _, o in OFFICER_FIELDS.values())
    cells += sum(len(o) for o in ROOT_FIELDS.values())
    assert cells == 75 + 30 + 40 + 78


# --- Row rules and IDOR attempts -------------------------------------------------------------


async def niks(gql: GraphQL, role: Role, query: str) -> list[str]:
    body = await gql(query, as_=as_role(role))
    assert "errors" not in body, body
    return [n["nik"] for n in body["data"]["residents"]["nodes"]]


async def test_a_citizen_sees_only_their_family_in_lists_and_counts(gql: GraphQL) -> None:
    body = await gql("{ residents { totalCount nodes { nik } } }", as_=(C, BUDI))
    assert body["data"]["residents"] == {
        "totalCount": 3,
        "nodes": [{"nik": ANDI}, {"nik": BUDI}, {"nik": SITI}],
    }


async def test_a_citizen_cannot_reach_another_nik_by_any_path(gql: GraphQL) -> None:
    me = (C, BUDI)
    direct = await gql("query($n: NIK!) { resident(nik: $n) { fullName } }", {"n": DEWI}, as_=me)
    assert direct == {"data": {"resident": None}, "extensions": direct["extensions"]}
    requests = await gql("{ serviceRequests { totalCount nodes { id } } }", as_=me)
    assert requests["data"]["serviceRequests"] == {
        "totalCount": 2,
        "nodes": [{"id": node_id("ServiceRequest", 2)}, {"id": node_id("ServiceRequest", 1)}],
    }
    dewis = await gql('{ serviceRequest(id: "4") { id resident { nik } } }', as_=me)
    assert dewis["data"] == {"serviceRequest": None}
    through_officer = await gql(
        """{ serviceRequest(id: "1") { assignee { ...Work } } }
           fragment Work on Officer { assignedRequests { nodes { resident { nik } } } }""",
        as_=me,
    )
    assert through_officer["data"]["serviceRequest"]["assignee"] == {"assignedRequests": None}
    assert through_officer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_officer_sees_only_the_residents_of_their_requests_masked(gql: GraphQL) -> None:
    body = await gql("{ residents { totalCount nodes { nik fullName } } }", as_=(P, AGUS))
    assert body["data"]["residents"] == {
        "totalCount": 2,
        "nodes": [
            {"nik": "3671********0001", "fullName": "Budi Santoso"},
            {"nik": "3671********0001", "fullName": "Dewi Lestari"},
        ],
    }


async def test_an_officer_cannot_read_another_officers_performance_by_any_shape(
    gql: GraphQL,
) -> None:
    maya = (P, MAYA)
    by_key = await gql(
        "query($n: NIP!) { officer(nip: $n) { performance(year: 2026, quarter: 1) "
        "{ predicate } } }",
        {"n": AGUS},
        as_=maya,
    )
    assert by_key["data"] == {"officer": None}  # indistinguishable from no such officer
    listed = await gql("{ officers { totalCount nodes { nip } } }", as_=maya)
    assert listed["data"]["officers"] == {"totalCount": 1, "nodes": [{"nip": MAYA}]}
    via_units = await gql(
        """{ units { code officers { nodes { nip ... on Officer {
             performance(year: 2026, quarter: 1) { predicate } learning(year: 2026) { jpCompleted }
           } } } } }""",
        as_=maya,
    )
    # Another unit's officers are out of Maya's row scope on this path as on every other.
    disdukcapil = via_units["data"]["units"][0]
    assert disdukcapil == {"code": "DISDUKCAPIL", "officers": {"nodes": []}}
    own = via_units["data"]["units"][1]["officers"]["nodes"][0]
    assert own["performance"] == {"predicate": "NEEDS_IMPROVEMENT"}
    assert "errors" not in via_units, via_units["errors"]
    via_requests = await gql('{ serviceRequest(id: "1") { id } }', as_=maya)
    assert via_requests["data"] == {"serviceRequest": None}
    via_enrolments = await gql(
        '{ course(id: "1") { enrollments { nodes { officer { nip } } } } }', as_=maya
    )
    assert via_enrolments["data"]["course"]["enrollments"]["nodes"] == [{"officer": {"nip": MAYA}}]


async def test_a_supervisor_sees_their_whole_unit(gql: GraphQL) -> None:
    boss = (S, HENDRA)
    body = await gql(
        "{ officers { nodes { nip performance(year: 2026, quarter: 1) { predicate } } } "
        "serviceRequests { totalCount } }",
        as_=boss,
    )
    assert body["data"]["officers"]["nodes"] == [
        {"nip": HENDRA, "performance": {"predicate": None}},
        {"nip": AGUS, "performance": {"predicate": "GOOD"}},
    ]
    assert body["data"]["serviceRequests"] == {"totalCount": 3}
    other_unit = await gql(
        "query($n: NIP!) { officer(nip: $n) { fullName } }", {"n": JOKO}, as_=boss
    )
    assert other_unit["data"] == {"officer": None}


async def test_a_dashboard_gets_aggregates_and_nothing_identifying(gql: GraphQL) -> None:
    body = await gql(
        '{ residents(filter: {districtCode: "36.71.01"}) { totalCount nodes { gender } } '
        "serviceRequests(filter: {overdue: true}) { totalCount } "
        "units { learningCompliance(year: 2026) { rate } } }",
        as_=(D, "dashboard@diskominfo"),
    )
    assert "errors" not in body
    assert body["data"]["residents"]["totalCount"] == 3
    assert body["data"]["serviceRequests"] == {"totalCount": 1}


async def test_anonymous_sees_only_the_public_catalogue(gql: GraphQL) -> None:
    body = await gql(
        "{ region { name } courses { totalCount } residents { totalCount } }", as_=None
    )
    assert body["data"] == {
        "region": {"name": "Kota Tangerang"},
        "courses": {"totalCount": 3},
        "residents": None,
    }
    assert [e["path"] for e in body["errors"]] == [["residents"]]
