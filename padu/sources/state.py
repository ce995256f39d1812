"""Padu's own database (``state``): its migrations and the append-only audit log."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextvars import Context
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import asyncpg

from padu.config import SourceConfig
from padu.metrics import audit_written
from padu.sources.base import Source, Where, counted_page, page_with_total
from padu.sources.outbox import OutboxStore
from padu.sources.trace import current_trace
from padu.tracing import round_trip


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One processing of a resident's personal data (or of the audit log itself)."""

    actor_role: str
    actor: str | None
    record_hash: str | None
    fields: tuple[str, ...]
    operation: str
    operation_name: str | None
    request_id: str
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which audit entries to list; None means no restriction."""

    actor_role: str | None = None
    actor: str | None = None
    record_hash: str | None = None
    since: datetime | None = None
    before: datetime | None = None


AuditKey = tuple[datetime, int]  # keyset position: (at, id), newest first

_APPEND_AUDIT = """
    INSERT INTO audit_log (actor_role, actor, record_hash, fields, operation, operation_name,
                           request_id)
    SELECT r.actor_role, r.actor, e.record_hash, string_to_array(e.fields, ','), e.operation,
           r.operation_name, r.request_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
         AS r(actor_role, actor, operation_name, request_id, n)
    JOIN unnest($5::int[], $6::text[], $7::text[], $8::text[])
         AS e(n, record_hash, fields, operation) ON e.n = r.n - 1
"""


class StateSource(Source):
    """Adapter for Padu's own database: migrations and the audit log here, the outbox in
    ``outbox``."""

    name = "state"

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        super().__init__(config, dsn)
        self.outbox = OutboxStore(self)
        # Audit entries waiting for the write in flight to end (group commit).
        self._waiting: list[tuple[Sequence[AuditEntry], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def migrate(self) -> list[str]:
        """Apply the ordered SQL files not yet applied; return their names."""
        folder = resources.files("padu.sources").joinpath("state")
        files = sorted(
            (f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name
        )
        applied: list[str] = []
        async with self.pool.acquire() as connection, connection.transaction():
            # One migrator at a time, even with several Padu processes starting together.
            await connection.execute("SELECT pg_advisory_xact_lock(7262001)")
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS padu_migrations "
                "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["name"] for r in await connection.fetch("SELECT name FROM padu_migrations")}
            for file in files:
                if file.name not in done:
                    await connection.execute(file.read_text(encoding="utf-8"))
                    await connection.execute(
                        "INSERT INTO padu_migrations (name) VALUES ($1)", file.name
                    )
                    applied.append(file.name)
        return applied

    async def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Write the entries; return once they are committed (raise if they could not be).

        Requests finishing while an audit write is in flight have their entries written
        together in the next one (group commit): one INSERT and one commit for all of them,
        each caller still answered only once its own entries are durable. Each caller's trace
        counts the one round trip it waited for.
        """
        if not entries:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((entries, done))
        if self._writer is None:
            # In a context of its own: the round trip is not the first caller's alone.
            self._writer = asyncio.create_task(self._write_waiting(), context=Context())
        with round_trip(self.name, self.transport.kind, None):  # the shared write it waits for
            await done
        trace = current_trace.get()
        if trace is not None:
            trace.record(self.name, 0)

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._append([entry for entries, _ in batch for entry in entries])
                except Exception as exc:  # each caller learns of it, as if it wrote alone
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                except BaseException:  # cancelled (shut down): so are the callers' waits
                    for _, done in batch:
                        done.cancel()
                    raise
                else:
                    audit_written(sum(len(entries) for entries, _ in batch))
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._writer = None
            for _, done in self._waiting:  # stopped (shut down) before their turn
                if not done.done():
                    done.cancel()

    async def _append(self, entries: Sequence[AuditEntry]) -> None:
        """One INSERT for ``entries`` of any number of callers and requests.

        What a request's entries share (who asked, which request) goes once per request,
        what differs per entry as arrays, each entry naming its request by number.
        """
        requests: dict[tuple[str, str | None, str | None, str], int] = {}
        numbers = [
            requests.setdefault(
                (e.actor_role, e.actor, e.operation_name, e.request_id), len(requests)
            )
            for e in entries
        ]
        shared = list(requests)
        await self.fetch(
            _APPEND_AUDIT,
            [r[0] for r in shared],
            [r[1] for r in shared],
            [r[2] for r in shared],
            [r[3] for r in shared],
            numbers,
            [e.record_hash for e in entries],
            [",".join(e.fields) for e in entries],
            [e.operation for e in entries],
        )

    async def list_audit(
        self, where: AuditFilter, limit: int, after: AuditKey | None
    ) -> list[AuditEntry]:
        """Entries matching ``where``, newest first, after the keyset cursor."""
        clause = _audit_filter(where)
        position = _after(clause, after)
        if position is not None:
            clause.add(position)
        query = f"""
            SELECT {_AUDIT_COLUMNS} FROM audit_log a
            WHERE {clause.sql} ORDER BY {_AUDIT_ORDER} LIMIT {clause.param(limit)}
        """
        return [_entry(r) for r in await self.fetch(query, *clause.args)]

    async def page_audit(
        self, where: AuditFilter, limit: int, after: AuditKey | None
    ) -> tuple[list[AuditEntry], int]:
        """Like ``list_audit``, with the total under ``where`` in the same round trip."""
        clause = _audit_filter(where)
        query = page_with_total(
            columns=_AUDIT_COLUMNS,
            tables="audit_log a",
            where=clause,
            after=_after(clause, after),
            order=_AUDIT_ORDER,
            limit=limit,
        )
        return counted_page(await self.fetch(query, *clause.args), _entry)


_AUDIT_COLUMNS = """
    a.id, a.at, a.actor_role, a.actor, a.record_hash, a.fields, a.operation, a.operation_name,
    a.request_id
"""
_AUDIT_ORDER = "a.at DESC, a.id DESC"


def _audit_filter(where: AuditFilter) -> Where:
    clause = Where()
    for column, value in (
        ("a.actor_role", where.actor_role),
        ("a.actor", where.actor),
        ("a.record_hash", where.record_hash),
    ):
        if value is not None:
            clause.add(f"{column} = {clause.param(value)}")
    if where.since is not None:
        clause.add(f"a.at >= {clause.param(where.since)}")
    if where.before is not None:
        clause.add(f"a.at < {clause.param(where.before)}")
    return clause


def _after(clause: Where, after: AuditKey | None) -> str | None:
    if after is None:
        return None
    return f"(a.at, a.id) < ({clause.param(after[0])}, {clause.param(after[1])})"


def _entry(row: asyncpg.Record) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        actor_role=row["actor_role"],
        actor=row["actor"],
        record_hash=row["record_hash"],
        fields=tuple(row["fields"]),
        operation=row["operation"],
        operation_name=row["operation_name"],
        request_id=row["request_id"],
    )
