"""The writes Padu makes to the service-request system: submit, assign, change status.

Each write is keyed (``Source.write``) and runs in one transaction with its timeline step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from padu.sources.service_request_stats import ServiceRequestStats
from padu.sources.service_requests import (
    OPEN_STATUSES,
    RequestStatus,
    ServiceCategory,
)


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
class Transition:
    """A status change, applied only if the request is still in ``expected``."""

    request_id: int
    expected: RequestStatus
    status: RequestStatus
    note: str | None
    actor_nip: str | None
    at: datetime


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


class ServiceRequestWrites(ServiceRequestStats):
    """The writes Padu makes to the service-request system, each keyed and in one transaction."""

    async def standard(self, category: ServiceCategory) -> CategoryStandard | None:
        query = (
            "SELECT kode, nama, sla_hari_kerja, menit_kerja FROM kategori_layanan WHERE kode = $1"
        )
        rows = await self.fetch(query, category.value)
        if not rows:
            return None
        r = rows[0]
        return CategoryStandard(category, r["nama"], r["sla_hari_kerja"], r["menit_kerja"])

    async def submit(self, key: str, new: NewRequest, due_at: datetime) -> int:
        """File a request with its first timeline step; returns its id."""
        prefix = f"LKS-{new.submitted_at.year}-"
        async with self.write(key) as connection:
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
        self, key: str, request_id: int, nip: str, actor_nip: str | None, at: datetime
    ) -> None:
        """Give an open request to an officer; raises Stale if it is no longer open."""
        async with self.write(key) as connection:
            status = await connection.fetchval(
                f"""UPDATE permohonan SET nip_petugas = $2
                    WHERE id_permohonan = $1 AND status IN {OPEN_STATUSES!r}
                    RETURNING status""",
                request_id, nip,
            )  # fmt: skip
            if status is None:
                raise Stale(request_id)
            await connection.execute(
                _EVENT, request_id, status, f"Ditugaskan kepada {nip}", actor_nip, at
            )

    async def transition(self, key: str, change: Transition) -> None:
        """Apply ``change`` if the request is still in its expected status, else raise Stale."""
        finished = change.status in (RequestStatus.RESOLVED, RequestStatus.REJECTED)
        async with self.write(key) as connection:
            changed = await connection.fetchval(
                """UPDATE permohonan SET status = $3,
                          selesai_pada = CASE WHEN $4 THEN $5 ELSE selesai_pada END
                   WHERE id_permohonan = $1 AND status = $2
                   RETURNING id_permohonan""",
                change.request_id, change.expected.value, change.status.value, finished,
                change.at,
            )  # fmt: skip
            if changed is None:
                raise Stale(change.request_id)
            await connection.execute(
                _EVENT, change.request_id, change.status.value, change.note, change.actor_nip,
                change.at,
            )  # fmt: skip
