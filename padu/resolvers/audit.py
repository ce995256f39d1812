"""Resolvers for the audit log; reading it is itself recorded."""

from __future__ import annotations

from datetime import datetime

from padu.resolvers.info import Info
from padu.resolvers.pagination import CursorKind, list_connection, page_request
from padu.schema.audit import AuditFilter
from padu.schema.pagination import Connection
from padu.sources import state as records

AUDIT_CURSOR = CursorKind[records.AuditEntry]("auditEntry", (datetime, int), lambda e: (e.at, e.id))


async def audit_log(
    info: Info, filter: AuditFilter | None = None, first: int | None = 20, after: str | None = None
) -> Connection[records.AuditEntry]:
    request = page_request(info, first, after, AUDIT_CURSOR)
    f = filter or AuditFilter()
    audit = info.context.audit
    where = records.AuditFilter(
        actor_role=f.actor_role,
        actor=f.actor,
        record_hash=None if f.resident_nik is None else audit.hash(f.resident_nik),
        since=f.since,
        before=f.before,
    )
    audit.record(("auditLog",), "read", nik=f.resident_nik)
    source = info.context.sources.state
    position = request.after
    return await list_connection(
        info,
        request,
        AUDIT_CURSOR,
        page=lambda: source.list_audit(where, request.limit, position),
        counted_page=lambda: source.page_audit(where, request.limit, position),
    )
