"""The spec's validation is cached per query text; the limits still see every request."""

from __future__ import annotations

import pytest

import padu.validation_cache as cache
from tests.conftest import GraphQL

DEEP = """query($n: Int) { courses(first: $n) { nodes { enrollments(first: $n) {
  nodes { course { enrollments(first: $n) { nodes { id } } } } } } } }"""


async def test_same_text_is_validated_once(gql: GraphQL, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = cache.validate_document

    def counting(schema, document, rules):  # type: ignore[no-untyped-def]
        calls.append("validate")
        return original(schema, document, rules)

    monkeypatch.setattr(cache, "validate_document", counting)
    query = "{ region { code } courses(first: 2) { totalCount } # cache test\n}"
    first = await gql(query)
    second = await gql(query)
    assert (
        first["data"]
        == second["data"]
        == {"region": {"code": "36.71"}, "courses": {"totalCount": 3}}
    )
    assert calls == ["validate"]


async def test_limits_depend_on_variables_not_on_the_cache(gql: GraphQL) -> None:
    cheap = await gql(DEEP, {"n": 2})
    assert "errors" not in cheap
    costly = await gql(DEEP, {"n": 100})  # same text, now over the cost limit
    assert costly["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert costly["errors"][0]["extensions"]["limit"] == "cost"


async def test_cached_errors_are_answered_again(gql: GraphQL) -> None:
    for _ in range(2):
        body = await gql("{ region { shoeSize } }")
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "shoeSize" in body["errors"][0]["message"]
