"""The outbox in Padu's ``state`` database: mutations logged before their owning write, and
their effects on other sources waiting there until delivered.

A mutation is ``started`` (logged with the effects it owes) before its owning write, then
``committed`` (the effects its committed row owes enter the outbox) or ``aborted`` (they
never do). A mutation left
``started`` by a crash is settled later by asking its owning source whether the write's key
was committed there. Effects are keyed: the same effect enters the outbox once.
Deliveries are claimed with a lease, so several Padu processes share the work and a delivery
whose process died is taken up again when its lease runs out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import asyncpg

from padu.sources.base import Where

if TYPE_CHECKING:
    from padu.sources.state import StateSource


@dataclass(frozen=True, slots=True)
class Effect:
    """A write one mutation owes another source, with the key that makes it idempotent."""

    key: str
    target: str
    kind: str
    payload: dict[str, Any]
    subject: str


@dataclass(frozen=True, slots=True)
class MutationRecord:
    """A logged mutation: where it stands, and the first answer it gave."""

    key: str
    mutation: str
    owning_source: str
    subject: str
    status: str
    result: dict[str, Any] | None
    created_at: datetime
    fingerprint: str | None  # of the input it was first sent with (None: logged before 003)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One effect in the outbox."""

    id: int
    effect_key: str
    mutation_key: str
    subject: str
    target: str
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """Where one subject's effects stand."""

    subject: str
    pending_effects: int
    delivered_effects: int
    last_error: str | None


_MUTATION_COLUMNS = "key, mutation, owning_source, subject, status, result, created_at, fingerprint"
_DELIVERY_COLUMNS = """
    id, effect_key, mutation_key, subject, target, kind, payload, status, attempts,
    next_attempt_at, last_error, created_at, delivered_at
"""


def _effect_json(effect: Effect) -> dict[str, Any]:
    return {
        "key": effect.key,
        "target": effect.target,
        "kind": effect.kind,
        "payload": effect.payload,
        "subject": effect.subject,
    }


def _effects_json(effects: Sequence[Effect]) -> str:
    return json.dumps([_effect_json(e) for e in effects])


def _mutation(row: asyncpg.Record) -> MutationRecord:
    return MutationRecord(
        key=row["key"],
        mutation=row["mutation"],
        owning_source=row["owning_source"],
        subject=row["subject"],
        status=row["status"],
        result=None if row["result"] is None else json.loads(row["result"]),
        created_at=row["created_at"],
        fingerprint=row["fingerprint"],
    )


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(
        id=row["id"],
        effect_key=row["effect_key"],
        mutation_key=row["mutation_key"],
        subject=row["subject"],
        target=row["target"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        delivered_at=row["delivered_at"],
    )


class OutboxStore:
    """The outbox in Padu's ``state`` database (``StateSource.outbox``)."""

    def __init__(self, source: StateSource) -> None:
        self.source = source

    async def begin_mutation(
        self,
        *,
        key: str,
        mutation: str,
        fingerprint: str,
        actor_role: str,
        actor: str | None,
        owning_source: str,
        subject: str,
        effects: Sequence[Effect],
    ) -> MutationRecord | None:
        """Log a new mutation with the effects it will owe; an existing key returns its record."""
        inserted = await self.source.fetch(
            """
            INSERT INTO mutation_log (key, mutation, actor_role, actor, owning_source,
                                      subject, effects, status, fingerprint)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'started', $8)
            ON CONFLICT (key) DO NOTHING RETURNING key
            """,
            key, mutation, actor_role, actor, owning_source, subject,
            _effects_json(effects), fingerprint,
        )  # fmt: skip
        if inserted:
            return None
        # Read in a statement of its own: a racing insert of the same key, which this one
        # waited for, committed after this statement's snapshot was taken and is not in it.
        return await self.mutation(key)

    async def mutation(self, key: str) -> MutationRecord | None:
        rows = await self.source.fetch(
            f"SELECT {_MUTATION_COLUMNS} FROM mutation_log WHERE key = $1", key
        )
        return _mutation(rows[0]) if rows else None

    async def finish_mutation(
        self,
        key: str,
        *,
        committed: bool,
        result: dict[str, Any],
        subject: str | None = None,
        effects: Sequence[Effect] | None = None,
    ) -> None:
        """Commit a started mutation (its effects enter the outbox) or abort it.

        ``effects``, when given, are what the committed write owes and replace those logged
        when it started; without them (a mutation settled after a crash) the logged ones hold.
        """
        owed = None if effects is None else _effects_json(effects)
        async with self.source.transaction() as connection:
            effects_json = await connection.fetchval(
                """UPDATE mutation_log SET status = $2, result = $3::jsonb, finished_at = now(),
                          subject = coalesce($4, subject),
                          effects = coalesce($5::jsonb, effects)
                   WHERE key = $1 AND status = 'started' RETURNING effects""",
                key, "committed" if committed else "aborted", json.dumps(result), subject, owed,
            )  # fmt: skip
            if committed and effects_json is not None:
                await connection.executemany(
                    """
                    INSERT INTO outbox (effect_key, mutation_key, subject, target, kind,
                                        payload, status)
                    VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'pending')
                    ON CONFLICT (effect_key) DO NOTHING
                    """,
                    [
                        (e["key"], key, e["subject"], e["target"], e["kind"],
                         json.dumps(e["payload"]))
                        for e in json.loads(effects_json)
                    ],
                )  # fmt: skip

    async def stale_mutations(self, older_than: float) -> list[MutationRecord]:
        """Mutations still ``started`` after ``older_than`` seconds: their process died."""
        query = f"""
            SELECT {_MUTATION_COLUMNS} FROM mutation_log
            WHERE status = 'started' AND created_at < now() - make_interval(secs => $1)
            ORDER BY created_at LIMIT 100
        """
        return [_mutation(r) for r in await self.source.fetch(query, older_than)]

    async def claim_deliveries(self, limit: int, lease: float) -> list[Delivery]:
        """Take up to ``limit`` due effects for ``lease`` seconds (others skip them)."""
        query = f"""
            UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2),
                              attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            )
            RETURNING {_DELIVERY_COLUMNS}
        """
        return sorted((_delivery(r) for r in await self.source.fetch(query, limit, lease)),
                      key=lambda d: d.id)  # fmt: skip

    async def delivered(self, delivery_id: int) -> None:
        await self.source.fetch(
            "UPDATE outbox SET status = 'delivered', delivered_at = now(), last_error = NULL "
            "WHERE id = $1",
            delivery_id,
        )

    async def retry_later(self, delivery_id: int, error: str, delay: float) -> None:
        await self.source.fetch(
            "UPDATE outbox SET last_error = $2, "
            "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
            delivery_id, error, delay,
        )  # fmt: skip

    async def sync_by_subject(self, subjects: Sequence[str]) -> list[SyncSummary]:
        query = """
            SELECT subject,
                   count(*) FILTER (WHERE status = 'pending') AS pending,
                   count(*) FILTER (WHERE status = 'delivered') AS delivered,
                   (array_agg(last_error ORDER BY id DESC)
                        FILTER (WHERE last_error IS NOT NULL AND status = 'pending'))[1]
                       AS last_error
            FROM outbox WHERE subject = ANY($1::text[]) GROUP BY subject
        """
        return [
            SyncSummary(r["subject"], r["pending"], r["delivered"], r["last_error"])
            for r in await self.source.fetch(query, list(subjects))
        ]

    async def list_deliveries(
        self, statuses: Sequence[str], limit: int, after_id: int | None, failing: bool = False
    ) -> list[Delivery]:
        """Outbox entries in the given statuses, oldest first; ``failing``: only with an error."""
        clause = _deliveries(statuses, failing)
        if after_id is not None:
            clause.add(f"id > {clause.param(after_id)}")
        query = f"""
            SELECT {_DELIVERY_COLUMNS} FROM outbox WHERE {clause.sql}
            ORDER BY id LIMIT {clause.param(limit)}
        """
        return [_delivery(r) for r in await self.source.fetch(query, *clause.args)]

    async def count_deliveries(self, statuses: Sequence[str], failing: bool = False) -> int:
        clause = _deliveries(statuses, failing)
        rows = await self.source.fetch(
            f"SELECT count(*) AS n FROM outbox WHERE {clause.sql}", *clause.args
        )
        return int(rows[0]["n"])

    async def backlog(self) -> tuple[int, int, float]:
        """Deliveries pending, how many of them last failed, and the oldest one's age (seconds)."""
        query = """
            SELECT count(*) AS pending,
                   count(*) FILTER (WHERE last_error IS NOT NULL) AS failing,
                   coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS lag
            FROM outbox WHERE status = 'pending'
        """
        row = (await self.source.fetch(query))[0]
        return int(row["pending"]), int(row["failing"]), float(row["lag"])


def _deliveries(statuses: Sequence[str], failing: bool) -> Where:
    clause = Where()
    clause.add(f"status = ANY({clause.param(list(statuses))}::text[])")
    if failing:
        clause.add("last_error IS NOT NULL")
    return clause
