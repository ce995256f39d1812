"""How many WebSocket connections each caller holds open, so that one caller cannot hold them all.

A connection counts against its client address until it signs in, and against the token's
subject from then on; an anonymous one stays counted by address. The count is per process:
with several workers a caller may hold up to the cap in each.
"""

from __future__ import annotations

from collections import Counter

from padu.principal import Principal


def caller_by_address(host: str | None) -> str:
    """The key a connection counts under before it signs in (or when anonymous)."""
    return f"address:{host or 'unknown'}"


def caller_of(principal: Principal, host: str | None) -> str:
    """The key a signed-in connection counts under: the token's subject."""
    if principal.anonymous or principal.subject is None:
        return caller_by_address(host)
    return f"subject:{principal.subject}"


class OpenConnections:
    """Open WebSocket connections per caller, at most ``cap`` each."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._open: Counter[str] = Counter()

    def take(self, caller: str) -> bool:
        """Count one more connection of ``caller``; False (and nothing counted) at the cap."""
        if self._open[caller] >= self.cap:
            return False
        self._open[caller] += 1
        return True

    def release(self, caller: str) -> None:
        """Count one connection of ``caller`` fewer."""
        self._open[caller] -= 1
        if self._open[caller] <= 0:
            del self._open[caller]

    def open(self, caller: str) -> int:
        """How many connections ``caller`` has open."""
        return self._open[caller]
