"""The outbox dispatcher: delivers committed effects to their target sources until they land.

One background task per Padu process. It wakes when a mutation commits (or every
``poll_seconds``), claims due deliveries with a lease, and applies each idempotently in its
target (a repeated delivery finds its key and does nothing). A failed delivery is retried
with exponential backoff, its last error visible to admins. Mutations a crash left
``started`` are settled from their owning source.

Any number of processes (replicas) share one outbox: a claim hides a delivery from the
others until its lease runs out, and a lease outlasts the one write it covers, so a delivery
is tried by one process at a time. Another takes it up after a failed try's backoff, or
after the lease of a process that died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from padu.background import Background
from padu.config import Config
from padu.errors import PaduError
from padu.metrics import outbox_backlog
from padu.sources import Sources
from padu.sources.base import AlreadyApplied
from padu.sources.outbox import Delivery, Effect
from padu.sources.performance_writes import Credit
from padu.tracing import delivery as traced_delivery

log = logging.getLogger("padu.dispatcher")

BATCH = 50  # deliveries per round; each round first settles stale mutations
MEASURE_SECONDS = 5.0  # the outbox's backlog is counted for the metrics at most this often

Handler = Callable[[Sources, str, dict[str, Any]], Awaitable[None]]


async def _credit_activity(sources: Sources, key: str, payload: dict[str, Any]) -> None:
    await sources.performance.writes.credit(key, Credit.from_payload(payload))


HANDLERS: dict[str, Handler] = {"credit_activity": _credit_activity}


def credit_effect(key: str, credit: Credit, subject: str) -> Effect:
    """The effect that logs ``credit`` in e-Kinerja, once per ``key``."""
    return Effect(
        key=key,
        target="performance",
        kind="credit_activity",
        payload=credit.as_payload(),
        subject=subject,
    )


def shown_error(delivery: Delivery, exc: Exception) -> str:
    """The reason a delivery failed as callers may read it (``SyncStatus.lastError``).

    A PaduError's message is written for clients; any other exception's text may hold SQL,
    a NIP or a NIK, so it goes to the log and the caller reads only where to look.
    """
    if isinstance(exc, PaduError):
        return str(exc)
    log.exception("delivery %s (%s) failed", delivery.id, delivery.kind)
    return (
        f"Delivery {delivery.id} to the {delivery.target} source failed unexpectedly; "
        "it is retried, and the server log has the cause."
    )


class Dispatcher(Background):
    """Delivers the outbox in the background of one Padu process."""

    task_name = "padu-outbox-dispatcher"

    def __init__(self, sources: Sources, config: Config) -> None:
        self.sources = sources
        self.settings = config.outbox
        # No write outlasts its source's timeouts: a delivery claimed longer ago than that
        # belongs to a process that died, and a mutation started longer ago is not running.
        slowest = max(s.config.connect_timeout + 4 * s.config.statement_timeout for s in sources)
        self.lease = slowest + 1.0
        self.settle_after = slowest + 2.0
        self._wake = asyncio.Event()
        self._measured_at = -MEASURE_SECONDS

    def wake(self) -> None:
        """Deliver now: a mutation just committed effects."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.settle()
                busy = await self.deliver_due() == BATCH
                await self.measure()
            except PaduError as exc:  # the state database itself is unreachable
                log.warning("outbox paused: %s", exc)
                busy = False
            except Exception:  # never let one bad round stop deliveries for good
                log.exception("outbox round failed; retrying")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
                self._wake.clear()

    async def measure(self) -> None:
        """The outbox's backlog in the metrics, counted at most every MEASURE_SECONDS."""
        if time.monotonic() - self._measured_at >= MEASURE_SECONDS:
            self._measured_at = time.monotonic()
            outbox_backlog(*await self.sources.state.outbox.backlog())

    async def deliver_due(self) -> int:
        """Deliver what is due now, up to BATCH; returns how many deliveries were tried.

        One claim per delivery, so that a lease covers one write. A batch claimed at once and
        delivered in turn, from a slow target, outlasts the leases of its last deliveries:
        another process would claim those and make them at the same time as this one.
        """
        tried = 0
        while tried < BATCH:
            claimed = await self.sources.state.outbox.claim_deliveries(1, self.lease)
            if not claimed:
                break
            await self.deliver(claimed[0])
            tried += 1
        return tried

    async def deliver(self, delivery: Delivery) -> None:
        outbox = self.sources.state.outbox
        try:
            with traced_delivery(delivery.kind):
                await HANDLERS[delivery.kind](self.sources, delivery.effect_key, delivery.payload)
        except AlreadyApplied:
            pass  # delivered before: its key is in the target already
        except Exception as exc:  # keep retrying; the reason is shown through SyncStatus
            await outbox.retry_later(
                delivery.id, shown_error(delivery, exc), self.backoff(delivery.attempts)
            )
            return
        await outbox.delivered(delivery.id)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try: doubling from the base up to the maximum, with jitter."""
        base, most = self.settings.retry_base_seconds, self.settings.retry_max_seconds
        delay = min(base * 2 ** max(attempts - 1, 0), most)
        return float(delay * random.uniform(0.8, 1.2))

    async def settle(self) -> None:
        """Commit or abort mutations left ``started``, by asking their owning source."""
        outbox = self.sources.state.outbox
        for mutation in await outbox.stale_mutations(self.settle_after):
            owning = next(s for s in self.sources if s.name == mutation.owning_source)
            try:
                applied = await owning.applied(mutation.key)
            except PaduError:
                continue  # settled once the source is back
            errors = [] if applied else [
                {"code": "ABORTED", "message": "The write did not complete; nothing changed.",
                 "field": None}
            ]  # fmt: skip
            result = {"subject": mutation.subject, "errors": errors}
            await outbox.finish_mutation(mutation.key, committed=applied, result=result)
            log.info("settled mutation %s: %s", mutation.mutation,
                     "committed" if applied else "aborted")  # fmt: skip
