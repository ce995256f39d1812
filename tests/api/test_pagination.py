"""Relay-style keyset pagination: page walks, edges, caps and bad cursors."""

from __future__ import annotations

from tests.conftest import GraphQL, node_id
from tests.data import AGUS, ANDI, BUDI, DEWI, RUDI, SITI

PAGE = """query($first: Int, $after: String) {
  residents(first: $first, after: $after) {
    edges { cursor node { nik } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }"""
ALL_NIKS = [RUDI, ANDI, BUDI, SITI, DEWI, "3671130101700004"]


async def test_walking_pages_returns_every_resident_once_in_order(gql: GraphQL) -> None:
    seen, after, pages = [], None, 0
    while True:
        body = await gql(PAGE, {"first": 4, "after": after})
        page = body["data"]["residents"]
        seen += [edge["node"]["nik"] for edge in page["edges"]]
        pages += 1
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert (seen, pages) == (ALL_NIKS, 2)


async def test_exact_last_page_and_beyond(gql: GraphQL) -> None:
    body = await gql(PAGE, {"first": 6})
    assert body["data"]["residents"]["pageInfo"]["hasNextPage"] is False
    end = body["data"]["residents"]["pageInfo"]["endCursor"]
    beyond = await gql(
        "query($a: String) { residents(after: $a) { totalCount edges { cursor } "
        "pageInfo { hasNextPage startCursor endCursor } } }",
        {"a": end},
    )
    assert beyond["data"]["residents"] == {
        "totalCount": 6,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "startCursor": None, "endCursor": None},
    }


async def test_empty_list_and_first_zero(gql: GraphQL) -> None:
    empty = await gql(
        '{ residents(filter: {name: "zzz"}) { totalCount edges { cursor } '
        "pageInfo { hasNextPage endCursor } } }"
    )
    assert empty["data"]["residents"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    zero = await gql(PAGE, {"first": 0})
    assert zero["data"]["residents"]["edges"] == []
    assert zero["data"]["residents"]["pageInfo"]["hasNextPage"] is True


async def test_null_first_means_the_default_page(gql: GraphQL) -> None:
    body = await gql(PAGE, {"first": None})
    assert len(body["data"]["residents"]["edges"]) == 6


async def test_first_above_the_cap_is_refused(gql: GraphQL) -> None:
    body = await gql("{ residents(first: 1000) { totalCount } }")
    assert body["data"] == {"residents": None}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert error["path"] == ["residents"]
    assert "between 0 and 100" in error["message"] and "1000" in error["message"]
    negative = await gql("{ courses(first: -1) { totalCount } }")
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_and_foreign_cursors_are_refused(gql: GraphQL) -> None:
    for cursor in ["not-a-cursor", "", "WyJyZXNpZGVudCJd", "e30"]:
        body = await gql(PAGE, {"after": cursor})
        [error] = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}, cursor
        assert "not a cursor of this resident list" in error["message"]
    officers = await gql("{ officers(first: 1) { pageInfo { endCursor } } }")
    officer_cursor = officers["data"]["officers"]["pageInfo"]["endCursor"]
    body = await gql(PAGE, {"after": officer_cursor})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_nested_connection_pages_by_its_own_cursor(gql: GraphQL) -> None:
    query = """query($nip: NIP!, $after: String) { officer(nip: $nip) {
      assignedRequests(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }"""
    first = (await gql(query, {"nip": AGUS}))["data"]["officer"]["assignedRequests"]
    assert (first["totalCount"], [n["id"] for n in first["nodes"]]) == (
        3,
        [node_id("ServiceRequest", 5), node_id("ServiceRequest", 2)],
    )
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(query, {"nip": AGUS, "after": after}))["data"]["officer"]["assignedRequests"]
    assert rest == {
        "totalCount": 3,
        "pageInfo": {"hasNextPage": False, "endCursor": rest["pageInfo"]["endCursor"]},
        "nodes": [{"id": node_id("ServiceRequest", 1)}],
    }
    beyond = await gql(query, {"nip": AGUS, "after": rest["pageInfo"]["endCursor"]})
    assert beyond["data"]["officer"]["assignedRequests"]["nodes"] == []
    assert beyond["data"]["officer"]["assignedRequests"]["totalCount"] == 3
