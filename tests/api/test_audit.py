"""The audit log: who read whose personal data, by keyed hash, append-only, itself audited."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from padu.access.audit import keyed_hash
from padu.errors import SourceUnavailable
from padu.principal import Role
from padu.sources import Sources
from padu.sources.state import AuditEntry
from padu.sources.trace import SourceTrace, current_trace
from tests.conftest import ADMIN_ID, GraphQL
from tests.data import AGUS, BUDI, SITI, TEST_AUDIT_KEY

LOG = """query($nik: NIK, $first: Int) {
  auditLog(filter: {residentNik: $nik}, first: $first) {
    totalCount nodes { actorRole actor recordHash fields operation operationName requestId } } }"""


def hashed(nik: str) -> str:
    return keyed_hash(TEST_AUDIT_KEY.encode(), nik)


async def test_reading_a_resident_is_recorded_with_a_keyed_hash(gql: GraphQL) -> None:
    body = await gql(
        "query Lookup($nik: NIK!) { resident(nik: $nik) { fullName address { rt } } }",
        {"nik": SITI},
        as_=(Role.OFFICER, AGUS),  # Siti has no request with Agus: nothing read, nothing logged
    )
    assert body["data"] == {"resident": None}
    body = await gql(
        "query Lookup($nik: NIK!) { resident(nik: $nik) { fullName birthDate } }",
        {"nik": BUDI},
        as_=(Role.OFFICER, AGUS),
    )
    assert body["data"]["resident"]["fullName"] == "Budi Santoso"
    log = await gql(LOG, {"nik": BUDI, "first": 1})
    [entry] = log["data"]["auditLog"]["nodes"]
    assert entry == {
        "actorRole": "officer",
        "actor": AGUS,
        "recordHash": hashed(BUDI),
        "fields": ["Resident.birthDate", "Resident.fullName"],
        "operation": "read",
        "operationName": "Lookup",
        "requestId": entry["requestId"],
    }
    assert BUDI not in str(log)


async def test_a_citizen_is_named_by_hash_too(gql: GraphQL) -> None:
    await gql(
        "query($n: NIK!) { resident(nik: $n) { fullName } }", {"n": SITI}, as_=(Role.CITIZEN, SITI)
    )
    log = await gql(LOG, {"nik": SITI, "first": 1})
    [entry] = log["data"]["auditLog"]["nodes"]
    assert (entry["actorRole"], entry["actor"]) == ("citizen", hashed(SITI))


async def test_reading_the_log_is_itself_logged(gql: GraphQL) -> None:
    await gql(LOG, {"nik": BUDI, "first": 1})
    log = await gql(
        '{ auditLog(filter: {actorRole: "admin"}, first: 1) { nodes { actor fields } } }'
    )
    assert log["data"]["auditLog"]["nodes"] == [{"actor": ADMIN_ID, "fields": ["auditLog"]}]


async def test_only_admins_read_the_log(gql: GraphQL) -> None:
    for role, subject in [(Role.OFFICER, AGUS), (Role.DASHBOARD, "board"), (Role.CITIZEN, BUDI)]:
        body = await gql("{ auditLog { totalCount } }", as_=(role, subject))
        assert body["data"] == {"auditLog": None}
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_log_refuses_updates_and_deletes(dsns: dict[str, str]) -> None:
    conn = await asyncpg.connect(dsns["state"])
    try:
        for statement in [
            "UPDATE audit_log SET actor = 'x'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ]:
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(statement)
    finally:
        await conn.close()


async def test_entries_of_several_requests_are_written_together_each_with_its_own_caller(
    sources: Sources,
) -> None:
    """One request's entries share their caller and request id (sent once); entries of two
    requests given together keep each their own."""

    def entry(actor: str, request_id: str, nik_hash: str, *fields: str) -> AuditEntry:
        return AuditEntry("officer", actor, nik_hash, fields, "read", "Q", request_id)

    written = [
        entry(AGUS, "req-a", "hash-1", "Resident.fullName"),
        entry(AGUS, "req-a", "hash-2", "Resident.fullName", "Resident.religion"),
        entry("198001012005011002", "req-b", "hash-3", "Resident.nik"),
    ]
    await sources.state.append_audit(written)
    rows = await sources.state.fetch(
        "SELECT actor, request_id, record_hash, fields FROM audit_log "
        "WHERE request_id IN ('req-a', 'req-b') ORDER BY record_hash"
    )
    assert [(r["actor"], r["request_id"], r["record_hash"], list(r["fields"])) for r in rows] == [
        (AGUS, "req-a", "hash-1", ["Resident.fullName"]),
        (AGUS, "req-a", "hash-2", ["Resident.fullName", "Resident.religion"]),
        ("198001012005011002", "req-b", "hash-3", ["Resident.nik"]),
    ]


async def test_concurrent_requests_share_one_audit_write_and_each_waits_for_it(
    sources: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: entries of requests finishing together go in one INSERT; every caller
    returns only after its entries are committed, and counts the one round trip it waited."""
    state = sources.state
    writes: list[int] = []
    real = state.fetch

    async def counted(query: str, *args: object) -> list[object]:
        writes.append(len(args[4]))  # type: ignore[arg-type]
        return await real(query, *args)

    monkeypatch.setattr(state, "fetch", counted)

    async def request(number: int) -> dict[str, dict[str, int]]:
        trace = SourceTrace()
        current_trace.set(trace)
        entry = AuditEntry("admin", ADMIN_ID, f"hash-{number}", ("Resident.nik",), "read",
                           None, f"group-{number}")  # fmt: skip
        await state.append_audit([entry])
        waited = trace.as_extension()
        written = await real("SELECT count(*) AS n FROM audit_log WHERE request_id = $1",
                             f"group-{number}")  # fmt: skip
        assert written[0]["n"] == 1  # committed before append_audit returned
        return waited

    traces = await asyncio.gather(*(request(n) for n in range(12)))
    assert sum(writes) == 12 and len(writes) < 12
    assert all(t == {"state": {"roundTrips": 1, "rows": 0}} for t in traces)


async def test_a_failed_audit_write_fails_every_request_in_it(
    sources: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(query: str, *args: object) -> list[object]:
        raise SourceUnavailable("state")

    monkeypatch.setattr(sources.state, "fetch", down)
    entry = AuditEntry("admin", ADMIN_ID, "hash-x", ("Resident.nik",), "read", None, "fails")
    outcomes = await asyncio.gather(
        *(sources.state.append_audit([entry]) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, SourceUnavailable) for o in outcomes)
