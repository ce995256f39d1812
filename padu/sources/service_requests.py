"""Service-request system (LAKSA / e-Layanan-like): requests, complaints and their timelines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from padu.config import SourceConfig
from padu.lookup_enum import LookupEnum
from padu.sources.base import (
    Ranked,
    Source,
    Where,
    counted_page,
    page_per_parent,
    page_with_total,
    ranked,
)


class RequestStatus(LookupEnum):
    """Where a request is in its life: menunggu → verifikasi → proses → selesai, or ditolak."""

    SUBMITTED = "menunggu"
    VERIFIED = "verifikasi"
    IN_PROGRESS = "proses"
    RESOLVED = "selesai"
    REJECTED = "ditolak"


OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)


def sql_text_list(values: Iterable[str]) -> str:
    """A SQL list of string literals, ``('a', 'b')``, each quoted as SQL quotes text."""
    quoted = ["'" + value.replace("'", "''") + "'" for value in values]
    if not quoted:
        raise ValueError("a SQL list needs at least one value")
    if any("\0" in q for q in quoted):
        raise ValueError("PostgreSQL text cannot hold NUL")
    return f"({', '.join(quoted)})"


class ServiceCategory(LookupEnum):
    """The kind of service asked for; each has its own service standard (due time)."""

    KTP_EL = "KTP_EL"
    CHILD_ID_CARD = "KIA"
    FAMILY_CARD = "KK"
    BIRTH_CERTIFICATE = "AKTA_KELAHIRAN"
    DEATH_CERTIFICATE = "AKTA_KEMATIAN"
    RELOCATION = "PINDAH_DATANG"
    COMPLAINT = "PENGADUAN"
    INFORMATION = "INFORMASI"


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """One citizen request or complaint."""

    id: int
    ticket_number: str
    category: ServiceCategory
    category_name: str
    status: RequestStatus
    title: str
    description: str
    resident_nik: str
    village_code: str
    district_code: str
    assignee_nip: str | None
    submitted_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One step of a request's timeline."""

    id: int
    request_id: int
    status: RequestStatus
    note: str | None
    actor_nip: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """Which requests a list asks for; None means no restriction."""

    statuses: tuple[RequestStatus, ...] | None = None
    categories: tuple[ServiceCategory, ...] | None = None
    district_code: str | None = None
    village_code: str | None = None
    assignee_nip: str | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    overdue: bool | None = None


RequestKey = tuple[datetime, int]  # keyset position: (submitted_at, id), newest first

# Written into the statement, not passed as a parameter: only a literal list lets a generic
# plan prove that the partial index on open requests (permohonan_terbuka_idx) applies.
OPEN = f"p.status IN {sql_text_list(s.value for s in OPEN_STATUSES)}"
OVERDUE = f"({OPEN} AND p.batas_waktu < now())"
_COLUMNS = f"""
    p.id_permohonan, p.no_tiket, p.kode_kategori, c.nama AS nama_kategori, p.status, p.judul,
    p.uraian, p.nik_pemohon, p.kode_kelurahan, p.kode_kecamatan, p.nip_petugas, p.dibuat_pada,
    p.batas_waktu, p.selesai_pada, {OVERDUE} AS terlambat
"""
_FROM = "permohonan p JOIN kategori_layanan c ON c.kode = p.kode_kategori"
_ORDER = "p.dibuat_pada DESC, p.id_permohonan DESC"


def _request(row: asyncpg.Record) -> ServiceRequest:
    return ServiceRequest(
        id=row["id_permohonan"],
        ticket_number=row["no_tiket"],
        category=ServiceCategory.of(row["kode_kategori"]),
        category_name=row["nama_kategori"],
        status=RequestStatus.of(row["status"]),
        title=row["judul"],
        description=row["uraian"],
        resident_nik=row["nik_pemohon"],
        village_code=row["kode_kelurahan"],
        district_code=row["kode_kecamatan"],
        assignee_nip=row["nip_petugas"],
        submitted_at=row["dibuat_pada"],
        due_at=row["batas_waktu"],
        resolved_at=row["selesai_pada"],
        overdue=row["terlambat"],
    )


@dataclass(frozen=True, slots=True)
class RequestScope:
    """Which requests a caller may see at all, applied in every query; the default is all."""

    requester: str | None = None  # a citizen: requests they submitted (NIK)
    assignees: tuple[str, ...] | None = None  # officers: requests assigned to these NIPs

    def admits(self, requester_nik: str, assignee_nip: str | None) -> bool:
        """Whether a request of this requester and assignee is in scope (as ``_scoped``)."""
        if self.requester is not None and requester_nik != self.requester:
            return False
        return self.assignees is None or assignee_nip in self.assignees


ALL_REQUESTS = RequestScope()


def _scoped(scope: RequestScope, clause: Where | None = None) -> Where:
    """A WHERE clause on ``p`` (permohonan) holding the scope's rows only."""
    clause = clause or Where()
    if scope.requester is not None:
        clause.add(f"p.nik_pemohon = {clause.param(scope.requester)}")
    if scope.assignees is not None:
        clause.add(f"p.nip_petugas = ANY({clause.param(list(scope.assignees))}::text[])")
    return clause


def request_clause(where: RequestFilter, scope: RequestScope, clause: Where | None = None) -> Where:
    clause = _scoped(scope, clause)
    if where.statuses is not None:
        statuses = [s.value for s in where.statuses]
        clause.add(f"p.status = ANY({clause.param(statuses)}::text[])")
    if where.categories is not None:
        categories = [c.value for c in where.categories]
        clause.add(f"p.kode_kategori = ANY({clause.param(categories)}::text[])")
    if where.district_code is not None:
        clause.add(f"p.kode_kecamatan = {clause.param(where.district_code)}")
    if where.village_code is not None:
        clause.add(f"p.kode_kelurahan = {clause.param(where.village_code)}")
    if where.assignee_nip is not None:
        clause.add(f"p.nip_petugas = {clause.param(where.assignee_nip)}")
    if where.submitted_from is not None:
        clause.add(f"p.dibuat_pada >= {clause.param(where.submitted_from)}")
    if where.submitted_before is not None:
        clause.add(f"p.dibuat_pada < {clause.param(where.submitted_before)}")
    if where.overdue is not None:
        clause.add(OVERDUE if where.overdue else f"NOT {OVERDUE}")
    return clause


def _after(clause: Where, after: RequestKey | None) -> str | None:
    """The keyset condition for rows after the cursor (newest first), or None at the start."""
    if after is None:
        return None
    return (
        f"(p.dibuat_pada, p.id_permohonan) < ({clause.param(after[0])}, {clause.param(after[1])})"
    )


class ServiceRequestsSource(Source):
    """Adapter for the service-request database: the reads here, its aggregates in ``stats``
    and the writes Padu makes in ``writes``."""

    name = "service_requests"

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        # The parts build on this module's records and SQL, so they are imported when a source
        # is made rather than when this module loads: neither module needs the other first.
        from padu.sources.service_request_stats import ServiceRequestStats
        from padu.sources.service_request_writes import ServiceRequestWrites

        super().__init__(config, dsn)
        self.stats = ServiceRequestStats(self)
        self.writes = ServiceRequestWrites(self)

    async def requests_by_id(self, ids: Sequence[int], scope: RequestScope) -> list[ServiceRequest]:
        clause = _scoped(scope)
        clause.add(f"p.id_permohonan = ANY({clause.param(list(ids))}::bigint[])")
        query = f"SELECT {_COLUMNS} FROM {_FROM} WHERE {clause.sql}"
        return [_request(r) for r in await self.fetch(query, *clause.args)]

    async def requests_by_ticket(
        self, tickets: Sequence[str], scope: RequestScope
    ) -> list[ServiceRequest]:
        clause = _scoped(scope)
        clause.add(f"p.no_tiket = ANY({clause.param(list(tickets))}::text[])")
        query = f"SELECT {_COLUMNS} FROM {_FROM} WHERE {clause.sql}"
        return [_request(r) for r in await self.fetch(query, *clause.args)]

    async def requesters(self, scope: RequestScope) -> list[str]:
        """NIKs of the residents who submitted the requests in ``scope``."""
        clause = _scoped(scope)
        query = f"SELECT DISTINCT p.nik_pemohon FROM permohonan p WHERE {clause.sql}"
        return [r["nik_pemohon"] for r in await self.fetch(query, *clause.args)]

    async def officers_involved(self, scope: RequestScope) -> list[str]:
        """NIPs of the officers assigned to, or acting on, the requests in ``scope``."""
        clause = _scoped(scope)
        query = f"""
            SELECT p.nip_petugas AS nip FROM permohonan p
            WHERE {clause.sql} AND p.nip_petugas IS NOT NULL
            UNION
            SELECT r.nip_pelaku FROM riwayat_permohonan r
            JOIN permohonan p ON p.id_permohonan = r.id_permohonan
            WHERE {clause.sql} AND r.nip_pelaku IS NOT NULL
        """
        return [r["nip"] for r in await self.fetch(query, *clause.args)]

    async def list_requests(
        self,
        where: RequestFilter,
        limit: int,
        after: RequestKey | None,
        scope: RequestScope,
    ) -> list[ServiceRequest]:
        """Requests matching ``where``, newest first, after the keyset cursor."""
        clause = request_clause(where, scope)
        position = _after(clause, after)
        if position is not None:
            clause.add(position)
        query = f"""
            SELECT {_COLUMNS} FROM {_FROM}
            WHERE {clause.sql}
            ORDER BY {_ORDER}
            LIMIT {clause.param(limit)}
        """
        return [_request(r) for r in await self.fetch(query, *clause.args)]

    async def page_requests(
        self,
        where: RequestFilter,
        limit: int,
        after: RequestKey | None,
        scope: RequestScope,
    ) -> tuple[list[ServiceRequest], int]:
        """Like ``list_requests``, with the total under ``where`` in the same round trip."""
        clause = request_clause(where, scope)
        query = page_with_total(
            columns=_COLUMNS,
            tables=_FROM,
            where=clause,
            after=_after(clause, after),
            order=_ORDER,
            limit=limit,
        )
        return counted_page(await self.fetch(query, *clause.args), _request)

    async def requests_by_party(
        self,
        party: Literal["resident", "assignee"],
        keys: Sequence[str],
        statuses: tuple[RequestStatus, ...] | None,
        limit: int,
        after: RequestKey | None,
        scope: RequestScope,
    ) -> list[Ranked[ServiceRequest]]:
        """The first ``limit`` requests of each resident (NIK) or assignee (NIP), in one query.

        Returns each request with the total its party has under the same status filter.
        """
        column = "p.nik_pemohon" if party == "resident" else "p.nip_petugas"
        clause = Where()
        clause.add(f"{column} = ANY({clause.param(list(keys))}::text[])")
        request_clause(RequestFilter(statuses=statuses), scope, clause)
        query = page_per_parent(
            columns=_COLUMNS,
            tables=_FROM,
            parent=column,
            where=clause,
            after=_after(clause, after),
            order=_ORDER,
            limit=limit,
        )
        return ranked(await self.fetch(query, *clause.args), _request)

    async def events_by_request(self, request_ids: Sequence[int]) -> list[RequestEvent]:
        query = """
            SELECT id_riwayat, id_permohonan, status, catatan, nip_pelaku, waktu
            FROM riwayat_permohonan
            WHERE id_permohonan = ANY($1::bigint[])
            ORDER BY id_permohonan, waktu, id_riwayat
        """
        return [
            RequestEvent(
                id=r["id_riwayat"],
                request_id=r["id_permohonan"],
                status=RequestStatus.of(r["status"]),
                note=r["catatan"],
                actor_nip=r["nip_pelaku"],
                at=r["waktu"],
            )
            for r in await self.fetch(query, request_ids)
        ]
