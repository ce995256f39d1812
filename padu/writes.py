"""Writes that never lose data: each mutation is logged in ``state`` before its owning write,
its effects on other sources enter the outbox once that write commits, and a client's
``clientMutationId`` replays the first answer.
"""

from __future__ import annotations

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


class UserError(Exception):
    """A mutation refused for a reason the client can show; nothing was written."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


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

    def key(self, mutation: str, client_mutation_id: str | None) -> str:
        """The idempotency key: the client's id, scoped to caller and mutation, or a new one."""
        if client_mutation_id is None:
            return f"{mutation}:{uuid.uuid4().hex}"
        who = f"{self.principal.role.value}:{self.principal.subject}"
        return f"{who}:{mutation}:{client_mutation_id}"

    async def replay(self, mutation: str, client_mutation_id: str | None) -> Outcome | None:
        """The first answer to this clientMutationId, if it was seen; checked before anything."""
        if client_mutation_id is None:
            return None
        earlier = await self.sources.state.mutation(self.key(mutation, client_mutation_id))
        return None if earlier is None else self._replayed(earlier)

    @staticmethod
    def _replayed(earlier: MutationRecord) -> Outcome:
        if earlier.status == "started" or earlier.result is None:
            raise UserError(
                "CONFLICT",
                "A mutation with this clientMutationId is still in progress; retry shortly.",
                "clientMutationId",
            )
        return Outcome.from_json(earlier.result, replayed=True)

    async def run(
        self,
        *,
        mutation: str,
        client_mutation_id: str | None,
        owning: Source,
        subject: str,
        effects: Sequence[Effect] = (),
        write: Callable[[str], Awaitable[str | None]],
    ) -> Outcome:
        """Log, write, then release the effects; ``write(key)`` returns the changed subject.

        ``write`` raises UserError to refuse (the mutation is aborted, its answer kept for
        replays). If the owning source fails mid-write the mutation stays ``started`` and is
        settled later from the source itself, so an acknowledged write is never lost.
        """
        key = self.key(mutation, client_mutation_id)
        state = self.sources.state
        earlier = await state.begin_mutation(
            key=key,
            mutation=mutation,
            actor_role=self.principal.role.value,
            actor=self.principal.subject,
            owning_source=owning.name,
            subject=subject,
            effects=effects,
        )
        if earlier is not None:  # the same key raced in since replay() looked
            return self._replayed(earlier)
        try:
            changed = await write(key)
        except UserError as refused:
            outcome = Outcome(None, [refused.as_json()])
            await state.finish_mutation(key, committed=False, result=outcome.as_json())
            return outcome
        except AlreadyApplied:
            changed = subject  # only after a crash and retry: the write is already there
        crash_point("after-owning-write")
        outcome = Outcome(changed or subject)
        await state.finish_mutation(
            key, committed=True, result=outcome.as_json(), subject=outcome.subject
        )
        if effects:
            self.wake()
        return outcome
