"""Never a 500, never internal text: every malformed input is a 4xx or a named BAD_USER_INPUT.

Each case runs against Padu in development and in production mode. Ids must be ASCII digits
within int64, strings are capped and hold no NUL, dates lie in 1900..2100 with an offset;
request bodies must be JSON objects; bad JWT headers are 401 (4403 on a WebSocket).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from jwt.algorithms import HMACAlgorithm
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from padu.config import Config, parse_config
from padu.principal import Role
from tests.conftest import (
    ADMIN_ID,
    TEST_SETTINGS,
    Served,
    bearer,
    on_a_port,
    served,
    serving,
)
from tests.data import AGUS, BUDI, PRODUCTION, SITI, TEST_SECRET

# What would show that Python or PostgreSQL, not Padu, wrote the answer.
LEAKS = (
    "Traceback", "asyncpg", "psycopg", "PostgreSQL", "invalid input syntax", "Error:",
    "Exception", "object has no attribute", "RecursionError", "INTERNAL_SERVER_ERROR",
)  # fmt: skip
INT64_MAX = "9223372036854775807"
CAP = 10_000  # [limits] max_string_chars by default
WATCH = """subscription Watch { serviceRequestChanged {
  kind request { ticketNumber resident { birthPlace } } } }"""
SUBMIT = """mutation($input: SubmitServiceRequestInput!) { submitServiceRequest(input: $input) {
  errors { code message } serviceRequest { id } } }"""


@pytest_asyncio.fixture(scope="module")
async def production(dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    config = parse_config({**PRODUCTION, "server": {"executor": "verify"}}, "padu.toml", {})
    async with serving(config, dsns) as http:
        yield http


@pytest.fixture(params=["development", "production"])
def padu(
    request: pytest.FixtureRequest, client: httpx.AsyncClient, config: Config
) -> httpx.AsyncClient:
    """The shared development app, then one in production mode: each case runs on both."""
    if request.param == "development":
        return client
    production: httpx.AsyncClient = request.getfixturevalue("production")
    return production


def clean(response: httpx.Response) -> None:
    """No 5xx and nothing in the answer that Python or PostgreSQL wrote."""
    assert response.status_code < 500, response.text
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text)


async def ask(
    padu: httpx.AsyncClient, config: Config, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST ``query`` as an admin; the JSON answer, checked clean."""
    response = await padu.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=bearer(config, Role.ADMIN, ADMIN_ID),
    )
    clean(response)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(body: dict[str, Any], named: str, extensions: dict[str, str]) -> str:
    """The one BAD_USER_INPUT refusing ``body`` before execution; its message names ``named``."""
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", **extensions}, error
    assert named in error["message"], error
    message: str = error["message"]
    return message


BAD_IDS: list[Any] = [
    "\uff11\uff12\uff13",  # full-width digits: int() reads 123
    "\u0663",  # Arabic-Indic three: int() reads 3
    "\u00b2",  # superscript two: str.isdigit() is True
    "9223372036854775808",  # int64 max + 1
    "99999999999999999999999",
    "-1",
    "+1",
    "1e3",
    "0x1F",
    " 12",
    "12 ",
    "1_000",
    "",
    "1\x00",
    9223372036854775808,  # as a JSON number
    -1,
]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
async def test_an_id_variable_must_be_ascii_digits_within_int64(
    padu: httpx.AsyncClient, config: Config, bad: Any
) -> None:
    body = await ask(
        padu, config, "query($id: ID!) { serviceRequest(id: $id) { id } }", {"id": bad}
    )
    message = refused(body, "$id", {"variable": "id"})
    assert (
        "must be an id Padu gave (an `id` field's value) or a request's or course's number "
        in message
    )
    assert "(ASCII digits 0-9, at most 9223372036854775807)" in message


@pytest.mark.parametrize(
    ("literal", "argument"),
    [
        ('serviceRequest(id: "\uff11\uff12\uff13") { id }', "id"),
        ('serviceRequest(id: "\u0663") { id }', "id"),
        ("serviceRequest(id: 9223372036854775808) { id }", "id"),
        ("serviceRequest(id: -1) { id }", "id"),
        (f"serviceRequest(id: {'9' * 5000}) {{ id }}", "id"),  # past int()'s 4,300 digits
        ('course(id: "1e3") { id }', "id"),
        ('course(id: " 1") { id }', "id"),
    ],
    ids=lambda value: value[:40],
)
async def test_an_id_literal_must_be_ascii_digits_within_int64(
    padu: httpx.AsyncClient, config: Config, literal: str, argument: str
) -> None:
    body = await ask(padu, config, f"{{ {literal} }}")
    refused(body, f"Argument `{argument}`", {"argument": argument})


@pytest.mark.parametrize(
    ("mutation", "argument"),
    [
        ('resolveServiceRequest(id: "-1", resolution: "Selesai") { errors { code } }', "id"),
        (f'assignServiceRequest(id: "\u0662", nip: "{AGUS}") {{ errors {{ code }} }}', "id"),
        ('enrollInCourse(courseId: "\uff11") { errors { code } }', "courseId"),
        (f'recordCourseCompletion(courseId: "9223372036854775808", nip: "{AGUS}", '
         'completedAt: "2024-05-01T08:00:00+07:00") { errors { code } }', "courseId"),
    ],
    ids=lambda value: value[:30],
)  # fmt: skip
async def test_a_mutation_refuses_a_bad_id_before_writing(
    padu: httpx.AsyncClient, config: Config, mutation: str, argument: str
) -> None:
    refused(await ask(padu, config, f"mutation {{ {mutation} }}"), argument, {"argument": argument})


async def test_good_ids_up_to_int64_max_are_looked_up(
    padu: httpx.AsyncClient, config: Config
) -> None:
    found = await ask(
        padu,
        config,
        '{ a: serviceRequest(id: "2") { ticketNumber } b: serviceRequest(id: 2) { ticketNumber } }',
    )
    ticket = {"ticketNumber": "LKS-2026-000002"}
    assert found == {"data": {"a": ticket, "b": ticket}}
    edge = await ask(
        padu, config, "query($id: ID!) { serviceRequest(id: $id) { id } }", {"id": INT64_MAX}
    )
    assert edge == {"data": {"serviceRequest": None}}  # reached PostgreSQL as a bigint: no such row


NUL_STRINGS: list[tuple[str, dict[str, Any], str, dict[str, str]]] = [
    ("query($f: ResidentFilter) { residents(filter: $f) { totalCount } }",
     {"f": {"name": "Bu\x00di"}}, "`$f.name`", {"variable": "f"}),
    ('{ residents(filter: {name: "Bu\\u0000di"}) { totalCount } }', {}, "`filter.name`",
     {"argument": "filter"}),
    ('{ residents(after: "abc\\u0000") { totalCount } }', {}, "`after`", {"argument": "after"}),
    ("query($a: String) { officers(after: $a) { totalCount } }", {"a": "\x00"}, "`$a`",
     {"variable": "a"}),
    ('{ officers(filter: {unitCode: "\\u0000"}) { totalCount } }', {}, "`filter.unitCode`",
     {"argument": "filter"}),
    ('{ auditLog(filter: {actor: "x\\u0000"}) { totalCount } }', {}, "`filter.actor`",
     {"argument": "filter"}),
    ('{ dashboard(filter: {districtCode: "\\u0000"}) { __typename } }', {}, "`filter.districtCode`",
     {"argument": "filter"}),
    ('mutation { resolveServiceRequest(id: "2", resolution: "Selesai\\u0000") { errors { code } } }',
     {}, "`resolution`", {"argument": "resolution"}),
    ('mutation { enrollInCourse(courseId: "1", clientMutationId: "k\\u0000") { errors { code } } }',
     {}, "`clientMutationId`", {"argument": "clientMutationId"}),
    ("mutation($k: String) { updateServiceRequestStatus(id: \"2\", status: IN_PROGRESS, "
     "clientMutationId: $k) { errors { code } } }", {"k": "\x00"}, "`$k`", {"variable": "k"}),
    (SUBMIT, {"input": {"category": "COMPLAINT", "title": "Jalan\x00", "description": "x",
                        "villageCode": "36.71.01.1001"}}, "`$input.title`", {"variable": "input"}),
    ("query($v: String = \"a\\u0000\") { residents(filter: {villageCode: $v}) { totalCount } }",
     {}, "`$v`", {"variable": "v"}),  # a bad default in the document itself
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables", "named", "extensions"), NUL_STRINGS, ids=repr)
async def test_a_nul_in_any_string_is_refused_by_name(
    padu: httpx.AsyncClient,
    config: Config,
    query: str,
    variables: dict[str, Any],
    named: str,
    extensions: dict[str, str],
) -> None:
    message = refused(await ask(padu, config, query, variables), named, extensions)
    assert "contains a NUL character (\\u0000)" in message


@pytest.mark.parametrize(
    ("query", "variables", "named", "extensions"),
    [
        ("query($n: String) { residents(filter: {name: $n}) { totalCount } }",
         {"n": "a" * (CAP + 1)}, "`$n`", {"variable": "n"}),
        ("mutation($k: String) { enrollInCourse(courseId: \"1\", clientMutationId: $k) "
         "{ errors { code } } }", {"k": "k" * (CAP + 1)}, "`$k`", {"variable": "k"}),
        ('mutation { resolveServiceRequest(id: "2", resolution: "%s") { errors { code } } }'
         % ("r" * (CAP + 1)), {}, "`resolution`", {"argument": "resolution"}),
    ],
    ids=["filter variable", "clientMutationId variable", "resolution literal"],
)  # fmt: skip
async def test_a_string_over_the_cap_is_refused_by_name(
    padu: httpx.AsyncClient,
    config: Config,
    query: str,
    variables: dict[str, Any],
    named: str,
    extensions: dict[str, str],
) -> None:
    message = refused(await ask(padu, config, query, variables), named, extensions)
    assert f"is {CAP + 1} characters long; at most {CAP} are accepted" in message


async def test_a_string_at_the_cap_is_served(padu: httpx.AsyncClient, config: Config) -> None:
    query = "query($n: String) { residents(filter: {name: $n}) { totalCount } }"
    assert await ask(padu, config, query, {"n": "a" * CAP}) == {
        "data": {"residents": {"totalCount": 0}}
    }


async def test_the_string_cap_is_configurable(dsns: dict[str, str]) -> None:
    config = parse_config({**TEST_SETTINGS, "limits": {"max_string_chars": 100}}, "t.toml", {})
    query = "query($n: String) { residents(filter: {name: $n}) { totalCount } }"
    async with serving(config, dsns) as http:
        ok = await ask(http, config, query, {"n": "a" * 100})
        assert ok == {"data": {"residents": {"totalCount": 0}}}
        over = await ask(http, config, query, {"n": "a" * 101})
        assert "is 101 characters long; at most 100 are accepted" in refused(
            over, "`$n`", {"variable": "n"}
        )


BAD_DATETIMES: list[Any] = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+07:00",  # a year 0 in UTC: beyond Python's datetime
    "9999-12-31T23:59:59-12:00",  # past year 9999 in UTC
    "99999-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
    "2024-01-01T00:00:00",  # no offset
    "2024-01-01",
    "2024-02-30T00:00:00Z",
    "yesterday",
    "",
    "2024-01-01T00:00:00Z\x00",
    5,
]


@pytest.mark.parametrize("bad", BAD_DATETIMES, ids=repr)
async def test_a_datetime_is_iso_with_an_offset_within_1900_to_2100(
    padu: httpx.AsyncClient, config: Config, bad: Any
) -> None:
    query = "query($s: DateTime) { auditLog(filter: {since: $s}) { totalCount } }"
    message = refused(await ask(padu, config, query, {"s": bad}), "`$s`", {"variable": "s"})
    assert (
        "must be an ISO 8601 date and time with a UTC offset" in message
        or "is outside 1900-01-01 .. 2100-12-31" in message
    )


@pytest.mark.parametrize(
    ("literal", "argument", "path"),
    [
        ('auditLog(filter: {since: "0001-01-01T00:00:00+07:00"}) { totalCount }', "filter", "filter.since"),
        ('serviceRequests(filter: {submittedBefore: "99999-01-01T00:00:00Z"}) { totalCount }', "filter", "filter.submittedBefore"),
        ('dashboard(filter: {submittedFrom: "2024-05-01T08:00:00"}) { __typename }', "filter", "filter.submittedFrom"),
        (f'officer(nip: "{AGUS}") {{ activities(from: "0001-01-01") {{ totalCount }} }}', "from", "from"),
        (f'officer(nip: "{AGUS}") {{ activities(to: "2024-13-01") {{ totalCount }} }}', "to", "to"),
        (f'officer(nip: "{AGUS}") {{ activities(to: "\u0662\u0660\u0662\u0664-01-01") {{ totalCount }} }}', "to", "to"),
    ],
    ids=lambda value: value[:40],
)  # fmt: skip
async def test_a_bad_date_literal_is_refused_by_its_argument(
    padu: httpx.AsyncClient, config: Config, literal: str, argument: str, path: str
) -> None:
    refused(
        await ask(padu, config, f"{{ {literal} }}"), f"Argument `{path}`", {"argument": argument}
    )


async def test_a_completion_date_out_of_range_is_refused_before_writing(
    padu: httpx.AsyncClient, config: Config
) -> None:
    mutation = f"""mutation($at: DateTime!) {{ recordCourseCompletion(courseId: "1",
      nip: "{AGUS}", completedAt: $at) {{ errors {{ code }} }} }}"""
    refused(
        await ask(padu, config, mutation, {"at": "0001-01-01T00:00:00Z"}),
        "`$at`",
        {"variable": "at"},
    )
    naive = await ask(padu, config, mutation, {"at": "2024-05-01T08:00:00"})
    assert "has no offset" in refused(naive, "`$at`", {"variable": "at"})


async def test_dates_in_range_are_served(padu: httpx.AsyncClient, config: Config) -> None:
    query = """query($s: DateTime, $b: DateTime) {
      serviceRequests(filter: {submittedFrom: $s, submittedBefore: $b}) { totalCount } }"""
    body = await ask(
        padu, config, query, {"s": "1900-01-01T00:00:00Z", "b": "2100-12-31T23:59:59+07:00"}
    )
    assert body["data"]["serviceRequests"]["totalCount"] > 0
    assert "errors" not in body


def deep(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


RESIDENTS = "query($f: ResidentFilter) { residents(filter: $f) { totalCount } }"
BODIES: list[tuple[bytes, str]] = [
    (b"[1,2,3]", "operation 0 of the batch must be a JSON object, not a number"),
    (b'"x"', "must be a JSON object (or an array of them), not a string"),
    (b"5", "not a number"),
    (b"null", "not null"),
    (b"true", "not a boolean"),
    (b"[]", "A batch must hold at least one operation"),
    (b'{"query": 5}', "`query`"),
    (b'{"query": "{ units { code } }", "variables": []}', "`variables`"),
    (b'{"query": "{ units { code } }", "variables": 5}', "`variables`"),
    (b'{"query": "{ units { code } }", "extensions": "x"}', "`extensions`"),
    (b'[{"query": 5}]', "`query` of operation 0 of the batch must be a string or null, not a number"),
    (b'[{"query": "{ units { code } }", "variables": []}]', "`variables` of operation 0"),
    (b'[{"query": "{ units { code } }", "operationName": 5}]', "`operationName` of operation 0"),
    (b'[{"query": "{ units { code } }"}, "x"]', "operation 1 of the batch must be a JSON object"),
    (b'{"query": "{ units { code \xff\xfe } }"}', "not valid UTF-8 JSON"),
    (b"\xef\xbb\xbf\xff", "not valid UTF-8 JSON"),
    (b"{not json", "not valid UTF-8 JSON"),
    (b"", "not valid UTF-8 JSON"),
    (b'{"query": "x", "variables": {"f": ' + deep(2000).encode() + b"}}", "not valid UTF-8 JSON"),
    (b"[" * 5000 + b"]" * 5000, "not valid UTF-8 JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "says"), BODIES, ids=lambda value: repr(value)[:40])
async def test_a_body_that_is_not_a_request_object_is_a_json_400(
    padu: httpx.AsyncClient, body: bytes, says: str
) -> None:
    response = await padu.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    clean(response)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert says in error["message"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        # The whole body just inside the JSON parser's 1,024 levels.
        (deep(1000), "Variable values are nested too deeply."),
        ('{"name": ' + "[" * 1000 + '"x"' + "]" * 1000 + "}",
         "Variable `$f.name` must be a single String value, not a list."),
        ('{"name": ' + deep(1000) + "}",
         "Variable `$f.name` must be a single String value, not an object."),
        ('{"villageCode": ' + deep(1000, '"\\u0000"') + "}",
         "Variable `$f.villageCode` must be a single String value, not an object."),
    ],
    ids=["deep object", "deep list in a String", "deep object in a String", "deep NUL"],
)  # fmt: skip
async def test_deeply_nested_variables_are_refused(
    padu: httpx.AsyncClient, config: Config, value: str, says: str
) -> None:
    # Sent as text: the standard library's json cannot even write a value this deep.
    body = f'{{"query": {json.dumps(RESIDENTS)}, "variables": {{"f": {value}}}}}'
    response = await padu.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", **bearer(config, Role.ADMIN, ADMIN_ID)},
    )
    clean(response)
    [error] = response.json()["errors"]
    assert error["message"] == says
    named = {"variable": "f"} if "`$f" in says else {}
    assert error["extensions"] == {"code": "BAD_USER_INPUT", **named}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"query": "{ units { code } }", "variables": "5"}, "not a number"),
        ({"query": "{ units { code } }", "variables": "[1]"}, "`variables` must be an object"),
        ({"query": "{ units { code } }", "variables": "{nope"}, "not valid UTF-8 JSON"),
        ({"query": "{ units { code } }", "variables": deep(2000)}, "not valid UTF-8 JSON"),
    ],
)
async def test_get_variables_that_are_not_an_object_are_a_json_400(
    padu: httpx.AsyncClient, params: dict[str, str], says: str
) -> None:
    response = await padu.get("/graphql", params=params)
    clean(response)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["extensions"]["code"], says in error["message"]) == ("BAD_REQUEST", True)


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_over_http_is_a_400_pointing_to_websocket(
    padu: httpx.AsyncClient, config: Config, method: str
) -> None:
    query = {"query": "subscription { dashboardCounters { total } }"}
    headers = bearer(config, Role.ADMIN, ADMIN_ID)
    if method == "POST":
        response = await padu.post("/graphql", json=query, headers=headers)
    else:
        response = await padu.get("/graphql", params=query, headers=headers)
    clean(response)
    assert response.status_code == 400
    assert response.json() == {"errors": [{
        "message": "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, "
                   "not over HTTP",
        "extensions": {"code": "BAD_REQUEST"},
    }]}  # fmt: skip


def _b64(part: bytes) -> str:
    return base64.urlsafe_b64encode(part).rstrip(b"=").decode()


def forged(header: Any, claims: Any = None, raw_header: bytes | None = None) -> str:
    """A token with ``header`` (JSON, or ``raw_header`` bytes) signed with the test secret."""
    head = _b64(raw_header if raw_header is not None else json.dumps(header).encode())
    body = _b64(json.dumps(claims if claims is not None else {"sub": ADMIN_ID}).encode())
    hs256 = HMACAlgorithm(HMACAlgorithm.SHA256)
    signature = hs256.sign(f"{head}.{body}".encode(), hs256.prepare_key(TEST_SECRET))
    return f"{head}.{body}.{_b64(signature)}"


BAD_HEADERS = {
    "crit list": forged({"alg": "HS256", "crit": ["exp"]}),
    "crit string": forged({"alg": "HS256", "crit": "x"}),
    "crit empty": forged({"alg": "HS256", "crit": []}),
    "kid number": forged({"alg": "HS256", "kid": 5}),
    "kid list": forged({"alg": "HS256", "kid": [1]}),
    "kid object": forged({"alg": "HS256", "kid": {}}),
    "kid null": forged({"alg": "HS256", "kid": None}),
    "alg missing": forged({"typ": "JWT"}),
    "alg list": forged({"alg": ["HS256"]}),
    "alg object": forged({"alg": {"a": 1}}),
    "alg none": forged({"alg": "none"}),
    "header not JSON": forged(None, raw_header=b"{not json"),
    "header an array": forged(None, raw_header=b'["HS256"]'),
    "header not UTF-8": forged(None, raw_header=b'{"alg": "\xff"}'),
    "b64 false": forged({"alg": "HS256", "b64": False, "crit": ["b64"]}),
    "two parts": "eyJhbGciOiJIUzI1NiJ9.e30",
    "not base64": "%%%.%%%.%%%",
}


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "padu", "aud": "padu", "iat": now, "exp": now + 600, "sub": ADMIN_ID,
              "role": "admin"}  # fmt: skip
    claims.update(changes)
    return claims


BAD_CLAIMS = {
    "sub a number": _claims(sub=5),
    "exp a string": _claims(exp="soon"),
    "iat a string": _claims(iat="x"),
    "nbf a list": _claims(nbf=[1]),
    "aud a number": _claims(aud=5),
    "iss a list": _claims(iss=["padu"]),
    "role a list": _claims(role=["admin"]),
    "role an object": _claims(role={"admin": True}),
    "unit a number": _claims(unit=5),
    "jti an object": _claims(jti={}),
    "claims an array": [1, 2],
}


@pytest.mark.parametrize("token", [*BAD_HEADERS.values(), *(
    forged({"alg": "HS256", "typ": "JWT"}, claims) for claims in BAD_CLAIMS.values()
)], ids=[*BAD_HEADERS, *BAD_CLAIMS])  # fmt: skip
async def test_a_malformed_token_is_a_401_with_a_reason(
    padu: httpx.AsyncClient, token: str
) -> None:
    response = await padu.post(
        "/graphql",
        json={"query": "{ units { code } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    clean(response)
    assert response.status_code == 401, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"].startswith("token ")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_a_token_with_crit_or_a_number_kid_says_why(padu: httpx.AsyncClient) -> None:
    for name, reason in [
        ("crit list", "token header is not acceptable: Unsupported critical extension: exp"),
        ("kid number", "token header is not acceptable: Key ID header parameter must be a string"),
    ]:
        response = await padu.post(
            "/graphql",
            json={"query": "{ units { code } }"},
            headers={"Authorization": f"Bearer {BAD_HEADERS[name]}"},
        )
        assert response.json()["errors"][0]["message"] == reason


@pytest_asyncio.fixture(scope="module")
async def socket_url(config: Config, dsns: dict[str, str]) -> AsyncIterator[str]:
    """Padu on a port over the shared read-only databases (sign-in refusals write nothing)."""
    async with on_a_port(config, dsns) as address:
        yield f"ws://{address}/graphql"


@pytest.mark.parametrize("name", ["crit list", "crit string", "kid number", "kid list",
                                  "kid object", "alg missing", "header not JSON"])  # fmt: skip
async def test_a_malformed_token_closes_a_websocket_with_4403(socket_url: str, name: str) -> None:
    async with connect(socket_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {
            "type": "connection_init",
            "payload": {"Authorization": f"Bearer {BAD_HEADERS[name]}"},
        }
        await ws.send(json.dumps(init))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason.startswith("Unauthenticated: token ")
    for leak in LEAKS:
        assert leak not in closed.value.rcvd.reason


async def test_a_bad_id_in_a_subscription_over_websocket_is_refused_by_name(
    socket_url: str, config: Config
) -> None:
    async with connect(socket_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": bearer(config, Role.ADMIN, ADMIN_ID)}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = (
            "subscription($d: String) { dashboardCounters(filter: {districtCode: $d}) { total } }"
        )
        payload = {"query": query, "variables": {"d": "36.71\x00"}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        message = json.loads(await ws.recv())
    assert message["type"] == "error"
    [error] = message["payload"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "variable": "d"}
    assert "`$d` contains a NUL character" in error["message"]


BAD_REQUEST_IDS = ["a b", "x" * 65, "../../etc/passwd", "<script>", "id;drop", "ä", ""]


async def _request_ids(state_dsn: str) -> list[str]:
    conn = await asyncpg.connect(state_dsn)
    try:
        return [row["request_id"] for row in await conn.fetch("SELECT request_id FROM audit_log")]
    finally:
        await conn.close()


@pytest.mark.parametrize("given", BAD_REQUEST_IDS, ids=repr)
async def test_a_bad_request_id_reaches_neither_the_header_nor_the_audit_log(
    client: httpx.AsyncClient, config: Config, dsns: dict[str, str], given: str
) -> None:
    headers = {**bearer(config, Role.ADMIN, ADMIN_ID), "X-Request-Id": given.encode()}
    response = await client.post(
        "/graphql", json={"query": f'{{ resident(nik: "{BUDI}") {{ fullName }} }}'}, headers=headers
    )
    assert response.json()["data"]["resident"] == {"fullName": "Budi Santoso"}
    generated = response.headers["x-request-id"]
    assert generated != given and len(generated) == 32 and generated.isalnum()
    logged = await _request_ids(dsns["state"])
    assert generated in logged  # the read was audited, under the generated id
    assert given not in logged


async def test_a_plain_request_id_is_echoed_and_logged(
    client: httpx.AsyncClient, config: Config, dsns: dict[str, str]
) -> None:
    given = f"trace-{time.time_ns()}_A.b"
    headers = {**bearer(config, Role.ADMIN, ADMIN_ID), "X-Request-Id": given}
    response = await client.post(
        "/graphql", json={"query": f'{{ resident(nik: "{BUDI}") {{ fullName }} }}'}, headers=headers
    )
    assert response.headers["x-request-id"] == given
    assert given in await _request_ids(dsns["state"])


@pytest_asyncio.fixture(scope="module")
async def writable(server_dsn: str, config: Config) -> AsyncIterator[Served]:
    """Padu on a port over fresh databases: the WebSocket audit test submits a request."""
    async with served(server_dsn, config) as padu:
        yield padu


async def test_a_bad_request_id_on_a_websocket_never_reaches_the_audit_log(
    writable: Served,
) -> None:
    bad = "evil id; <script>"
    async with connect(
        writable.ws_url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"X-Request-Id": bad},
    ) as ws:
        init = {"type": "connection_init", "payload": bearer(writable.config, Role.ADMIN, ADMIN_ID)}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": WATCH}}))
        await asyncio.sleep(0.3)  # the subscription registers with the change feed
        body = await writable.ask(SUBMIT, {"input": {
            "category": "COMPLAINT", "title": "Jalan berlubang", "description": "Di depan sekolah.",
            "villageCode": "36.71.01.1001"}}, (Role.CITIZEN, SITI))  # fmt: skip
        assert body["data"]["submitServiceRequest"]["errors"] == [], body
        event = json.loads(await ws.recv())
    assert event["payload"]["data"]["serviceRequestChanged"]["request"]["resident"] == {
        "birthPlace": "Serang"
    }
    conn = await asyncpg.connect(writable.dsns["state"])
    try:
        rows = await conn.fetch(
            "SELECT request_id FROM audit_log WHERE operation_name = 'Watch' AND actor = $1",
            ADMIN_ID,
        )
        everything = await conn.fetch("SELECT request_id FROM audit_log")
    finally:
        await conn.close()
    [watched] = [row["request_id"] for row in rows]
    assert len(watched) == 32 and watched.isalnum()  # generated, not the client's
    assert bad not in [row["request_id"] for row in everything]
