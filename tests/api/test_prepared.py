"""Prepared queries (padu.prepared): a query validated once is answered without the general
path, with the very answer, headers and audit entries the general path gives; anything the
general path would refuse, or does not run as a query, still goes through it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from padu.access.audit import keyed_hash
from padu.app import create_app
from padu.config import Config
from padu.prepared import PreparedQueries
from padu.principal import Role
from tests.conftest import ADMIN_ID, bearer
from tests.data import AGUS, BUDI, SITI, TEST_AUDIT_KEY


class Client:
    """Padu in process, its prepared-query counter, and a POST as some caller."""

    def __init__(self, http: httpx.AsyncClient, config: Config, prepared: PreparedQueries) -> None:
        self.http, self.config, self.prepared = http, config, prepared

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        as_: tuple[Role, str] = (Role.ADMIN, ADMIN_ID),
        **headers: str,
    ) -> httpx.Response:
        sent = {"X-Padu-Trace": "1", **bearer(self.config, *as_), **headers}
        body = {"query": query, "variables": variables or {}}
        return await self.http.post("/graphql", json=body, headers=sent)

    async def twice(self, query: str, *args: Any, **kwargs: Any) -> tuple[httpx.Response, ...]:
        """The first answer (general path, or prepared if seen before) and a prepared one."""
        first = await self.post(query, *args, **kwargs)
        before = self.prepared.answered
        second = await self.post(query, *args, **kwargs)
        assert self.prepared.answered == before + 1, "the second request was not prepared"
        return first, second


@pytest_asyncio.fixture(scope="module")
async def padu(config: Config, dsns: dict[str, str]) -> AsyncIterator[Client]:
    app = create_app(config, dsns)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
            yield Client(http, config, app.state.graphql.prepared)


def same(first: httpx.Response, second: httpx.Response) -> dict[str, Any]:
    assert (first.status_code, first.headers["content-type"]) == (
        second.status_code, second.headers["content-type"],
    )  # fmt: skip
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    body: dict[str, Any] = second.json()
    assert first.json() == body
    return body


async def test_a_repeated_query_is_prepared_and_answers_the_same(padu: Client) -> None:
    query = (
        "query($nik: NIK!) { resident(nik: $nik) { nik fullName family { members { fullName } } } }"
    )
    body = same(*await padu.twice(query, {"nik": BUDI}))
    assert body["data"]["resident"]["fullName"] == "Budi Santoso"
    assert body["extensions"]["sources"]["population"]["roundTrips"] >= 1
    other = await padu.post(query, {"nik": SITI})  # other variables: prepared too
    assert other.json()["data"]["resident"]["nik"] == SITI


async def test_masks_refusals_and_partial_answers_are_the_same_prepared(padu: Client) -> None:
    officer = (Role.OFFICER, AGUS)
    masked = same(
        *await padu.twice("{ residents(first: 3) { nodes { nik fullName } } }", as_=officer)
    )
    assert all("*" in n["nik"] for n in masked["data"]["residents"]["nodes"])
    refused = same(
        *await padu.twice("{ residents(first: 1) { nodes { family { number } } } }", as_=officer)
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    citizen = (Role.CITIZEN, SITI)
    own = same(*await padu.twice("{ residents(first: 5) { totalCount } }", as_=citizen))
    assert "data" in own


async def test_the_media_type_the_client_accepts_is_kept(padu: Client) -> None:
    accept = {"Accept": "application/graphql-response+json"}
    first, second = await padu.twice("{ region { districts { code } } }", **accept)
    same(first, second)
    assert second.headers["content-type"].startswith("application/graphql-response+json")


async def test_what_the_general_path_refuses_is_refused_by_it(padu: Client) -> None:
    query = "query($n: Int) { residents(first: $n) { nodes { serviceRequests(first: $n) { nodes { id } } } } }"
    await padu.twice(query, {"n": 5})
    before = padu.prepared.answered
    costly = (await padu.post(query, {"n": 100})).json()  # 100 x 100 requests: over max_cost
    assert costly["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    wrong = (await padu.post(query, {"n": "five"})).json()
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert padu.prepared.answered == before
    named = "query($nik: NIK!) { resident(nik: $nik) { nik } }"
    await padu.twice(named, {"nik": BUDI})
    before = padu.prepared.answered
    bad = (await padu.post(named, {"nik": "3671011505800001\u0000"})).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert padu.prepared.answered == before  # each went through the general path


async def test_mutations_and_unseen_documents_take_the_general_path(padu: Client) -> None:
    # A dashboard may not submit, so the shared test data stays as it is.
    mutation = (
        'mutation { submitServiceRequest(input: {category: COMPLAINT, title: "x", '
        'description: "y", villageCode: "36.71.01.1001"}) { errors { code } } }'
    )
    before = padu.prepared.answered
    for _ in range(2):
        refused = await padu.post(mutation, as_=(Role.DASHBOARD, "dashboard@padu.test"))
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await padu.post("{ region { code name } } # seen once")
    assert padu.prepared.answered == before


async def test_a_prepared_answer_writes_the_same_audit_entries(
    padu: Client, dsns: dict[str, str]
) -> None:
    query = "query($nik: NIK!) { resident(nik: $nik) { fullName religion } }"

    async def entries() -> list[tuple[str, ...]]:
        connection = await asyncpg.connect(dsns["state"])
        try:
            rows = await connection.fetch(
                "SELECT fields FROM audit_log WHERE record_hash = $1 ORDER BY id",
                keyed_hash(TEST_AUDIT_KEY.encode(), SITI),
            )
        finally:
            await connection.close()
        return [tuple(r["fields"]) for r in rows]

    before = await entries()
    await padu.twice(query, {"nik": SITI})
    written = (await entries())[len(before) :]
    assert len(written) == 2 and written[0] == written[1]
    assert set(written[0]) == {"Resident.fullName", "Resident.religion"}
