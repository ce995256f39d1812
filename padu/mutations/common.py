"""What the mutation resolvers share: the payload record and the run-and-answer step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from padu.resolvers.info import Info
from padu.sources.base import Source
from padu.sources.outbox import Effect
from padu.writes import Call, Outcome, UserError, Written


@dataclass(frozen=True, slots=True)
class MutationError:
    """A refusal the client can show: a stable code, a message, the input field at fault."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Payload:
    """What every mutation answers."""

    client_mutation_id: str | None
    subject: str | None
    errors: list[MutationError] = field(default_factory=list)
    replayed: bool = False

    def subject_id(self, kind: str) -> int | None:
        """The id in ``subject`` when it names a ``kind`` (e.g. serviceRequest:42)."""
        if self.subject is None or not self.subject.startswith(f"{kind}:"):
            return None
        tail = self.subject.split(":", 1)[1]
        return int(tail) if tail.isdigit() else None


def refused(client_mutation_id: str | None, error: UserError) -> Payload:
    """A payload for a mutation refused before anything was logged or written."""
    return Payload(
        client_mutation_id, None, [MutationError(error.code, error.message, error.field)]
    )


async def replay(info: Info, call: Call) -> Payload | None:
    """The first answer to a clientMutationId seen before with this input, else None.

    A clientMutationId still in progress, or first sent with another input, is refused.
    """
    try:
        outcome = await info.context.writes.replay(call)
    except UserError as error:
        return refused(call.client_mutation_id, error)
    return None if outcome is None else _payload(call.client_mutation_id, outcome)


def _payload(client_mutation_id: str | None, outcome: Outcome) -> Payload:
    errors = [MutationError(e["code"], e["message"], e.get("field")) for e in outcome.errors]
    return Payload(client_mutation_id, outcome.subject, errors, outcome.replayed)


async def run(
    info: Info,
    call: Call,
    *,
    owning: Source,
    subject: str,
    write: Callable[[str], Awaitable[Written]],
    owed: Sequence[Effect] = (),
) -> Payload:
    """Run one write through the mutation log and outbox; answer with its payload."""
    try:
        outcome = await info.context.writes.run(
            call, owning=owning, subject=subject, owed=owed, write=write
        )
    except UserError as error:
        return refused(call.client_mutation_id, error)
    return _payload(call.client_mutation_id, outcome)
