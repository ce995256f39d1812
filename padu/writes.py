"""Writes that never lose data: each mutation is logged in ``state`` before its owning write,
its effects on other sources enter the outbox once that write commits, and a client's
``clientMutationId`` replays the first answer to the same input (and is refused for another).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from padu.faults import crash_point
from padu.principal import Principal
from padu.sources import Sources
from padu.sources.base import AlreadyApplied, Source
from padu.sources.outbox import Effect, MutationRecord

log = logging.getLogger("padu.writes")

MAX_CLIENT_MUTATION_ID = 128
# Padu's write keys go into each source's padu_tulisan (varchar(200)): a caller id longer
# than this is replaced by its digest, so that caller, mutation name and the longest
# clientMutationId fit (40 + 1 + 26 + 1 + 128 = 196).
_MAX_CALLER = 40


class UserError(Exception):
    """A mutation refused for a reason the client can show; nothing was written."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


@dataclass(frozen=True, slots=True)
class Call:
    """One mutation as the client sent it: its name, its clientMutationId, and its input."""

    mutation: str
    client_mutation_id: str | None
    fingerprint: str

    @classmethod
    def of(cls, mutation: str, client_mutation_id: str | None, **input: Any) -> Call:
        """``input`` holds every argument that says what to do and to what (ids included)."""
        canonical = json.dumps(
            {"mutation": mutation, "input": input},
            sort_keys=True, separators=(",", ":"), default=_canonical,
        )  # fmt: skip
        return cls(mutation, client_mutation_id, hashlib.sha256(canonical.encode()).hexdigest())


def _canonical(value: Any) -> Any:
    """JSON for the values mutation inputs hold: enums by value, dates as ISO 8601."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"no canonical form for {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Written:
    """What an owning write committed: the subject it changed, and the effects its committed
    row owes other sources."""

    subject: str | None
    effects: Sequence[Effect] = ()


@dataclass(frozen=True)
class Outcome:
    """What a mutation answered: the object it changed (``subject``) or its errors."""

    subject: str | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "errors": self.errors}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, replayed: bool) -> Outcome:
        return cls(data.get("subject"), list(data.get("errors", [])), replayed)


class Writes:
    """Runs one request's mutations through the mutation log and the outbox."""

    def __init__(self, sources: Sources, principal: Principal, wake: Callable[[], None]) -> None:
        self.sources = sources
        self.principal = principal
        self.wake = wake

    def key(self, call: Call) -> str:
        """The idempotency key: the client's id, scoped to caller and mutation, or a new one."""
        if call.client_mutation_id is None:
            return f"{call.mutation}:{uuid.uuid4().hex}"
        _check_client_mutation_id(call.client_mutation_id)
        who = f"{self.principal.role.value}:{self.principal.subject}"
        if len(who) > _MAX_CALLER:
            who = hashlib.sha256(who.encode()).hexdigest()[:_MAX_CALLER]
        return f"{who}:{call.mutation}:{call.client_mutation_id}"

    async def replay(self, call: Call) -> Outcome | None:
        """The first answer to this clientMutationId, if it was seen; checked before anything.

        Raises UserError if the id was used for a different input (or is still running).
        """
        if call.client_mutation_id is None:
            return None
        earlier = await self.sources.state.outbox.mutation(self.key(call))
        return None if earlier is None else self._replayed(call, earlier)

    @staticmethod
    def _replayed(call: Call, earlier: MutationRecord) -> Outcome:
        # Logged before fingerprints were kept: nothing to compare with, so it replays.
        if earlier.fingerprint is not None and earlier.fingerprint != call.fingerprint:
            raise UserError(
                "IDEMPOTENCY_KEY_REUSED",
                f"clientMutationId {call.client_mutation_id!r} was already used for a different "
                f"{call.mutation} input; send a new clientMutationId for a new change.",
                "clientMutationId",
            )
        if earlier.status == "started" or earlier.result is None:
            raise UserError(
                "CONFLICT",
                "A mutation with this clientMutationId is still in progress; retry shortly.",
                "clientMutationId",
            )
        return Outcome.from_json(earlier.result, replayed=True)

    async def run(
        self,
        call: Call,
        *,
        owning: Source,
        subject: str,
        owed: Sequence[Effect] = (),
        write: Callable[[str], Awaitable[Written]],
    ) -> Outcome:
        """Log, write, then release the effects the committed row owes.

        ``owed`` are the effects the write owes if it commits as authorised; they are logged
        before it, so that a crash right after the write still delivers them. The write's
        conditions pin every fact they are built from (assignee, status), so its committed
        row owes exactly these; ``write(key)`` returns that row's subject and effects, and
        those are what enter the outbox. ``write`` raises UserError to refuse (the mutation
        is aborted, its answer kept for replays). If the owning source fails mid-write the
        mutation stays ``started`` and is settled later from the source itself, so an
        acknowledged write is never lost.
        """
        key = self.key(call)
        outbox = self.sources.state.outbox
        earlier = await outbox.begin_mutation(
            key=key,
            mutation=call.mutation,
            fingerprint=call.fingerprint,
            actor_role=self.principal.role.value,
            actor=self.principal.subject,
            owning_source=owning.name,
            subject=subject,
            effects=owed,
        )
        if earlier is not None:  # the same key raced in since replay() looked
            return self._replayed(call, earlier)
        try:
            written = await write(key)
        except UserError as refused:
            outcome = Outcome(None, [refused.as_json()])
            await outbox.finish_mutation(key, committed=False, result=outcome.as_json())
            return outcome
        except AlreadyApplied:  # only after a crash and retry: the write is already there
            written = Written(subject, owed)
        crash_point("after-owning-write")
        if list(written.effects) != list(owed):
            # A condition missing from the write: the committed row, not the authorised
            # one, decides what is owed.
            log.error("%s committed a row unlike the one it was authorised on", call.mutation)
        outcome = Outcome(written.subject or subject)
        await outbox.finish_mutation(
            key, committed=True, result=outcome.as_json(), subject=outcome.subject,
            effects=written.effects,
        )  # fmt: skip
        if written.effects:
            self.wake()
        return outcome


def _check_client_mutation_id(value: str) -> None:
    if not 1 <= len(value) <= MAX_CLIENT_MUTATION_ID or not value.isprintable():
        raise UserError(
            "BAD_USER_INPUT",
            f"clientMutationId must be 1 to {MAX_CLIENT_MUTATION_ID} printable characters.",
            "clientMutationId",
        )
