"""A bounded least-recently-used map, for the per-document caches (validation, plans)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """Keeps the ``size`` most recently used entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def recall(self, key: K) -> V:
        """The entry (marked as just used); KeyError when absent."""
        value = self._entries[key]
        self._entries.move_to_end(key)
        return value

    def remember(self, key: K, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def items(self) -> list[tuple[K, V]]:
        return list(self._entries.items())
