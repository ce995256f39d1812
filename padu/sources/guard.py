"""Padu's policy for every call to a source, whatever its engine, written once.

The circuit breaker is consulted before a call and told how it went; a call runs within the
calling caller's share of the pool (padu.fairness); a read whose connection broke is tried
again (``retries`` times, after the transport's backoff), a write never; each answered call
counts as one round trip in the request's trace; and the transport's engine-neutral errors
become the errors clients see (SOURCE_UNAVAILABLE, SOURCE_TIMEOUT), without driver text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import TypeVar

from padu import metrics
from padu.config import SourceConfig
from padu.errors import SourceTimeout, SourceUnavailable
from padu.fairness import current_share
from padu.sources.breaker import CircuitBreaker, CircuitOpen
from padu.sources.trace import current_trace
from padu.sources.transports.base import Faulty, NoConnection, TimedOut, Transport, Unreachable
from padu.tracing import round_trip

log = logging.getLogger("padu.sources")
T = TypeVar("T")
UNREACHABLE = "could not be reached"


class SourceBusy(SourceUnavailable):
    """Every connection of the source's pool stayed in use: Padu's load, not the source's fault."""


class Guard:
    """The breaker, fair share, retries, counting and error translation of one source."""

    def __init__(self, name: str, config: SourceConfig, transport: Transport) -> None:
        self.name = name
        self.config = config
        self.transport = transport
        self.breaker = CircuitBreaker(config.breaker_failures, config.breaker_cooldown)
        self.calls = 0  # under way, waiting for a connection or holding one (for metrics)

    async def run(
        self,
        operation: Callable[[], Awaitable[T]],
        *,
        read: bool,
        rows: Callable[[T], int],
        statement: str | None = None,
    ) -> T:
        """``operation`` as one counted round trip; reads are retried on a broken connection.

        ``statement`` (SQL with ``$n`` parameters, or a web call's method and path template,
        never a value) describes the round trip in its trace span.
        """
        started = time.perf_counter()
        with round_trip(self.name, self.transport.kind, statement):
            async with self.guarded():
                result = await self._retried(operation, self.config.retries if read else 0)
            self.count(rows(result), started)
        return result

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Guard a block that holds a connection (a transaction): one round trip, never retried."""
        started = time.perf_counter()
        with round_trip(self.name, self.transport.kind, None):
            async with self.guarded(), self._slot():
                yield
            self.count(0, started)

    async def _retried(self, operation: Callable[[], Awaitable[T]], retries: int) -> T:
        # Reads change nothing, so trying one again after its connection broke (e.g. after
        # the server restarted) is safe; writes are never retried here.
        for attempt in range(retries):
            try:
                async with self._slot():
                    return await operation()
            except Unreachable as exc:
                reason = exc.reason or "connection failed"
                log.info("source %s: retrying a read after: %s", self.name, reason)
                await asyncio.sleep(self.transport.retry_backoff * 2**attempt)
        async with self._slot():
            return await operation()

    def _slot(self) -> asyncio.Semaphore | nullcontext[None]:
        """The calling caller's share of the pool; waiting for it has no timeout of its own.

        Waiting for the share is the caller's own requests queueing behind each other; the
        wait for the pool itself is the transport's, bounded by ``connect_timeout``.
        """
        share = current_share.get()
        return share.slot(self.name, self.config.pool_max) if share else nullcontext()

    def count(self, rows: int, started: float) -> None:
        """One round trip answered with ``rows`` rows, in the request's trace and the metrics."""
        metrics.round_trip(self.name, time.perf_counter() - started)
        trace = current_trace.get()
        if trace is not None:
            trace.record(self.name, rows)

    @asynccontextmanager
    async def guarded(self) -> AsyncIterator[None]:
        """Consult the breaker, turn the transport's trouble into client errors, tell the breaker.

        A full pool is load (SourceBusy), which the breaker does not count; a source that
        cannot connect, times out or breaks the connection failed; one that answered, even
        with an error of the query or a malformed answer, works.
        """
        try:
            self.breaker.before_call()
        except CircuitOpen as resting:
            raise SourceUnavailable(
                self.name, f"is failing; calls paused ({resting}) before a new try"
            ) from None
        self._measured(1)
        try:
            yield
        except NoConnection:
            waited = f"gave no connection within {self.config.connect_timeout:g}s"
            if self.transport.busy():
                self.breaker.inconclusive()
                raise SourceBusy(self.name, f"{waited}, all busy; try again") from None
            self.breaker.failed()
            raise SourceUnavailable(self.name, waited) from None
        except TimedOut as exc:
            self.breaker.failed()
            raise SourceTimeout(self.name, exc.reason or "did not answer in time") from None
        except Unreachable as exc:
            self.breaker.failed()
            log.warning("source %s unavailable: %s", self.name, exc.reason or "connection failed")
            raise SourceUnavailable(self.name, exc.reason or UNREACHABLE) from None
        except Faulty as exc:
            self.breaker.succeeded()
            raise SourceUnavailable(self.name, exc.reason or UNREACHABLE) from None
        except BaseException:  # the source answered (an error of the query or the caller)
            self.breaker.succeeded()
            raise
        else:
            self.breaker.succeeded()
        finally:
            self._measured(-1)

    def _measured(self, change: int) -> None:
        """Count a call beginning (1) or ending (-1); show the pool and circuit in the metrics."""
        self.calls += change
        in_use = self.transport.in_use()
        metrics.source_state(self.name, self.breaker.state.value, in_use, self.calls)
