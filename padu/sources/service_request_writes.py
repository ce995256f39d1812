"""The writes Padu makes to the service-request system: submit, assign, change status.

Each write is keyed (``Source.write``) and runs in one transaction with its timeline step.
Assignments and status changes are conditional on every fact the caller was authorised on
(the request's status and its assignee): if another writer changed either in between, the
write does nothing and raises Stale. The timeline step records what the committed row holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

from padu.sources.service_requests import RequestStatus, ServiceCategory

if TYPE_CHECKING:
    from padu.sources.service_requests import ServiceRequestsSource


@dataclass(frozen=True, slots=True)
class NewRequest:
    """What a citizen (or an officer for them) submits."""

    resident_nik: str
    category: ServiceCategory
    title: str
    description: str
    village_code: str
    district_code: str
    submitted_at: datetime
    actor_nip: str | None  # an officer filing it on the resident's behalf


@dataclass(frozen=True, slots=True)
class Expected:
    """What the caller saw of a request, and was authorised on: a write applies only if the
    request still is so."""

    request_id: int
    status: RequestStatus
    assignee_nip: str | None


@dataclass(frozen=True, slots=True)
class Transition:
    """A status change, applied only if the request is still as ``expected``."""

    expected: Expected
    status: RequestStatus
    note: str | None
    actor_nip: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Committed:
    """The request as the write left it (RETURNING), for what it owes other systems."""

    request_id: int
    ticket_number: str
    status: RequestStatus
    assignee_nip: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class CategoryStandard:
    """A category's service standard: due time and the officer minutes a resolution earns."""

    code: ServiceCategory
    name: str
    working_days: int
    minutes: int


class Stale(Exception):
    """The request changed since it was read: the write did nothing."""


_EVENT = """
    INSERT INTO riwayat_permohonan (id_permohonan, status, catatan, nip_pelaku, waktu)
    VALUES ($1, $2, $3, $4, $5)
"""
# A step after the request's row is locked by this transaction's UPDATE: never dated before
# the steps committed ahead of it (their writers' clocks ran ahead, or they read earlier and
# committed first), so the timeline's order is the order the writes committed.
_NEXT_EVENT = """
    INSERT INTO riwayat_permohonan (id_permohonan, status, catatan, nip_pelaku, waktu)
    SELECT $1, $2, $3, $4, greatest($5::timestamptz, max(waktu))
    FROM riwayat_permohonan WHERE id_permohonan = $1
"""
_COMMITTED = "id_permohonan, no_tiket, status, nip_petugas, selesai_pada"


def _committed(row: asyncpg.Record) -> Committed:
    return Committed(
        request_id=row["id_permohonan"],
        ticket_number=row["no_tiket"],
        status=RequestStatus.of(row["status"]),
        assignee_nip=row["nip_petugas"],
        resolved_at=row["selesai_pada"],
    )


class ServiceRequestWrites:
    """The writes Padu makes to the service-request system, each keyed and in one transaction
    (``ServiceRequestsSource.writes``)."""

    def __init__(self, source: ServiceRequestsSource) -> None:
        self.source = source

    async def standard(self, category: ServiceCategory) -> CategoryStandard | None:
        query = (
            "SELECT kode, nama, sla_hari_kerja, menit_kerja FROM kategori_layanan WHERE kode = $1"
        )
        rows = await self.source.fetch(query, category.value)
        if not rows:
            return None
        r = rows[0]
        return CategoryStandard(category, r["nama"], r["sla_hari_kerja"], r["menit_kerja"])

    async def submit(self, key: str, new: NewRequest, due_at: datetime) -> int:
        """File a request with its first timeline step; returns its id."""
        prefix = f"LKS-{new.submitted_at.year}-"
        async with self.source.write(key) as connection:
            # Ticket numbers run per year; one writer at a time takes the next.
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", prefix)
            last = await connection.fetchval(
                "SELECT max(no_tiket) FROM permohonan WHERE no_tiket LIKE $1 || '%'", prefix
            )
            number = 1 if last is None else int(last.removeprefix(prefix)) + 1
            request_id: int = await connection.fetchval(
                """
                INSERT INTO permohonan (no_tiket, kode_kategori, status, judul, uraian,
                    nik_pemohon, kode_kelurahan, kode_kecamatan, dibuat_pada, batas_waktu)
                VALUES ($1, $2, 'menunggu', $3, $4, $5, $6, $7, $8, $9)
                RETURNING id_permohonan
                """,
                f"{prefix}{number:06d}", new.category.value, new.title, new.description,
                new.resident_nik, new.village_code, new.district_code, new.submitted_at, due_at,
            )  # fmt: skip
            await connection.execute(
                _EVENT, request_id, "menunggu", "Permohonan diterima", new.actor_nip,
                new.submitted_at,
            )  # fmt: skip
        return request_id

    async def assign(
        self, key: str, expected: Expected, nip: str, actor_nip: str | None, at: datetime
    ) -> Committed:
        """Give the request to an officer if it is still as ``expected``, else raise Stale."""
        async with self.source.write(key) as connection:
            row = await connection.fetchrow(
                f"""UPDATE permohonan SET nip_petugas = $4
                    WHERE id_permohonan = $1 AND status = $2
                      AND nip_petugas IS NOT DISTINCT FROM $3
                    RETURNING {_COMMITTED}""",
                expected.request_id, expected.status.value, expected.assignee_nip, nip,
            )  # fmt: skip
            if row is None:
                raise Stale(expected.request_id)
            committed = _committed(row)
            await connection.execute(
                _NEXT_EVENT, committed.request_id, committed.status.value,
                "Ditugaskan kepada petugas", actor_nip, at,
            )  # fmt: skip
        return committed

    async def transition(self, key: str, change: Transition) -> Committed:
        """Apply ``change`` if the request is still as expected, else raise Stale."""
        finished = change.status in (RequestStatus.RESOLVED, RequestStatus.REJECTED)
        expected = change.expected
        async with self.source.write(key) as connection:
            row = await connection.fetchrow(
                f"""UPDATE permohonan SET status = $4,
                          selesai_pada = CASE WHEN $5 THEN $6 ELSE selesai_pada END
                    WHERE id_permohonan = $1 AND status = $2
                      AND nip_petugas IS NOT DISTINCT FROM $3
                    RETURNING {_COMMITTED}""",
                expected.request_id, expected.status.value, expected.assignee_nip,
                change.status.value, finished, change.at,
            )  # fmt: skip
            if row is None:
                raise Stale(expected.request_id)
            committed = _committed(row)
            await connection.execute(
                _NEXT_EVENT, committed.request_id, committed.status.value, change.note,
                change.actor_nip, change.at,
            )  # fmt: skip
        return committed
