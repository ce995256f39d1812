"""The audit log of personal-data processing, for admins."""

from __future__ import annotations

from datetime import datetime

import strawberry

from padu.schema.scalars import NIK


@strawberry.type(description="One processing of a resident's personal data (or of this log).")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor_role: str
    actor: str | None = strawberry.field(
        description="NIP or admin id of the caller; a citizen appears as a keyed hash."
    )
    record_hash: str | None = strawberry.field(
        description="Keyed hash (HMAC-SHA256) of the resident's NIK; never the NIK itself."
    )
    fields: list[str]
    operation: str = strawberry.field(description="read or write.")
    operation_name: str | None
    request_id: str


@strawberry.input(description="Narrows the audit log; all given conditions must hold.")
class AuditFilter:
    actor_role: str | None = None
    actor: str | None = None
    resident_nik: NIK | None = strawberry.field(
        default=None, description="Entries about this resident (hashed before searching)."
    )
    since: datetime | None = None
    before: datetime | None = None
