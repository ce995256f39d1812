"""One execution per subscription event, shared by every subscriber who would get the same answer.

Subscribers of the same document, operation and variables who see the data alike
(``Scopes.sees_as``: the role, and the subject where the role's rows depend on it) would each
get the same event. They share one *stream*: one subscription execution (one feed queue, one
set of source reads, one JSON encoding per event), which the stream hands to each subscriber's
own bounded queue. Each subscriber's connection task then audits the event for its own caller
(who saw it is per subscriber, so is the audit entry) and sends it; a slow client fills only
its own queue and is dropped with ``SUBSCRIPTION_FELL_BEHIND`` while the others go on.

A stream starts with its first subscriber and stops when its last one leaves. Where each event
is the whole current state (``metadata={"current_state": True}`` on the subscription field,
like ``dashboardCounters``), a subscriber joining a running stream is sent its latest event at
once, as it would have been sent the state on subscribing alone. Queries and mutations sent
over WebSocket are never shared.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, parse
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from padu.access.audit import AuditTrail
from padu.lru import Lru
from padu.sources.trace import current_trace

if TYPE_CHECKING:
    from strawberry.schema.schema import StreamResult

    from padu.context import Context

log = logging.getLogger("padu.subscriptions")

EVENT_BACKLOG = 100  # events a subscriber may have waiting to be sent before it is dropped
BACKREF = "strawberry-definition"  # where Strawberry keeps its field on the graphql-core field


@dataclass(frozen=True, slots=True)
class Event:
    """One execution's result, as every subscriber of the stream is sent it."""

    result: ExecutionResult
    noted: AuditTrail  # the personal data the event carries, audited per subscriber
    encoded: str | None  # the JSON payload, encoded once, when it has no errors


@dataclass(frozen=True, slots=True)
class Ended:
    """The stream is over; ``reason`` says how (None: it completed)."""

    reason: PreExecutionError | str | None = None


INCREMENTAL = "incremental"  # @defer/@stream: graphql-transport-ws has no frame for them
FELL_BEHIND = "fell behind"  # this subscriber's queue was full

Item = Event | Ended


def _encoded(result: ExecutionResult) -> str | None:
    return None if result.errors else orjson.dumps({"data": result.data}).decode()


class Stream:
    """One shared subscription execution and the queues of its subscribers."""

    def __init__(self, hub: SharedSubscriptions, key: Hashable, replays: bool) -> None:
        self.hub = hub
        self.key = key
        self.replays = replays
        self.subscribers: set[asyncio.Queue[Item]] = set()
        self.latest: Event | None = None
        self.task: asyncio.Task[None] | None = None

    def add(self) -> asyncio.Queue[Item]:
        queue: asyncio.Queue[Item] = asyncio.Queue(EVENT_BACKLOG)
        self.subscribers.add(queue)
        if self.replays and self.latest is not None:
            queue.put_nowait(self.latest)
        return queue

    def remove(self, queue: asyncio.Queue[Item]) -> None:
        self.subscribers.discard(queue)
        if not self.subscribers:
            self._forget()
            if self.task is not None:
                self.task.cancel()

    def _forget(self) -> None:
        """New subscribers of this key start a stream of their own from now on."""
        if self.hub.streams.get(self.key) is self:
            del self.hub.streams[self.key]

    async def run(
        self, context: Context, start: Callable[[Context], Awaitable[StreamResult]]
    ) -> None:
        current_trace.set(context.trace)
        try:
            source = await start(context)
            async with aclosing(source):
                first = True
                async for result in source:
                    if first and isinstance(result, PreExecutionError):
                        self._finish(Ended(result))
                        return
                    if not isinstance(result, ExecutionResult):
                        self._finish(Ended(INCREMENTAL))
                        return
                    first = False
                    self.hub.events += 1
                    self.publish(Event(result, context.audit.taken(), _encoded(result)))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a shared subscription stream failed; its subscribers are completed")
        self._finish(Ended())

    def publish(self, event: Event) -> None:
        """Hand ``event`` to every subscriber; one whose queue is full is dropped."""
        self.latest = event
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.subscribers.discard(queue)
                _last(queue, Ended(FELL_BEHIND))

    def _finish(self, ended: Ended) -> None:
        self._forget()
        for queue in self.subscribers:
            _last(queue, ended)
        self.subscribers.clear()


def _last(queue: asyncio.Queue[Item], item: Item) -> None:
    """Put the item that ends a subscriber's queue, making room for it if need be."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)


class SharedSubscriptions:
    """The streams of one process, by (document, operation, variables, how the caller sees)."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.streams: dict[Hashable, Stream] = {}
        self.events = 0  # events executed, once per stream however many subscribers it has
        self._plans: Lru[tuple[str, str | None], bool | None] = Lru(256)

    def plan(self, query: str, operation_name: str | None) -> bool | None:
        """None when the operation is not a subscription (it runs alone); otherwise whether its
        events are the whole current state (replayed to a subscriber joining late)."""
        key = (query, operation_name)
        try:
            return self._plans.recall(key)
        except KeyError:
            pass
        verdict = self._plan(query, operation_name)
        self._plans.remember(key, verdict)
        return verdict

    def _plan(self, query: str, operation_name: str | None) -> bool | None:
        try:
            operation = get_operation_ast(parse(query), operation_name)
        except GraphQLError:
            return None  # the standard path reports it
        if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
            return None
        root = operation.selection_set.selections
        subscription = self.schema._schema.subscription_type
        if len(root) != 1 or not isinstance(root[0], FieldNode) or subscription is None:
            return False
        field = subscription.fields.get(root[0].name.value)
        definition = None if field is None else field.extensions.get(BACKREF)
        metadata = getattr(definition, "metadata", None) or {}
        return bool(metadata.get("current_state"))

    @asynccontextmanager
    async def join(
        self,
        key: Hashable,
        replays: bool,
        context: Callable[[], Context],
        start: Callable[[Context], Awaitable[StreamResult]],
    ) -> AsyncIterator[asyncio.Queue[Item]]:
        """A queue of the stream's events for one subscriber, the stream started if need be."""
        stream = self.streams.get(key)
        if stream is None:
            stream = self.streams[key] = Stream(self, key, replays)
            stream.task = asyncio.create_task(stream.run(context(), start))
        queue = stream.add()
        try:
            yield queue
        finally:
            stream.remove(queue)


def share_key(
    query: str, operation_name: str | None, variables: object, sees_as: tuple[object, ...]
) -> tuple[object, ...]:
    """Subscribers with equal keys are sent the same events."""
    return (query, operation_name, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS), sees_as)
