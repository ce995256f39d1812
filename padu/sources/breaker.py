"""A circuit breaker per source: a failing source is not called again until it may be back.

Closed: calls go through. After ``threshold`` failures in a row it opens: calls fail at once
for ``cooldown`` seconds. Then one call is let through as a probe (half-open): its success
closes the circuit, its failure opens it for another cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from padu.lookup_enum import LookupEnum


class Circuit(LookupEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The source is resting; ``remaining`` seconds until a probe is allowed."""

    def __init__(self, remaining: float) -> None:
        super().__init__(f"circuit open for {remaining:.1f}s more")
        self.remaining = remaining


class CircuitBreaker:
    """Counts consecutive failures of one source and decides whether to call it."""

    def __init__(
        self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.state = Circuit.CLOSED
        self.failures = 0
        self.opened_at = 0.0
        self._probing = False

    def before_call(self) -> None:
        """Raise CircuitOpen unless a call may go to the source now."""
        if self.state is Circuit.CLOSED:
            return
        if self.state is Circuit.OPEN:
            remaining = self.opened_at + self.cooldown - self.clock()
            if remaining > 0:
                raise CircuitOpen(remaining)
            self.state = Circuit.HALF_OPEN
        if self._probing:  # one probe at a time while half-open
            raise CircuitOpen(0.0)
        self._probing = True

    def succeeded(self) -> None:
        self.state, self.failures, self._probing = Circuit.CLOSED, 0, False

    def inconclusive(self) -> None:
        """The call ended without telling whether the source works (e.g. no free connection)."""
        self._probing = False

    def failed(self) -> None:
        self.failures += 1
        self._probing = False
        if self.state is Circuit.HALF_OPEN or self.failures >= self.threshold:
            self.state, self.opened_at = Circuit.OPEN, self.clock()
