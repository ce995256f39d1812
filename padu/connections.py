"""How many WebSocket connections each caller holds open, so that one caller cannot hold them all.

A connection counts against its client address until it signs in, and against the token's
role and subject from then on (``Principal.caller``); an anonymous one stays counted by
address. The count is per process: with several workers a caller may hold up to the cap in
each.
"""

from __future__ import annotations

from collections import Counter


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
