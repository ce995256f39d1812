"""Every hot statement can use an index on the large tables, checked with EXPLAIN.

The fixed dataset is small, so PostgreSQL would rightly scan it; with ``enable_seqscan``
off it still plans a sequential scan only where no index can serve the statement. The
statements are the very ones the sources send for the benchmark's queries and the other
hot paths, captured from ``Source.fetch`` while the API answers them. One known exception
is left out: ``totalCount`` of a whole unfiltered list counts every row of the table.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from padu.sources.base import Source
from tests.conftest import GraphQL
from tests.data import AGUS, BUDI

# Tables that grow with the city; the others (categories, units, courses) stay small.
LARGE = {
    "penduduk", "keluarga", "permohonan", "riwayat_permohonan", "pegawai", "aktivitas",
    "penilaian_kinerja", "mdl_user", "mdl_user_enrolments", "mdl_course_completions",
}  # fmt: skip

HOT = [
    ("{ residents(first: 50) { nodes { nik fullName gender birthDate occupation"
     " familyCardNumber } } }", {}),
    ("query($nik: NIK!) { resident(nik: $nik) { nik fullName address { street rt rw }"
     " family { members { nik } } } }", {"nik": BUDI}),
    ("{ residents(first: 20) { nodes { nik serviceRequests(first: 5) { nodes { ticketNumber"
     " events { status } assignee { nip performance(year: 2026, quarter: 1) { predicate"
     " activityCount } learning(year: 2026) { jpCompleted compliant } } } } } } }", {}),
    ("{ serviceRequests(first: 100) { nodes { id ticketNumber category status"
     " title submittedAt dueAt overdue } } }", {}),
    ("{ serviceRequests(first: 10, filter: {status: [IN_PROGRESS]}) { nodes { id } } }", {}),
    ("query($nip: NIP!) { officer(nip: $nip) { fullName activities(first: 10) { nodes { id } }"
     " assignedRequests(first: 10) { totalCount nodes { id } } } }", {"nip": AGUS}),
]  # fmt: skip


def sequential_scans(plan: dict[str, Any]) -> set[str]:
    """Relations a plan (EXPLAIN's JSON) reads with a sequential scan."""
    found = set()
    if plan.get("Node Type") == "Seq Scan":
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found |= sequential_scans(child)
    return found


@pytest.mark.parametrize(("query", "variables"), HOT, ids=[f"hot-{i}" for i in range(len(HOT))])
async def test_hot_statements_use_indexes_on_large_tables(
    gql: GraphQL,
    dsns: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    variables: dict[str, Any],
) -> None:
    sent: list[tuple[str, str, tuple[Any, ...]]] = []
    fetch = Source.fetch

    async def recording(self: Source, statement: str, *args: Any) -> list[asyncpg.Record]:
        sent.append((self.name, statement, args))
        return await fetch(self, statement, *args)

    monkeypatch.setattr(Source, "fetch", recording)
    body = await gql(query, variables)
    assert body.get("errors") is None, body
    statements = [s for s in sent if s[0] != "state"]
    assert statements, "the query reached no source"
    for source, statement, args in statements:
        connection = await asyncpg.connect(dsns[source])
        try:
            await connection.execute("SET enable_seqscan = off")
            explained = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {statement}", *args)
        finally:
            await connection.close()
        plan = json.loads(explained)[0]["Plan"]
        scanned = sequential_scans(plan) & LARGE
        assert not scanned, f"{source}: sequential scan of {scanned} for\n{statement}"
