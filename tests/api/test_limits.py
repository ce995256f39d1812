"""Query limits: depth, aliases, tokens and cost at their defaults, counted through fragments.

Every refused request is refused before execution: no ``data`` and no source round trip in
its trace (``extensions.sources`` is empty).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from graphql import (
    GraphQLObjectType,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

import padu
from padu.app import create_app
from padu.config import CORE_SUBGRAPHS, Config, parse_config
from padu.cost import FIELD_COSTS
from padu.principal import Role
from padu.schema.build import build_schema
from padu.schema.federation import subgraph
from tests.conftest import TEST_SETTINGS, bearer
from tests.data import PRODUCTION

TRACE = {"X-Padu-Trace": "1"}
CIPONDOH = "36.71.05"
VILLAGE = "36.71.01.1001"
COURSES = """
query Courses($courses: Int, $enrollments: Int) {
  courses(first: $courses) { nodes { ...Enrolled } }
}
fragment Enrolled on Course { id enrollments(first: $enrollments) { nodes { id } } }
"""


@asynccontextmanager
async def serve(dsns: dict[str, str], settings: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """A client to Padu configured with ``settings`` (padu.toml as a dict)."""
    app = create_app(parse_config(settings, "padu.toml", {}), dsns)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
            yield http


@pytest_asyncio.fixture(scope="module")
async def deep(dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """Padu with room in the cost, for the depth tests: ten levels of villages cost 16**3."""
    async with serve(dsns, {**TEST_SETTINGS, "limits": {"max_cost": 1_000_000}}) as http:
        yield http


@pytest_asyncio.fixture(scope="module")
async def production(dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(dsns, PRODUCTION) as http:
        yield http


async def ask(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST ``query`` traced; the decoded body of the 200 answer."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=TRACE
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    """The extensions of the one error refusing ``body``'s request before execution."""
    assert "data" not in body
    assert body["extensions"]["sources"] == {}  # not one source round trip
    [error] = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


def too_complex(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in body.get("errors", ()) if e["extensions"]["code"] == "QUERY_TOO_COMPLEX"]


def nested(depth: int, fragments: bool = False) -> str:
    """A ``region`` query ``depth`` fields deep: village, then district, villages, district, …

    With ``fragments`` each district's selection is a named fragment spreading the next one,
    and each village's an inline fragment.
    """
    body, definitions = "code", []
    for level in range(depth - 1, 2, -1):
        if level % 2 == 0:
            body = (
                f"villages {{ ... on Village {{ {body} }} }}"
                if fragments
                else f"villages {{ {body} }}"
            )
        elif fragments:
            definitions.append(f" fragment D{level} on District {{ {body} }}")
            body = f"district {{ ...D{level} }}"
        else:
            body = f"district {{ {body} }}"
    return f'{{ region {{ village(code: "{VILLAGE}") {{ {body} }} }} }}' + "".join(definitions)


async def test_depth_at_the_limit_passes_and_one_more_is_refused(
    deep: httpx.AsyncClient,
) -> None:
    client = deep
    at_limit = await ask(client, nested(10))
    assert "errors" not in at_limit
    node = at_limit["data"]["region"]["village"]
    for field in ("district", "villages") * 3 + ("district",):
        node = node[field][0] if field == "villages" else node[field]
    assert node == {"code": "36.71.01"}
    assert refusal(await ask(client, nested(11))) == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "depth",
        "max": 10,
        "actual": 11,
    }


async def test_depth_is_counted_through_named_and_inline_fragments(
    deep: httpx.AsyncClient,
) -> None:
    client = deep
    plain = await ask(client, nested(10))
    hidden = await ask(client, nested(10, fragments=True))
    assert "...D3" in nested(10, fragments=True)
    assert hidden["data"] == plain["data"]
    error = refusal(await ask(client, nested(11, fragments=True)))
    assert (error["limit"], error["actual"]) == ("depth", 11)


async def test_depth_hidden_in_one_fragment_and_introspection_not_counted(
    deep: httpx.AsyncClient,
) -> None:
    client = deep
    deep = (
        "village(code: $v) { district { villages { district { villages { district { villages {"
        " district { code } } } } } } } }"
    )
    query = f"query($v: String!) {{ region {{ ...Deep }} }} fragment Deep on Region {{ {deep} }}"
    assert too_complex(await ask(client, query, {"v": VILLAGE})) == []
    # __typename adds no level, one more field does.
    typename = query.replace("{ code }", "{ code __typename }")
    assert too_complex(await ask(client, typename, {"v": VILLAGE})) == []
    deeper = query.replace("{ code }", "{ villages { code } }")
    assert refusal(await ask(client, deeper, {"v": VILLAGE}))["actual"] == 11


async def test_aliases_are_counted_per_spread_of_their_fragment(
    client: httpx.AsyncClient,
) -> None:
    fragment = "fragment Codes on Region { c1: code c2: code c3: code c4: code }"
    regions = "r1: region { ...Codes } r2: region { ...Codes } r3: region { ...Codes }"
    fifteen = f"{{ {regions} }} {fragment}"
    answer = await ask(client, fifteen)
    assert "errors" not in answer
    assert answer["data"]["r3"] == {"c1": "36.71", "c2": "36.71", "c3": "36.71", "c4": "36.71"}
    sixteen = fifteen.replace("r3: region { ...Codes }", "r3: region { ...Codes n: name }")
    assert refusal(await ask(client, sixteen)) == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "aliases",
        "max": 15,
        "actual": 16,
    }


async def test_aliases_in_nested_fragments(client: httpx.AsyncClient) -> None:
    query = """
    { region { ...Outer districts { ...Inner } } }
    fragment Outer on Region { a: code b: name ... on Region { ...Inner2 } }
    fragment Inner2 on Region { c: code d: name }
    fragment Inner on District { e: code f: name g: code h: name i: code j: name k: code }
    """
    assert "errors" not in await ask(client, query)  # 11 aliases
    four_more = query.replace("d: name }", "d: name l: code m: name n: code o: name }")
    assert too_complex(await ask(client, four_more)) == []  # 15
    sixteen = four_more.replace("k: code }", "k: code p: name }")
    assert refusal(await ask(client, sixteen))["actual"] == 16


async def test_tokens_at_the_limit_pass_and_one_more_is_refused(
    client: httpx.AsyncClient,
) -> None:
    def tokens(count: int) -> str:
        # 5 tokens around, 9 in each `district(...) { name }`, 1 in each `code`
        district = f'district(code: "{CIPONDOH}") {{ name }} '
        return "{ region { " + district * 200 + "code " * (count - 5 - 9 * 200) + "} }"

    answer = await ask(client, tokens(2000))
    assert answer["data"] == {"region": {"district": {"name": "Cipondoh"}, "code": "36.71"}}
    error = refusal(await ask(client, tokens(2001)))
    assert error == {"code": "QUERY_TOO_COMPLEX", "limit": "tokens", "max": 2000}


async def test_a_token_or_comment_flood_is_refused_with_a_message_to_act_on(
    client: httpx.AsyncClient,
) -> None:
    flood = await ask(client, "{ region { " + "code " * 19_000 + "} }")
    assert refusal(flood)["limit"] == "tokens"
    assert flood["errors"][0]["message"] == (
        "Query has more than 2000 tokens, the limit (parsing stopped there, so the exact "
        "count is unknown); send a shorter document."
    )
    # Comments count as tokens: 6 tokens and 1994 comments pass, one more comment does not.
    assert "errors" not in await ask(client, "#\n" * 1994 + "{ region { code } }")
    comments = await ask(client, "#\n" * 1995 + "{ region { code } }")
    assert refusal(comments)["limit"] == "tokens"


async def test_cost_at_the_limit_passes_and_one_more_is_refused(
    client: httpx.AsyncClient,
) -> None:
    # courses: 1 + first * (nodes 1 + id 1 + enrollments 1 + first * (nodes 1 + id 1))
    query = "{ courses(first: %d) { nodes { id enrollments(first: %d) { nodes { id } } } } }"
    at_limit = await ask(client, query % (99, 49))  # 1 + 99 * (3 + 49 * 2) = 10 000
    assert "data" in at_limit and too_complex(at_limit) == []
    assert refusal(await ask(client, query % (80, 61))) == {  # 1 + 80 * (3 + 61 * 2)
        "code": "QUERY_TOO_COMPLEX",
        "limit": "cost",
        "max": 10_000,
        "actual": 10_001,
    }


async def test_cost_is_multiplied_through_fragments_and_variables(
    client: httpx.AsyncClient,
) -> None:
    at_limit = await ask(client, COURSES, {"courses": 99, "enrollments": 49})
    assert "data" in at_limit and too_complex(at_limit) == []
    assert refusal(await ask(client, COURSES, {"courses": 80, "enrollments": 61}))["actual"] == (
        10_001
    )
    # Without a value each page counts as the schema's default of 20: 1 + 20 * (3 + 20 * 2).
    defaults = COURSES.replace("$enrollments: Int)", "$enrollments: Int = 150)")
    assert too_complex(await ask(client, defaults)) == []
    # A variable's default counts when the variable is not sent; pages cap at 100.
    error = refusal(await ask(client, defaults, {"courses": 500}))
    assert error["actual"] == 1 + 100 * (3 + 100 * 2)


async def test_nested_connections_multiply(client: httpx.AsyncClient) -> None:
    query = "{ residents(first: 100) { nodes { serviceRequests(first: 100) { nodes { id } } } } }"
    assert refusal(await ask(client, query))["actual"] == 1 + 100 * (1 + 1 + 100 * (1 + 1))


async def test_a_fragment_bomb_is_refused_at_once(client: httpx.AsyncClient) -> None:
    # Each fragment spreads the next twice: 2**150 fields once expanded.
    levels = 150
    query = "{ region { ...F0 } }" + "".join(
        f" fragment F{i} on Region {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query += f" fragment F{levels} on Region {{ code }}"
    body = await ask(client, query)
    assert "data" not in body and body["extensions"]["sources"] == {}
    [error] = too_complex(body)
    # Beyond what a JSON client reads exactly: no "actual", the message has the exact count.
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "cost", "max": 10_000}
    assert str(1 + 2**levels) in error["message"]


async def test_circular_fragments_are_refused_cleanly(client: httpx.AsyncClient) -> None:
    cycles = [
        "{ region { ...A } } fragment A on Region { code ...B } fragment B on Region { ...A }",
        "{ region { ...Self } } fragment Self on Region { name ...Self }",
        f'{{ region {{ village(code: "{VILLAGE}") {{ ...Loop }} }} }}'
        " fragment Loop on Village { district { villages { ...Loop } } }",
    ]
    for query in cycles:
        body = await ask(client, query)
        assert "data" not in body and body["extensions"]["sources"] == {}
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes == {"GRAPHQL_VALIDATION_FAILED"}, body
        assert any("within itself" in e["message"] for e in body["errors"])


async def test_a_long_chain_of_fragments_raises_no_recursion_error(
    client: httpx.AsyncClient,
) -> None:
    chain = " ".join(
        f"fragment F{i} on Village {{ district {{ villages {{ ...F{i + 1} }} }} }}"
        for i in range(100)
    )
    query = f'{{ region {{ village(code: "{VILLAGE}") {{ ...F0 }} }} }} {chain}'
    query += " fragment F100 on Village { code }"
    body = await ask(client, query)
    assert "data" not in body and body["extensions"]["sources"] == {}
    assert too_complex(body)[0]["extensions"]["actual"] == 2 + 2 * 100 + 1


async def test_production_hides_suggestions_and_development_keeps_them(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    typo = "{ region { nam } residents(frist: 1) { totalCount } }"
    development = (await ask(client, typo))["errors"]
    assert [e["message"] for e in development] == [
        "Cannot query field 'nam' on type 'Region'. Did you mean 'name'?",
        "Unknown argument 'frist' on field 'Query.residents'. Did you mean 'first'?",
    ]
    response = await production.post("/graphql", json={"query": typo})
    assert [e["message"] for e in response.json()["errors"]] == [
        "Cannot query field 'nam' on type 'Region'.",
        "Unknown argument 'frist' on field 'Query.residents'.",
    ]
    assert "data" not in response.json()
    # Also in errors found when the variables are read, before execution.
    statuses = (
        "query($s: [ServiceRequestStatus!]) "
        "{ serviceRequests(filter: { status: $s }) { totalCount } }"
    )
    variables = {"s": ["RESOLVE"]}
    hinted = (await ask(client, statuses, variables))["errors"][0]["message"]
    assert hinted.endswith("Did you mean the enum value 'RESOLVED'?")
    response = await production.post("/graphql", json={"query": statuses, "variables": variables})
    assert response.json()["errors"][0]["message"] == hinted.removesuffix(
        " Did you mean the enum value 'RESOLVED'?"
    )


async def test_introspection_only_in_development(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    introspection = "{ __schema { queryType { name } } }"
    allowed = await ask(client, introspection)
    assert allowed == {
        "data": {"__schema": {"queryType": {"name": "Query"}}},
        **({"extensions": allowed["extensions"]} if "extensions" in allowed else {}),
    }
    refused = (await production.post("/graphql", json={"query": introspection})).json()
    assert "data" not in refused
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection has been disabled" in refused["errors"][0]["message"]
    typename = await production.post(
        "/graphql", json={"query": "{ __typename region { __typename } }"}
    )
    assert typename.json() == {"data": {"__typename": "Query", "region": {"__typename": "Region"}}}


async def test_production_enforces_the_limits_too(production: httpx.AsyncClient) -> None:
    response = await production.post("/graphql", json={"query": nested(11)})
    [error, _] = response.json()["errors"]  # and the cost: 16**4 villages' districts
    assert error["extensions"]["limit"] == "depth"
    assert error["message"] == (
        "Query depth 11 exceeds the limit of 10; ask for fewer nested levels."
    )


async def test_a_batch_of_up_to_max_batch_operations(client: httpx.AsyncClient) -> None:
    five = [{"query": "{ region { code } }"}] * 5
    response = await client.post("/graphql", json=five)
    assert response.status_code == 200
    assert response.json() == [{"data": {"region": {"code": "36.71"}}}] * 5
    six = await client.post("/graphql", json=[*five, {"query": "{ region { name } }"}])
    assert six.status_code == 400
    assert "Too many operations" in six.text


async def test_each_operation_of_a_batch_is_limited(client: httpx.AsyncClient) -> None:
    batch = [{"query": "{ region { code } }"}, {"query": nested(11)}]
    first, second = (await client.post("/graphql", json=batch)).json()
    assert first == {"data": {"region": {"code": "36.71"}}}
    assert second["errors"][0]["extensions"]["limit"] == "depth"


async def test_invalid_documents_are_refused_by_validation_not_by_a_crash(
    client: httpx.AsyncClient,
) -> None:
    invalid = [
        "{ region { ...X } } fragment X on ResidentFilter { districtCode { a(first: 3) { b } } }",
        "{ region { ... on NIK { x { y } } } }",
        "{ region { code(first: $x) { a } } }",
        "{ region { ...Missing } }",
        "{ nope(first: 1000) { a { b } } }",
    ]
    for query in invalid:
        body = await ask(client, query, {"x": "not a number"})
        assert "data" not in body and body["extensions"]["sources"] == {}
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes <= {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}, body


async def test_the_page_size_cap_is_configured_and_counts_in_the_cost(
    dsns: dict[str, str],
) -> None:
    settings = {**TEST_SETTINGS, "limits": {"max_page_size": 150, "max_cost": 40_000}}
    async with serve(dsns, settings) as client:
        body = await ask(client, "{ courses(first: 150) { nodes { id } } }")
        assert "errors" not in body and body["data"]["courses"]["nodes"]
        refused = await ask(client, "{ courses(first: 151) { totalCount } }")
        [error] = refused["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "`first` must be between 0 and 150, got 151" in error["message"]
        # A larger `first` counts as the cap: 1 + 150 * (1 + 150 * (1 + 1)).
        query = "{ courses(first: 900) { nodes { enrollments(first: 900) { nodes { id } } } } }"
        assert refusal(await ask(client, query))["actual"] == 1 + 150 * (1 + 1 + 150 * (1 + 1))


@pytest_asyncio.fixture(scope="module")
async def meter(dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """Padu refusing every query (max_cost 1), which tells each query's cost."""
    async with serve(dsns, {**TEST_SETTINGS, "limits": {"max_cost": 1}}) as http:
        yield http


async def cost(
    meter: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> int:
    error = refusal(await ask(meter, query, variables))
    assert error["limit"] == "cost"
    actual: int = error["actual"]
    return actual


async def test_a_float_first_costs_the_integer_execution_uses(
    client: httpx.AsyncClient, meter: httpx.AsyncClient
) -> None:
    page = "query($n: Int) { courses(first: $n) { nodes { id } } }"
    assert await cost(meter, page, {"n": 100.0}) == await cost(meter, page, {"n": 100}) == 201
    # Execution reads 2.0 as 2: the page is what was priced.
    answer = await ask(client, page, {"n": 2.0})
    assert len(answer["data"]["courses"]["nodes"]) == 2
    # A float no longer slips past as the default page of 20: 1 + 80 * (3 + 61 * 2).
    assert refusal(await ask(client, COURSES, {"courses": 80.0, "enrollments": 61.0})) == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "cost",
        "max": 10_000,
        "actual": 10_001,
    }
    # The same text is priced anew for each request's variables (validation is cached).
    assert too_complex(await ask(client, COURSES, {"courses": 20.0, "enrollments": 20.0})) == []
    top = "query($k: Int!) { dashboard { topResolvers(first: $k) { resolved officer { nip } } } }"
    assert await cost(meter, top, {"k": 50.0}) == 1 + 1000 + 50 * 3


async def test_first_left_out_counts_the_default_execution_uses(meter: httpx.AsyncClient) -> None:
    declared = "query($n: Int = 100) { courses(first: $n) { nodes { id } } }"
    assert await cost(meter, declared) == 1 + 100 * 2  # the variable's default
    assert await cost(meter, declared, {"n": None}) == 1 + 20 * 2  # null: the default page
    undeclared = "query($n: Int) { courses(first: $n) { nodes { id } } }"
    assert await cost(meter, undeclared) == 1 + 20 * 2  # the argument's default in the schema
    assert await cost(meter, "{ courses { nodes { id } } }") == 1 + 20 * 2
    # A value that cannot be coerced is as if not sent: execution refuses the request for it.
    assert await cost(meter, undeclared, {"n": "many"}) == 1 + 20 * 2


async def test_fixed_lists_cost_their_real_size(
    client: httpx.AsyncClient, meter: httpx.AsyncClient
) -> None:
    region = (await ask(client, "{ region { districts { villages { code } } } }"))["data"]
    districts = region["region"]["districts"]
    largest = max(len(d["villages"]) for d in districts)
    assert (len(districts), largest) == (13, 16)  # Kota Tangerang, by the bundled code table
    assert await cost(meter, "{ region { districts { code } } }") == 2 + 13
    assert await cost(meter, "{ region { districts { villages { code } } } }") == 2 + 13 * (1 + 16)
    # Each village, its district, and every village of that district again.
    crossed = "{ region { districts { villages { code name district { villages { code } } } } } }"
    assert await cost(meter, crossed) == 2 + 13 * (1 + 16 * (3 + 1 + 16)) == 4175
    # One more crossing is 16 times that: refused, anonymous or not, before any work.
    deeper = crossed.replace(
        "villages { code } } }", "villages { district { villages { code } } } } }"
    )
    assert refusal(await ask(client, deeper))["actual"] == 2 + 13 * (
        1 + 16 * (3 + 1 + 16 * (2 + 16))
    )
    assert await cost(meter, "{ units { code } }") == 1 + 60  # [limits] assumed_units
    events = "{ serviceRequests(first: 10) { nodes { events { status } } } }"
    assert await cost(meter, events) == 1 + 10 * (1 + 1 + 10)


async def test_dashboard_figures_cost_their_work(meter: httpx.AsyncClient) -> None:
    assert await cost(meter, "{ dashboard { serviceLevels { total } } }") == 1 + 1000 + 1
    grouped = (
        "query($d: RequestDimension!) { dashboard { serviceLevelsBy(dimension: $d) { key } } }"
    )
    expected = {"STATUS": 5, "CATEGORY": 8, "DISTRICT": 13, "VILLAGE": 104, "MONTH": 36, "UNIT": 61}
    for dimension, groups in expected.items():
        assert await cost(meter, grouped, {"d": dimension}) == 1 + 1000 + groups
    year = "{ dashboard { performance(year: 2026) { rated } } }"
    assert await cost(meter, year) == 1 + 1000 + 60 * 4
    assert await cost(meter, year.replace("2026", "2026, quarter: 1")) == 1 + 1000 + 60
    ages = "{ dashboard { residentsBy(dimension: AGE_BAND) { key } } }"
    assert await cost(meter, ages) == 1 + 1000 + 16
    compliance = "{ units { learningCompliance(year: 2026) { rate } } }"
    assert await cost(meter, compliance) == 1 + 60 * (100 + 1)


async def test_an_alias_flood_of_dashboard_figures_is_refused(
    client: httpx.AsyncClient, config: Config
) -> None:
    board = {**TRACE, **bearer(config, Role.DASHBOARD, "mayor-office")}
    figures = " ".join(f"f{i}: serviceLevels {{ total }}" for i in range(15))
    flood = f"{{ dashboard {{ {figures} }} }}"
    response = await client.post("/graphql", json={"query": flood}, headers=board)
    assert refusal(response.json()) == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "cost",
        "max": 10_000,
        "actual": 1 + 15 * (1000 + 1),
    }
    # The reference dashboard's own queries fit, and answer.
    page = (Path(padu.__file__).parent / "static" / "dashboard.js").read_text()
    fields = re.search(r'const LEVELS = "([^"]*)"', page)
    assert fields is not None
    queries = [q.replace("${LEVELS}", fields[1]) for q in re.findall(r"`(query [^`]*)`", page)]
    assert len(queries) == 2
    for query in queries:
        answer = await client.post(
            "/graphql", json={"query": query, "variables": {"year": 2026}}, headers=board
        )
        assert answer.json()["data"]["dashboard"], answer.text
        assert too_complex(answer.json()) == []


def test_every_list_of_objects_has_a_declared_size() -> None:
    """In the whole schema and in every subgraph (whose `_entities` is a list too)."""
    whole = build_schema()._schema
    parts = [subgraph(whole, name, ()).schema for name in CORE_SUBGRAPHS]
    lists = set()
    for schema in (whole, *parts):
        for parent in schema.type_map.values():
            if not isinstance(parent, GraphQLObjectType) or parent.name.startswith("__"):
                continue
            for name, field in parent.fields.items():
                listed = is_list_type(get_nullable_type(field.type))
                of_objects = not is_leaf_type(get_named_type(field.type))
                paged = "first" in field.args or parent.name.endswith("Connection")
                if listed and of_objects and not paged:
                    lists.add((parent.name, name))
    assert lists <= set(FIELD_COSTS), lists - set(FIELD_COSTS)
    for parent_name, name in FIELD_COSTS:  # and no entry names a field that is gone
        found = [s.get_type(parent_name) for s in (whole, *parts)]
        assert any(isinstance(p, GraphQLObjectType) and name in p.fields for p in found)
