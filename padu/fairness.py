"""Fair use: one caller cannot starve the others of Padu's turns or of a source's pool.

- **Turns.** At most ``[limits] max_concurrent_per_caller`` GraphQL requests of one caller
  run at once. A caller is a token's role and subject, or the client address when anonymous
  (behind a proxy, run uvicorn with ``--proxy-headers`` so that is the client's). A request
  over the limit waits its turn in the caller's queue for up to ``queue_wait_seconds``; one
  that finds ``max_queued_per_caller`` already waiting, or waits in vain, is answered 429
  with ``RATE_LIMITED`` and ``Retry-After``. Other callers are never held up by it.
- **Pool share.** While they run, one caller's requests together hold at most
  ``pool_share_per_caller`` (half) of each source's pool, at least one connection (``Share``;
  ``padu.sources.base`` takes a slot before each connection). Fifteen aggregates of one
  caller queue behind each other in their half of the pool, and the other half stays for
  everyone else.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from padu.config import LimitsConfig
from padu.graphql_errors import refusal
from padu.principal import Principal

RATE_LIMITED = "RATE_LIMITED"


class Share:
    """One caller's connections to the sources: at most ``fraction`` of each pool at once."""

    def __init__(self, fraction: float = 0.5) -> None:
        self.fraction = fraction
        self._slots: dict[str, asyncio.Semaphore] = {}

    def slot(self, source: str, pool_max: int) -> asyncio.Semaphore:
        """The semaphore a connection of ``source`` is taken under."""
        slot = self._slots.get(source)
        if slot is None:
            size = max(1, math.floor(pool_max * self.fraction))
            slot = self._slots[source] = asyncio.Semaphore(size)
        return slot


# The share of the caller whose request this task serves; None outside HTTP requests.
current_share: ContextVar[Share | None] = ContextVar("padu_share", default=None)


@dataclass
class _Caller:
    """The requests of one caller: running ones hold a turn, others wait in the queue."""

    turns: asyncio.Semaphore
    share: Share
    running: int = 0
    waiting: int = 0


class RateLimited(Exception):
    """The caller has too many requests running and waiting."""


def _host(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class Turns:
    """Per-caller turns for GraphQL requests over HTTP."""

    def __init__(self, limits: LimitsConfig) -> None:
        self.limits = limits
        self._callers: dict[str, _Caller] = {}

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Share]:
        """Hold one of the caller's turns; RateLimited when the queue is full or too slow."""
        caller = self._callers.get(key)
        if caller is None:
            turns = asyncio.Semaphore(self.limits.max_concurrent_per_caller)
            share = Share(self.limits.pool_share_per_caller)
            caller = self._callers[key] = _Caller(turns, share)
        if caller.turns.locked():
            if caller.waiting >= self.limits.max_queued_per_caller:
                raise RateLimited
            caller.waiting += 1
            try:
                await asyncio.wait_for(caller.turns.acquire(), self.limits.queue_wait_seconds)
            except TimeoutError:
                raise RateLimited from None
            finally:
                caller.waiting -= 1
                self._forget_if_idle(key, caller)
        else:
            await caller.turns.acquire()  # free: does not wait
        caller.running += 1
        try:
            yield caller.share
        finally:
            caller.running -= 1
            caller.turns.release()
            self._forget_if_idle(key, caller)

    def _forget_if_idle(self, key: str, caller: _Caller) -> None:
        """Drop a caller with nothing running or waiting, so idle addresses take no memory."""
        if caller.running == caller.waiting == 0:
            self._callers.pop(key, None)

    async def serve(
        self,
        principal: Principal,
        scope: Scope,
        receive: Receive,
        send: Send,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
    ) -> None:
        """Run ``app`` in one of the caller's turns, with its pool share; else answer 429."""
        try:
            async with self.turn(principal.caller(_host(scope))) as share:
                token = current_share.set(share)
                try:
                    await app(scope, receive, send)
                finally:
                    current_share.reset(token)
                return
        except RateLimited:
            pass
        await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.max_concurrent_per_caller
        message = (
            f"Too many requests at once: at most {limit} of yours run at a time and "
            f"{self.limits.max_queued_per_caller} wait; retry after the ones running finish."
        )
        retry = str(max(1, math.ceil(self.limits.queue_wait_seconds)))
        await refusal(429, RATE_LIMITED, message, {"Retry-After": retry})(scope, receive, send)
