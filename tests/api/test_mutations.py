"""Mutations: each returns the changed object or typed errors, and never writes half."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from padu.app import create_app
from padu.config import Config, parse_config
from padu.principal import Role
from padu.sources.learning import WIB
from tests.conftest import (
    ADMIN_ID,
    TEST_SETTINGS,
    bearer,
    drop_databases,
    eventually,
    fresh_databases,
    node_id,
)
from tests.data import AGUS, BUDI, HENDRA, JOKO, MAYA, SITI

Ask = Callable[..., Awaitable[dict[str, Any]]]
FAST_OUTBOX = {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2, "poll_seconds": 0.05}
PAYLOAD = "clientMutationId replayed errors { code message field } serviceRequest { %s }"


@pytest_asyncio.fixture(scope="module")
async def writable(server_dsn: str) -> AsyncIterator[dict[str, str]]:
    """Databases of this module's own, since mutations change them."""
    created = await fresh_databases(server_dsn)
    yield created
    await drop_databases(server_dsn, created)


@pytest_asyncio.fixture(scope="module")
async def ask(writable: dict[str, str]) -> AsyncIterator[Ask]:
    config: Config = parse_config({**TEST_SETTINGS, "outbox": FAST_OUTBOX}, "test.toml", {})
    app = create_app(config, writable)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:

            async def run(
                query: str,
                variables: dict[str, Any] | None = None,
                as_: tuple[Role, str] = (Role.ADMIN, ADMIN_ID),
            ) -> dict[str, Any]:
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers=bearer(config, *as_),
                )
                assert response.status_code == 200, response.text
                body: dict[str, Any] = response.json()
                return body

            yield run


async def settled(ask: Ask, request_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """The request's sync status once nothing is pending (or the last one seen)."""
    query = "query($id: ID!) { serviceRequest(id: $id) { sync { status pendingEffects deliveredEffects lastError } } }"

    async def sync() -> dict[str, Any]:
        body = await ask(query, {"id": request_id})
        found: dict[str, Any] = body["data"]["serviceRequest"]["sync"]
        return found

    return await eventually(sync, lambda state: state["status"] == "SYNCED", timeout)


async def credits(dsn: str, ticket: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM aktivitas WHERE ref_tiket = $1", ticket)
        )
    finally:
        await conn.close()


SUBMIT = (
    "mutation($input: SubmitServiceRequestInput!) { submitServiceRequest(input: $input) { %s } }"
)


async def test_a_citizen_submits_a_request(ask: Ask) -> None:
    body = await ask(
        SUBMIT % (PAYLOAD % "ticketNumber category status dueAt submittedAt resident { nik } "
                  "events { status note }"),
        {"input": {"category": "FAMILY_CARD", "title": "Pecah KK", "description": "Anak menikah.",
                   "villageCode": "36.71.01.1001", "clientMutationId": "c-1"}},
        as_=(Role.CITIZEN, SITI),
    )  # fmt: skip
    payload = body["data"]["submitServiceRequest"]
    assert payload["errors"] == [] and payload["replayed"] is False
    request = payload["serviceRequest"]
    assert request["ticketNumber"].startswith("LKS-")
    assert (request["category"], request["status"]) == ("FAMILY_CARD", "SUBMITTED")
    assert request["resident"] == {"nik": SITI}
    assert request["events"] == [{"status": "SUBMITTED", "note": "Permohonan diterima"}]
    assert request["dueAt"] > request["submittedAt"]  # one working day later (KK standard)


async def test_submit_refuses_with_typed_errors(ask: Ask) -> None:
    body = await ask(
        SUBMIT % (PAYLOAD % "id"),
        {"input": {"category": "KTP_EL", "title": "x", "description": "y",
                   "villageCode": "36.71.99.9999"}},
        as_=(Role.CITIZEN, SITI),
    )  # fmt: skip
    assert body["data"]["submitServiceRequest"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "villageCode",
         "message": "'36.71.99.9999' is not a village (kelurahan) of Kota Tangerang."}
    ]  # fmt: skip
    on_behalf = await ask(
        SUBMIT % (PAYLOAD % "id"),
        {"input": {"category": "KTP_EL", "title": "x", "description": "y",
                   "villageCode": "36.71.01.1001", "residentNik": BUDI}},
        as_=(Role.CITIZEN, SITI),
    )  # fmt: skip
    assert on_behalf["data"]["submitServiceRequest"]["errors"][0]["code"] == "FORBIDDEN"


async def test_supervisor_assigns_to_an_active_officer_of_the_unit(ask: Ask) -> None:
    assign = "mutation($id: ID!, $nip: NIP!) { assignServiceRequest(id: $id, nip: $nip) { %s } }"
    boss = (Role.SUPERVISOR, HENDRA)
    ok = await ask(assign % (PAYLOAD % "assignee { nip } events { note }"),
                   {"id": "3", "nip": AGUS}, as_=boss)  # fmt: skip
    payload = ok["data"]["assignServiceRequest"]
    assert payload["errors"] == []
    assert payload["serviceRequest"]["assignee"] == {"nip": AGUS}
    # The new assignee is on the request; the free text names no NIP (citizens read it).
    assert payload["serviceRequest"]["events"][-1] == {"note": "Ditugaskan kepada petugas"}
    inactive = await ask(assign % (PAYLOAD % "id"), {"id": "3", "nip": HENDRA}, as_=boss)
    assert inactive["data"]["assignServiceRequest"]["errors"][0]["code"] == "OFFICER_INACTIVE"
    other_unit = await ask(assign % (PAYLOAD % "id"), {"id": "3", "nip": MAYA}, as_=boss)
    assert other_unit["data"]["assignServiceRequest"]["errors"][0]["code"] == "FORBIDDEN"
    citizen = await ask(
        assign % (PAYLOAD % "id"), {"id": "3", "nip": AGUS}, as_=(Role.CITIZEN, SITI)
    )
    assert citizen["data"] == {"assignServiceRequest": None}
    assert citizen["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_illegal_transitions_write_nothing(ask: Ask, writable: dict[str, str]) -> None:
    update = ("mutation($id: ID!, $s: ServiceRequestStatus!) "
              "{ updateServiceRequestStatus(id: $id, status: $s, note: \"x\") { %s } }")  # fmt: skip
    body = await ask(
        update % (PAYLOAD % "id"), {"id": "1", "s": "VERIFIED"}, as_=(Role.OFFICER, AGUS)
    )
    [error] = body["data"]["updateServiceRequestStatus"]["errors"]
    assert error == {
        "code": "ILLEGAL_TRANSITION", "field": "status",
        "message": "A RESOLVED request cannot become VERIFIED; allowed next: none (it is closed).",
    }  # fmt: skip
    conn = await asyncpg.connect(writable["service_requests"])
    try:
        events = await conn.fetchval(
            "SELECT count(*) FROM riwayat_permohonan WHERE id_permohonan = 1"
        )
    finally:
        await conn.close()
    assert events == 4  # unchanged


async def test_resolving_credits_the_assignee_exactly_once(
    ask: Ask, writable: dict[str, str]
) -> None:
    resolve = ("mutation($id: ID!, $key: String) { resolveServiceRequest(id: $id, "
               "resolution: \"KK dicetak\", clientMutationId: $key) { %s } }")  # fmt: skip
    first = await ask(resolve % (PAYLOAD % "status resolvedAt"), {"id": "2", "key": "r-2"},
                      as_=(Role.OFFICER, AGUS))  # fmt: skip
    payload = first["data"]["resolveServiceRequest"]
    assert payload["errors"] == [] and payload["serviceRequest"]["status"] == "RESOLVED"
    assert await settled(ask, "2") == {
        "status": "SYNCED",
        "pendingEffects": 0,
        "deliveredEffects": 1,
        "lastError": None,
    }
    again = await ask(resolve % (PAYLOAD % "status"), {"id": "2", "key": "r-2"},
                      as_=(Role.OFFICER, AGUS))  # fmt: skip
    assert again["data"]["resolveServiceRequest"]["replayed"] is True
    assert again["data"]["resolveServiceRequest"]["errors"] == []
    assert await credits(writable["performance"], "LKS-2026-000002") == 1
    activities = await ask(
        "query($n: NIP!) { officer(nip: $n) { activities(first: 1) { nodes { category minutes "
        "serviceRequest { ticketNumber } } } } }",
        {"n": AGUS},
        as_=(Role.OFFICER, AGUS),
    )
    assert activities["data"]["officer"]["activities"]["nodes"] == [
        {"category": "PUBLIC_SERVICE", "minutes": 30,
         "serviceRequest": {"ticketNumber": "LKS-2026-000002"}}
    ]  # fmt: skip


ENROL = "mutation($c: ID!) { enrollInCourse(courseId: $c) { errors { code field } enrollment { course { id } completed officer { nip } } } }"
COMPLETE = """mutation($c: ID!, $n: NIP!, $at: DateTime!) { recordCourseCompletion(courseId: $c, nip: $n,
  completedAt: $at) { errors { code field } enrollment { course { id } completed completedAt } } }"""


async def test_enrolling_in_a_course(ask: Ask) -> None:
    joko = (Role.OFFICER, JOKO)
    body = await ask(ENROL, {"c": "1"}, as_=joko)
    assert body["data"]["enrollInCourse"] == {
        "errors": [],
        "enrollment": {
            "course": {"id": node_id("Course", 1)},
            "completed": False,
            "officer": {"nip": JOKO},
        },
    }
    again = await ask(ENROL, {"c": "1"}, as_=joko)
    assert again["data"]["enrollInCourse"]["errors"] == [
        {"code": "ALREADY_ENROLLED", "field": "courseId"}
    ]
    missing = await ask(ENROL, {"c": "99"}, as_=joko)
    assert missing["data"]["enrollInCourse"]["errors"] == [
        {"code": "NOT_FOUND", "field": "courseId"}
    ]


async def test_a_completion_credits_jp_and_e_kinerja_once(
    ask: Ask, writable: dict[str, str]
) -> None:
    boss = (Role.SUPERVISOR, HENDRA)
    body = await ask(COMPLETE, {"c": "3", "n": AGUS, "at": "2026-05-01T10:00:00+07:00"}, as_=boss)
    assert body["data"]["recordCourseCompletion"] == {
        "errors": [],
        "enrollment": {
            "course": {"id": node_id("Course", 3)},
            "completed": True,
            "completedAt": "2026-05-01T03:00:00+00:00",
        },
    }
    summary = await ask(
        "query($n: NIP!) { officer(nip: $n) { learning(year: 2026) { jpCompleted compliant } } }",
        {"n": AGUS},
        as_=(Role.OFFICER, AGUS),
    )
    assert summary["data"]["officer"]["learning"] == {"jpCompleted": 22 + 6, "compliant": True}

    async def competency() -> list[tuple[str, int]]:
        conn = await asyncpg.connect(writable["performance"])
        try:
            rows = await conn.fetch(
                "SELECT tanggal::text, durasi_menit FROM aktivitas "
                "WHERE nip = $1 AND kategori = 'pengembangan_kompetensi' AND tanggal = '2026-05-01'",
                AGUS,
            )
        finally:
            await conn.close()
        return [(r["tanggal"], r["durasi_menit"]) for r in rows]

    await eventually(competency, bool, timeout=5)
    assert await competency() == [("2026-05-01", 6 * 45)]
    again = await ask(COMPLETE, {"c": "3", "n": AGUS, "at": "2026-05-02T10:00:00+07:00"}, as_=boss)
    assert again["data"]["recordCourseCompletion"]["errors"] == [
        {"code": "CONFLICT", "field": "courseId"}
    ]
    other_unit = await ask(
        COMPLETE, {"c": "1", "n": MAYA, "at": "2026-05-01T10:00:00+07:00"}, as_=boss
    )
    assert other_unit["data"]["recordCourseCompletion"]["errors"] == [
        {"code": "FORBIDDEN", "field": "nip"}
    ]
    no_account = await ask(
        COMPLETE, {"c": "1", "n": HENDRA, "at": "2026-05-01T10:00:00+07:00"}, as_=boss
    )
    assert no_account["data"]["recordCourseCompletion"]["errors"] == [
        {"code": "NOT_FOUND", "field": "nip"}
    ]
    future = await ask(COMPLETE, {"c": "1", "n": AGUS, "at": "2099-01-01T00:00:00+07:00"}, as_=boss)
    assert future["data"]["recordCourseCompletion"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "completedAt"}
    ]
    await asyncio.sleep(0.2)
    assert await competency() == [("2026-05-01", 6 * 45)]  # still once


async def test_citizen_to_credit_end_to_end(ask: Ask) -> None:
    """The acceptance path: a citizen submits, a supervisor assigns, the officer works and resolves."""
    submitted = await ask(
        SUBMIT % (PAYLOAD % "id ticketNumber"),
        {
            "input": {
                "category": "COMPLAINT",
                "title": "Jalan berlubang",
                "description": "Depan SD.",
                "villageCode": "36.71.01.1001",
            }
        },
        as_=(Role.CITIZEN, BUDI),
    )
    request = submitted["data"]["submitServiceRequest"]["serviceRequest"]
    rid, ticket = request["id"], request["ticketNumber"]
    assigned = await ask(
        "mutation($id: ID!, $nip: NIP!) { assignServiceRequest(id: $id, nip: $nip) { errors { code } } }",
        {"id": rid, "nip": AGUS},
        as_=(Role.SUPERVISOR, HENDRA),
    )
    assert assigned["data"]["assignServiceRequest"]["errors"] == []
    officer = (Role.OFFICER, AGUS)
    for status in ("VERIFIED", "IN_PROGRESS"):
        moved = await ask(
            "mutation($id: ID!, $s: ServiceRequestStatus!) { updateServiceRequestStatus(id: $id, status: $s) "
            "{ errors { code } serviceRequest { status } } }",
            {"id": rid, "s": status},
            as_=officer,
        )
        assert moved["data"]["updateServiceRequestStatus"] == {
            "errors": [],
            "serviceRequest": {"status": status},
        }
    resolved = await ask(
        'mutation($id: ID!) { resolveServiceRequest(id: $id, resolution: "Ditambal") { errors { code } '
        "serviceRequest { status events { status } } } }",
        {"id": rid},
        as_=officer,
    )
    assert resolved["data"]["resolveServiceRequest"]["serviceRequest"] == {
        "status": "RESOLVED",
        "events": [
            {"status": s} for s in ("SUBMITTED", "SUBMITTED", "VERIFIED", "IN_PROGRESS", "RESOLVED")
        ],
    }
    assert (await settled(ask, rid))["status"] == "SYNCED"
    quarter = (datetime.now(WIB).month - 1) // 3 + 1
    work = await ask(
        "query($n: NIP!, $q: Int!, $y: Int!) { officer(nip: $n) { activities(first: 1) { nodes { category minutes "
        "serviceRequest { ticketNumber } } } performance(year: $y, quarter: $q) { activityCount } } }",
        {"n": AGUS, "q": quarter, "y": datetime.now(WIB).year},
        as_=officer,
    )
    assert work["data"]["officer"]["activities"]["nodes"][0] == {
        "category": "PUBLIC_SERVICE",
        "minutes": 60,
        "serviceRequest": {"ticketNumber": ticket},
    }
    assert work["data"]["officer"]["performance"]["activityCount"] >= 1
