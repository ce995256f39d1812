"""Compiled execution answers exactly as the standard executor, on the hard parts of GraphQL.

The whole suite runs with ``executor = "verify"``: every query is answered from its compiled
plan and again by graphql-core's standard executor, and the autouse fixture
``compiled_matches_standard`` fails a test whose answers differ. The queries here aim at
what a plan could get wrong: aliases, fragments, directives driven by variables, nulls and
errors through non-null types, denied and masked fields, and introspection.
"""

from __future__ import annotations

import pytest

from padu.compiled import is_compiled
from padu.principal import Role
from padu.resolvers import region
from tests.conftest import GraphQL
from tests.data import AGUS, BUDI, SITI

SHAPES = """
query($a: NIK!, $b: NIK!) {
  first: resident(nik: $a) { ...who kind: __typename }
  second: resident(nik: $b) { ... on Resident { nik name: fullName } gender }
  __typename
}
fragment who on Resident { nik fullName address { rt } address { rw } }
"""


async def test_aliases_fragments_and_typename(gql: GraphQL) -> None:
    body = await gql(SHAPES, {"a": BUDI, "b": SITI})
    assert body.get("errors") is None
    assert body["data"] == {
        "first": {
            "nik": BUDI,
            "fullName": "Budi Santoso",
            "address": {"rt": "001", "rw": "002"},
            "kind": "Resident",
        },
        "second": {"nik": SITI, "name": "Siti Aminah", "gender": "FEMALE"},
        "__typename": "Query",
    }
    assert list(body["data"]["first"]) == ["nik", "fullName", "address", "kind"]
    assert is_compiled(SHAPES)


DIRECTIVES = """
query($nik: NIK!, $withName: Boolean!, $noGender: Boolean!) {
  resident(nik: $nik) {
    nik
    fullName @include(if: $withName)
    gender @skip(if: $noGender)
    ... @include(if: $withName) { birthPlace }
  }
}
"""


async def test_skip_and_include_follow_each_requests_variables(gql: GraphQL) -> None:
    shown = await gql(DIRECTIVES, {"nik": SITI, "withName": True, "noGender": False})
    hidden = await gql(DIRECTIVES, {"nik": SITI, "withName": False, "noGender": True})
    assert shown["data"]["resident"] == {
        "nik": SITI, "fullName": "Siti Aminah", "gender": "FEMALE", "birthPlace": "Serang",
    }  # fmt: skip
    assert hidden["data"]["resident"] == {"nik": SITI}


async def test_an_error_in_a_non_null_field_nulls_up_to_the_nearest_nullable(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(info: object, code: str) -> None:
        raise RuntimeError(f"no district {code}")

    monkeypatch.setattr(region, "district_by_code", broken)
    body = await gql(
        "query($nik: NIK!) { resident(nik: $nik) { nik address { rt district { code } }"
        " family { number address { district { name } } } } }",
        {"nik": BUDI},
    )
    # Address.district is District!, so its error nulls the nullable Resident.address; on a
    # family, Family.address is Address! too, so the error nulls the whole family.
    assert body["data"] == {"resident": {"nik": BUDI, "address": None, "family": None}}
    assert sorted(e["path"] for e in body["errors"]) == [
        ["resident", "address", "district"],
        ["resident", "family", "address", "district"],
    ]


async def test_a_nullable_field_error_leaves_its_siblings(gql: GraphQL) -> None:
    body = await gql(
        "query($n: NIP!) { officer(nip: $n) { nip activities(first: -1) { totalCount } } }",
        {"n": AGUS},
    )
    assert body["data"] is None or body["data"]["officer"]["nip"] == AGUS
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_denied_fields_are_null_with_an_error_at_each_path(gql: GraphQL) -> None:
    body = await gql(
        "{ residents(first: 2) { nodes { gender fullName } } }", as_=(Role.DASHBOARD, "mayor")
    )
    nodes = body["data"]["residents"]["nodes"]
    assert [node["fullName"] for node in nodes] == [None, None]
    assert all(node["gender"] for node in nodes)
    assert sorted(tuple(e["path"]) for e in body["errors"]) == [
        ("residents", "nodes", 0, "fullName"),
        ("residents", "nodes", 1, "fullName"),
    ]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


async def test_masked_identifiers_through_a_relation(gql: GraphQL) -> None:
    body = await gql(
        "query($n: NIP!) { officer(nip: $n) { assignedRequests(first: 5) { nodes {"
        " resident { nik familyCardNumber } } } } }",
        {"n": AGUS},
        as_=(Role.OFFICER, AGUS),
    )
    residents = [n["resident"] for n in body["data"]["officer"]["assignedRequests"]["nodes"]]
    assert residents, body
    for resident in residents:
        assert resident["nik"][4:12] == "********"
        assert resident["familyCardNumber"][4:12] == "********"


async def test_introspection_runs_on_the_standard_executor(gql: GraphQL) -> None:
    query = '{ __type(name: "Resident") { name fields { name } } }'
    body = await gql(query)
    assert body["data"]["__type"]["name"] == "Resident"
    assert not is_compiled(query)


async def test_resolvers_with_nothing_around_them_are_called_by_the_plan_itself(
    gql: GraphQL,
) -> None:
    """The plan calls a plain resolver without Strawberry's wrapper (its arguments converted
    once per request), and the answer is the standard executor's (verify mode compares)."""
    from padu.compiled import _PLANS

    query = """query($y: Int!) { residents(first: 3) { nodes { serviceRequests(first: 2) {
      nodes { assignee { nip performance(year: $y, quarter: 2) { predicate }
                         learning(year: $y) { jpCompleted } } } } } } }"""
    body = await gql(query, {"y": 2026})
    assert "errors" not in body, body
    plans = [plan for key, plan in _PLANS.items() if key[1] == query and plan is not None]
    assert plans
    root = plans[0].fields[0]  # Query.residents
    assert root.direct is not None and root.direct.python_name == "residents"
    bad = await gql(query, {"y": 1900})  # refused in the resolver, once per object
    assert {e["extensions"]["code"] for e in bad["errors"]} == {"BAD_USER_INPUT"}
