"""Writes racing for real on PostgreSQL: a conditional write holds every fact its caller was
authorised on (status, assignee), so of two racing writers exactly one wins, what resolving
credits follows the committed row, and a clientMutationId answers only the input it was
first sent with.

Races are lined up where the outcome must be exact: a side connection holds the request's
row lock while the writers read and reach their UPDATE, and lets go once they all wait on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from padu.config import Config, parse_config
from padu.dispatcher import credit_effect
from padu.principal import Principal, Role
from padu.sources import Sources
from padu.sources.performance import ActivityCategory
from padu.sources.performance_writes import Credit
from padu.writes import Call, Writes, Written
from tests.conftest import (
    ADMIN_ID,
    TEST_SETTINGS,
    drop_databases,
    eventually,
    fresh_databases,
    poster,
    serving,
)
from tests.data import AGUS, HENDRA, MAYA, SITI

Ask = Callable[..., Awaitable[dict[str, Any]]]
# Enough connections for every writer of a line-up to wait on the row lock at once.
SETTINGS = {
    **TEST_SETTINGS,
    "outbox": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2, "poll_seconds": 0.05},
    "sources": {"service_requests": {"pool_max": 40}},
    # The races send up to 20 writes at once from one supervisor: all must reach the source.
    "limits": {"max_concurrent_per_caller": 20},
}
RINA = "199105102018012001"  # a second active officer of DISDUKCAPIL, added for these tests
HENDRA_BOSS = (Role.SUPERVISOR, HENDRA)  # supervisor of DISDUKCAPIL
MAYA_BOSS = (Role.SUPERVISOR, MAYA)  # supervisor of DISKOMINFO
OFFICER = (Role.OFFICER, AGUS)

ASSIGN = """mutation($id: ID!, $nip: NIP!, $key: String) {
  assignServiceRequest(id: $id, nip: $nip, clientMutationId: $key) {
    replayed errors { code message field } serviceRequest { assignee { nip } } } }"""
RESOLVE = """mutation($id: ID!, $key: String, $text: String! = "Selesai") {
  resolveServiceRequest(id: $id, resolution: $text, clientMutationId: $key) {
    replayed errors { code message field } serviceRequest { status } } }"""
UPDATE = """mutation($id: ID!, $s: ServiceRequestStatus!, $note: String, $key: String) {
  updateServiceRequestStatus(id: $id, status: $s, note: $note, clientMutationId: $key) {
    errors { code message field } serviceRequest { status } } }"""
TIMELINE = "query($id: ID!) { serviceRequest(id: $id) { events { status note } } }"


@pytest_asyncio.fixture(scope="module")
async def world(server_dsn: str) -> AsyncIterator[tuple[dict[str, str], Ask]]:
    """This module's own databases (with Rina in DISDUKCAPIL) and Padu over them."""
    dsns = await fresh_databases(server_dsn)
    async with connected(dsns["performance"]) as conn:
        await conn.execute(
            "INSERT INTO pegawai (nip, nama, jabatan, kode_unit, jenis_kepegawaian, golongan, "
            "aktif) VALUES ($1, 'Rina Wulandari', 'Analis Kependudukan', 'DISDUKCAPIL', 'PNS', "
            "'III/a', true)",
            RINA,
        )
    config: Config = parse_config(SETTINGS, "test.toml", {})
    async with serving(config, dsns) as http:
        yield dsns, poster(http, config)
    await drop_databases(server_dsn, dsns)


@asynccontextmanager
async def connected(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def new_request(dsn: str, status: str = "menunggu", assignee: str | None = None) -> int:
    """A fresh request, with its first timeline step; returns its id."""
    now = datetime.now(UTC)
    async with connected(dsn) as conn:
        request_id: int = await conn.fetchval(
            """INSERT INTO permohonan (no_tiket, kode_kategori, status, judul, uraian,
                   nik_pemohon, kode_kelurahan, kode_kecamatan, nip_petugas, dibuat_pada,
                   batas_waktu)
               VALUES ('R-' || nextval('permohonan_id_permohonan_seq'), 'KTP_EL', $1, 'Uji',
                       'Uji', $2, '36.71.01.1001', '36.71.01', $3, $4, $5)
               RETURNING id_permohonan""",
            status, SITI, assignee, now - timedelta(hours=1), now + timedelta(days=3),
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO riwayat_permohonan (id_permohonan, status, catatan, waktu) "
            "VALUES ($1, 'menunggu', 'Permohonan diterima', $2)",
            request_id, now - timedelta(hours=1),
        )  # fmt: skip
    return request_id


async def row(dsn: str, request_id: int) -> dict[str, Any]:
    """The request's status and assignee, and its assignment steps, as stored."""
    async with connected(dsn) as conn:
        found = await conn.fetchrow(
            "SELECT status, nip_petugas, no_tiket FROM permohonan WHERE id_permohonan = $1",
            request_id,
        )
        assignments = await conn.fetchval(
            "SELECT count(*) FROM riwayat_permohonan "
            "WHERE id_permohonan = $1 AND catatan LIKE 'Ditugaskan kepada %'",
            request_id,
        )
    return {**dict(found), "assignments": assignments}


async def credited(dsn: str, ticket: str) -> list[str]:
    """The NIPs e-Kinerja credited for ``ticket``."""
    async with connected(dsn) as conn:
        rows = await conn.fetch("SELECT nip FROM aktivitas WHERE ref_tiket = $1", ticket)
    return [r["nip"] for r in rows]


@asynccontextmanager
async def locked(
    dsn: str, lock: str, *args: Any, commit: bool = False
) -> AsyncIterator[tuple[asyncpg.Connection, Callable[[int], Awaitable[None]]]]:
    """Hold the row lock ``lock`` takes; yields the holding connection (in its transaction)
    and ``waiters(n)``, which returns once n writers wait on it. On leaving, the holder
    commits or rolls back, and the writers go in the order they queued."""
    # Two connections: a transaction sees pg_stat_activity as of its first look at it.
    async with connected(dsn) as holder, connected(dsn) as watcher:
        holding = holder.transaction()
        await holding.start()
        await holder.execute(lock, *args)
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )

        async def waiters(count: int) -> None:
            waiting = await eventually(lambda: watcher.fetchval(query), lambda n: n >= count, 8)
            assert waiting == count, f"{waiting} writers wait on the row, expected {count}"

        try:
            yield holder, waiters
        finally:
            await (holding.commit() if commit else holding.rollback())


@asynccontextmanager
async def row_locked(dsn: str, request_id: int) -> AsyncIterator[Callable[[int], Awaitable[None]]]:
    """Hold the request's row lock while writers line up on it; see ``locked``."""
    lock = "SELECT 1 FROM permohonan WHERE id_permohonan = $1 FOR UPDATE"
    async with locked(dsn, lock, request_id) as (_, waiters):
        yield waiters


class Said(logging.Handler):
    """The messages logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def outcome(body: dict[str, Any], field: str) -> str:
    """``ok`` or the payload's error code."""
    errors = body["data"][field]["errors"]
    return errors[0]["code"] if errors else "ok"


# --- assignment ------------------------------------------------------------------------------


async def test_supervisors_of_two_units_lined_up_on_one_request_exactly_one_assigns(
    world: tuple[dict[str, str], Ask],
) -> None:
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"])
    racers = [(HENDRA_BOSS, AGUS)] * 6 + [(MAYA_BOSS, MAYA)] * 6
    async with row_locked(dsns["service_requests"], request_id) as waiters:
        tasks = [
            asyncio.create_task(ask(ASSIGN, {"id": str(request_id), "nip": nip}, as_=boss))
            for boss, nip in racers
        ]
        await waiters(len(racers))  # every one read the request unassigned, and passed
    bodies = await asyncio.gather(*tasks)
    answers = [outcome(body, "assignServiceRequest") for body in bodies]
    assert sorted(answers) == ["CONFLICT"] * 11 + ["ok"]
    [(_, winner)] = [racer for racer, said in zip(racers, answers, strict=True) if said == "ok"]
    stored = await row(dsns["service_requests"], request_id)
    assert (stored["status"], stored["nip_petugas"], stored["assignments"]) == (
        "menunggu", winner, 1,
    )  # fmt: skip
    assert bodies[answers.index("CONFLICT")]["data"]["assignServiceRequest"]["errors"] == [{
        "code": "CONFLICT",
        "field": None,
        "message": f"Service request {request_id} changed while you were updating it; "
        "reload it and retry.",
    }]  # fmt: skip


@pytest.mark.parametrize("round_", range(3))
async def test_supervisors_of_two_units_racing_freely_exactly_one_assigns(
    world: tuple[dict[str, str], Ask], round_: int
) -> None:
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"])
    racers = [(HENDRA_BOSS, AGUS), (MAYA_BOSS, MAYA)] * 10
    bodies = await asyncio.gather(
        *(ask(ASSIGN, {"id": str(request_id), "nip": nip}, as_=boss) for boss, nip in racers)
    )
    answers = [outcome(body, "assignServiceRequest") for body in bodies]
    assert answers.count("ok") == 1, answers
    assert set(answers) <= {"ok", "CONFLICT", "NOT_FOUND"}, answers
    [(_, winner)] = [racer for racer, said in zip(racers, answers, strict=True) if said == "ok"]
    stored = await row(dsns["service_requests"], request_id)
    assert (stored["nip_petugas"], stored["assignments"]) == (winner, 1)


async def test_a_reassignment_in_between_voids_the_supervisors_unit_check(
    world: tuple[dict[str, str], Ask],
) -> None:
    """Hendra may reassign Agus's request within DISDUKCAPIL; once an admin gave it to Maya
    (DISKOMINFO), Hendra's write, decided on Agus, must not land."""
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"], "proses", AGUS)
    async with row_locked(dsns["service_requests"], request_id) as waiters:
        admin = asyncio.create_task(
            ask(ASSIGN, {"id": str(request_id), "nip": MAYA}, as_=(Role.ADMIN, ADMIN_ID))
        )
        await waiters(1)
        hendra = asyncio.create_task(
            ask(ASSIGN, {"id": str(request_id), "nip": RINA}, as_=HENDRA_BOSS)
        )
        await waiters(2)
    assert outcome(await admin, "assignServiceRequest") == "ok"
    assert outcome(await hendra, "assignServiceRequest") == "CONFLICT"
    stored = await row(dsns["service_requests"], request_id)
    assert (stored["nip_petugas"], stored["assignments"]) == (MAYA, 1)


# --- resolving while being reassigned ------------------------------------------------------


@pytest.mark.parametrize("first", ["resolve", "reassign"])
async def test_a_resolve_racing_a_reassignment(
    world: tuple[dict[str, str], Ask], first: str
) -> None:
    """Whichever queued first wins; the other gets CONFLICT. A won resolve credits the officer
    the resolved row names; nothing follows RESOLVED in the timeline."""
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"], "proses", AGUS)
    ticket = (await row(dsns["service_requests"], request_id))["no_tiket"]
    writers = {
        "resolve": lambda: ask(RESOLVE, {"id": str(request_id)}, as_=OFFICER),
        "reassign": lambda: ask(ASSIGN, {"id": str(request_id), "nip": RINA}, as_=HENDRA_BOSS),
    }
    second = "reassign" if first == "resolve" else "resolve"
    async with row_locked(dsns["service_requests"], request_id) as waiters:
        leading = asyncio.create_task(writers[first]())
        await waiters(1)
        trailing = asyncio.create_task(writers[second]())
        await waiters(2)
    fields = {"resolve": "resolveServiceRequest", "reassign": "assignServiceRequest"}
    assert outcome(await leading, fields[first]) == "ok"
    assert outcome(await trailing, fields[second]) == "CONFLICT"
    stored = await row(dsns["service_requests"], request_id)
    timeline = await ask(TIMELINE, {"id": str(request_id)})
    statuses = [e["status"] for e in timeline["data"]["serviceRequest"]["events"]]
    if first == "resolve":
        assert (stored["status"], stored["nip_petugas"], stored["assignments"]) == (
            "selesai", AGUS, 0,
        )  # fmt: skip
        assert statuses == ["SUBMITTED", "RESOLVED"]
        nips = await eventually(lambda: credited(dsns["performance"], ticket), bool)
        assert nips == [stored["nip_petugas"]]
    else:
        assert (stored["status"], stored["nip_petugas"], stored["assignments"]) == (
            "proses", RINA, 1,
        )  # fmt: skip
        assert statuses == ["SUBMITTED", "IN_PROGRESS"]
        await asyncio.sleep(0.3)  # the outbox is fast here: a credit would have landed
        assert await credited(dsns["performance"], ticket) == []


async def test_a_status_change_is_conditional_on_the_assignee_it_was_decided_on(
    world: tuple[dict[str, str], Ask],
) -> None:
    """Agus may move his own request; reassigned to Rina meanwhile, his change must not land."""
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"], "verifikasi", AGUS)
    async with row_locked(dsns["service_requests"], request_id) as waiters:
        reassign = asyncio.create_task(
            ask(ASSIGN, {"id": str(request_id), "nip": RINA}, as_=HENDRA_BOSS)
        )
        await waiters(1)
        move = asyncio.create_task(
            ask(UPDATE, {"id": str(request_id), "s": "IN_PROGRESS"}, as_=OFFICER)
        )
        await waiters(2)
    assert outcome(await reassign, "assignServiceRequest") == "ok"
    assert outcome(await move, "updateServiceRequestStatus") == "CONFLICT"
    stored = await row(dsns["service_requests"], request_id)
    assert (stored["status"], stored["nip_petugas"]) == ("verifikasi", RINA)


async def test_the_timeline_keeps_commit_order_when_a_clock_ran_ahead(
    world: tuple[dict[str, str], Ask],
) -> None:
    """A step committed earlier but dated later (another writer's clock ran ahead) is never
    shown after the resolution that followed it."""
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"], "proses", AGUS)
    ahead = datetime.now(UTC) + timedelta(minutes=5)
    async with connected(dsns["service_requests"]) as conn:
        await conn.execute(
            "INSERT INTO riwayat_permohonan (id_permohonan, status, catatan, nip_pelaku, waktu) "
            "VALUES ($1, 'proses', 'Ditugaskan kepada ' || $2::text, $3, $4)",
            request_id, AGUS, HENDRA, ahead,
        )  # fmt: skip
    assert outcome(await ask(RESOLVE, {"id": str(request_id)}, as_=OFFICER),
                   "resolveServiceRequest") == "ok"  # fmt: skip
    timeline = await ask(TIMELINE, {"id": str(request_id)})
    statuses = [e["status"] for e in timeline["data"]["serviceRequest"]["events"]]
    assert statuses == ["SUBMITTED", "IN_PROGRESS", "RESOLVED"]
    async with connected(dsns["service_requests"]) as conn:
        resolved_at = await conn.fetchval(
            "SELECT waktu FROM riwayat_permohonan WHERE id_permohonan = $1 AND status = 'selesai'",
            request_id,
        )
    assert resolved_at >= ahead


async def test_what_enters_the_outbox_is_what_the_committed_write_owes(
    world: tuple[dict[str, str], Ask],
) -> None:
    """The effects logged before the write (for crash recovery) give way to those of the row
    the write committed; a difference means a condition is missing, and is logged."""
    dsns, _ = world
    config: Config = parse_config(SETTINGS, "test.toml", {})
    sources = Sources.create(config, dsns)
    await sources.start()
    said = Said()
    logging.getLogger("padu.writes").addHandler(said)
    try:
        writes = Writes(sources, Principal(Role.OFFICER, AGUS), wake=lambda: None)
        authorised = Credit(
            AGUS, date(2026, 5, 4), "Menyelesaikan X", ActivityCategory.PUBLIC_SERVICE, 30
        )
        committed = replace(authorised, nip=RINA)

        async def write(key: str) -> Written:
            return Written("serviceRequest:999", [credit_effect("credit:X", committed, "sr:X")])

        outcome = await writes.run(
            Call.of("resolveServiceRequest", "owed-1", id="999"),
            owning=sources.service_requests,
            subject="serviceRequest:999",
            owed=[credit_effect("credit:X", authorised, "sr:X")],
            write=write,
        )
    finally:
        logging.getLogger("padu.writes").removeHandler(said)
        await sources.stop()
    assert outcome.errors == []
    async with connected(dsns["state"]) as conn:
        queued = await conn.fetchval(
            "SELECT payload->>'nip' FROM outbox WHERE effect_key = 'credit:X'"
        )
        logged = await conn.fetchval(
            "SELECT effects->0->'payload'->>'nip' FROM mutation_log WHERE key LIKE '%:owed-1'"
        )
    assert (queued, logged) == (RINA, RINA)
    assert said.lines == [
        "resolveServiceRequest committed a row unlike the one it was authorised on"
    ]


# --- e-learning -----------------------------------------------------------------------------

COMPLETE = """mutation($c: ID!, $n: NIP!, $at: DateTime!) {
  recordCourseCompletion(courseId: $c, nip: $n, completedAt: $at) { errors { code field } } }"""


async def test_a_completion_for_an_account_deleted_meanwhile_is_refused(
    world: tuple[dict[str, str], Ask],
) -> None:
    """The completion is decided on Agus's e-learning account (user 1); deleted before the
    write lands, neither the completion nor the e-Kinerja credit may be written."""
    dsns, ask = world
    lock = "SELECT 1 FROM mdl_user WHERE id = 1 FOR UPDATE"
    async with locked(dsns["learning"], lock, commit=True) as (holder, waiters):
        completing = asyncio.create_task(ask(
            COMPLETE, {"c": "3", "n": AGUS, "at": "2026-05-01T10:00:00+07:00"}, as_=HENDRA_BOSS
        ))  # fmt: skip
        await waiters(1)
        await holder.execute("UPDATE mdl_user SET deleted = 1 WHERE id = 1")
    assert (await completing)["data"]["recordCourseCompletion"]["errors"] == [
        {"code": "NOT_FOUND", "field": "nip"}
    ]
    async with connected(dsns["learning"]) as conn:
        completed = await conn.fetchval(
            "SELECT timecompleted FROM mdl_course_completions WHERE userid = 1 AND course = 3"
        )
        await conn.execute("UPDATE mdl_user SET deleted = 0 WHERE id = 1")
    assert completed is None
    async with connected(dsns["state"]) as conn:
        owed = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE subject = $1", f"course:3:{AGUS}"
        )
    assert owed == 0


# --- clientMutationId -----------------------------------------------------------------------


async def test_a_client_mutation_id_reused_for_another_request_is_refused(
    world: tuple[dict[str, str], Ask],
) -> None:
    dsns, ask = world
    first_id = await new_request(dsns["service_requests"])
    other_id = await new_request(dsns["service_requests"])
    first = await ask(ASSIGN, {"id": str(first_id), "nip": AGUS, "key": "k-1"}, as_=HENDRA_BOSS)
    assert first["data"]["assignServiceRequest"]["errors"] == []
    reused = await ask(ASSIGN, {"id": str(other_id), "nip": AGUS, "key": "k-1"}, as_=HENDRA_BOSS)
    assert reused["data"]["assignServiceRequest"] == {
        "replayed": False,
        "errors": [{
            "code": "IDEMPOTENCY_KEY_REUSED",
            "field": "clientMutationId",
            "message": "clientMutationId 'k-1' was already used for a different "
            "assignServiceRequest input; send a new clientMutationId for a new change.",
        }],
        "serviceRequest": None,
    }  # fmt: skip
    assert (await row(dsns["service_requests"], other_id))["nip_petugas"] is None
    other_officer = await ask(
        ASSIGN, {"id": str(first_id), "nip": RINA, "key": "k-1"}, as_=HENDRA_BOSS
    )
    assert outcome(other_officer, "assignServiceRequest") == "IDEMPOTENCY_KEY_REUSED"
    again = await ask(ASSIGN, {"id": str(first_id), "nip": AGUS, "key": "k-1"}, as_=HENDRA_BOSS)
    assert again["data"]["assignServiceRequest"] == {
        "replayed": True,
        "errors": [],
        "serviceRequest": {"assignee": {"nip": AGUS}},
    }
    assert (await row(dsns["service_requests"], first_id))["assignments"] == 1
    async with connected(dsns["state"]) as conn:
        fingerprint = await conn.fetchval(
            "SELECT fingerprint FROM mutation_log WHERE key = $1",
            f"supervisor:{HENDRA}:assignServiceRequest:k-1",
        )
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0  # SHA-256, hex


async def test_a_resolution_replayed_with_another_text_is_refused(
    world: tuple[dict[str, str], Ask],
) -> None:
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"], "proses", AGUS)
    sent = {"id": str(request_id), "key": "res-1", "text": "KTP-el dicetak"}
    assert outcome(await ask(RESOLVE, sent, as_=OFFICER), "resolveServiceRequest") == "ok"
    changed = await ask(RESOLVE, {**sent, "text": "Lain"}, as_=OFFICER)
    assert outcome(changed, "resolveServiceRequest") == "IDEMPOTENCY_KEY_REUSED"
    same = await ask(RESOLVE, sent, as_=OFFICER)
    assert same["data"]["resolveServiceRequest"]["replayed"] is True
    assert same["data"]["resolveServiceRequest"]["errors"] == []


async def test_one_client_mutation_id_raced_with_two_inputs_runs_one(
    world: tuple[dict[str, str], Ask],
) -> None:
    dsns, ask = world
    ids = [await new_request(dsns["service_requests"]) for _ in range(2)]
    bodies = await asyncio.gather(*(
        ask(ASSIGN, {"id": str(i), "nip": AGUS, "key": "k-race"}, as_=HENDRA_BOSS) for i in ids
    ))  # fmt: skip
    answers = sorted(outcome(body, "assignServiceRequest") for body in bodies)
    assert answers == ["IDEMPOTENCY_KEY_REUSED", "ok"], answers
    assignees = [(await row(dsns["service_requests"], i))["nip_petugas"] for i in ids]
    assert sorted(assignees, key=str) == sorted([AGUS, None], key=str)


@pytest.mark.parametrize("key", ["", "x" * 129, "line\nbreak"], ids=["empty", "129", "newline"])
async def test_a_client_mutation_id_out_of_bounds_is_refused(
    world: tuple[dict[str, str], Ask], key: str
) -> None:
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"])
    body = await ask(ASSIGN, {"id": str(request_id), "nip": AGUS, "key": key}, as_=HENDRA_BOSS)
    assert body["data"]["assignServiceRequest"]["errors"] == [{
        "code": "BAD_USER_INPUT",
        "field": "clientMutationId",
        "message": "clientMutationId must be 1 to 128 printable characters.",
    }]  # fmt: skip
    assert (await row(dsns["service_requests"], request_id))["nip_petugas"] is None


async def test_the_longest_client_mutation_id_of_a_long_named_caller_fits(
    world: tuple[dict[str, str], Ask],
) -> None:
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"])
    admin = (Role.ADMIN, "operator." + "x" * 80 + "@padu.test")
    sent = {"id": str(request_id), "nip": AGUS, "key": "k" * 128}
    assert outcome(await ask(ASSIGN, sent, as_=admin), "assignServiceRequest") == "ok"
    again = await ask(ASSIGN, sent, as_=admin)
    assert again["data"]["assignServiceRequest"]["replayed"] is True


# --- notes ----------------------------------------------------------------------------------


async def test_a_status_note_longer_than_a_description_is_refused(
    world: tuple[dict[str, str], Ask],
) -> None:
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"], "verifikasi", AGUS)
    body = await ask(
        UPDATE, {"id": str(request_id), "s": "IN_PROGRESS", "note": "x" * 4001}, as_=OFFICER
    )
    assert body["data"]["updateServiceRequestStatus"] == {
        "errors": [{"code": "BAD_USER_INPUT", "field": "note",
                    "message": "note must be 1 to 4000 characters."}],
        "serviceRequest": None,
    }  # fmt: skip
    open_id = await new_request(dsns["service_requests"], "proses", AGUS)
    resolved = await ask(
        UPDATE, {"id": str(open_id), "s": "RESOLVED", "note": "y" * 4001}, as_=OFFICER
    )
    assert resolved["data"]["updateServiceRequestStatus"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "note", "message": "note must be 1 to 4000 characters."}
    ]
    assert (await row(dsns["service_requests"], open_id))["status"] == "proses"
    assert (await row(dsns["service_requests"], request_id))["status"] == "verifikasi"
    longest = await ask(
        UPDATE, {"id": str(request_id), "s": "IN_PROGRESS", "note": "z" * 4000}, as_=OFFICER
    )
    assert longest["data"]["updateServiceRequestStatus"] == {
        "errors": [], "serviceRequest": {"status": "IN_PROGRESS"}
    }  # fmt: skip


async def test_a_nul_in_a_client_mutation_id_is_refused_before_the_mutation_runs(
    world: tuple[dict[str, str], Ask],
) -> None:
    """Strings with NUL stop at the boundary (every String argument), naming the variable."""
    dsns, ask = world
    request_id = await new_request(dsns["service_requests"])
    body = await ask(
        ASSIGN, {"id": str(request_id), "nip": AGUS, "key": "nul\x00"}, as_=HENDRA_BOSS
    )
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["variable"] == "key"
    assert (await row(dsns["service_requests"], request_id))["nip_petugas"] is None
