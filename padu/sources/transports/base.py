"""What every transport offers, and the engine-neutral errors it reports its trouble with.

A transport knows one engine (its driver, pool, timeouts and error codes) and nothing of
Padu's policy: the circuit breaker, round-trip counting, retries, fair pool shares and the
errors clients see live once, in ``padu.sources.guard``. A transport turns its driver's
errors into the few below, so that policy never reads a driver's error codes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TypeVar

from padu.config import SourceConfig

H = TypeVar("H")


class TransportError(Exception):
    """Trouble reaching the source; ``reason`` completes "The X source system ..."."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "")
        self.reason = reason


class Unreachable(TransportError):
    """The connection failed or broke before an answer: a read may safely be tried again."""


class TimedOut(TransportError):
    """The source took longer than the configured timeout; the call was cancelled."""


class NoConnection(TransportError):
    """No connection of the pool became free within ``connect_timeout``."""


class Faulty(TransportError):
    """The source answered, but not usefully (malformed, refused, missing Padu's tables)."""


class AlreadyApplied(Exception):
    """A keyed write found its key: it was applied before, so it does nothing now."""


NO_WRITE_KEYS = (
    "has no padu_tulisan table, which Padu's writes need (demo data seeded by an older Padu: "
    "run `padu seed` again)"
)


class Transport(ABC):
    """One engine's way to reach a source system: its pool's lifecycle and its calls."""

    kind: ClassVar[str]
    # Pause before the first retry of a read, doubled for each further one.
    retry_backoff: ClassVar[float] = 0.0

    def __init__(self, config: SourceConfig, target: str) -> None:
        self.config = config
        self.target = target

    @abstractmethod
    async def start(self) -> None:
        """Open the pool; a source that is down at start-up is retried on first use."""

    @abstractmethod
    async def stop(self) -> None:
        """Close the pool and every connection in it."""

    @abstractmethod
    async def ping(self) -> float:
        """One cheapest call to the source; its latency in milliseconds."""

    @abstractmethod
    def busy(self) -> bool:
        """Whether every connection the transport may open is open and in use."""

    @abstractmethod
    def in_use(self) -> int:
        """Connections (or requests, over HTTP) in use now; 0 before ``start``."""

    def started(self, handle: H | None) -> H:
        """``handle`` (a pool or client) once ``start`` has made it."""
        if handle is None:
            raise RuntimeError(f"source {self.config.name} is not started")
        return handle
