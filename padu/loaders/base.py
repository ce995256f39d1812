"""Shapes shared by Padu's DataLoaders: by key, many by key, and a page per parent."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from aiodataloader import DataLoader

from padu.sources.base import Ranked
from padu.tracing import traced_batches

if TYPE_CHECKING:
    from padu.access.scopes import Scopes

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
A = TypeVar("A", bound=Hashable)


class SourceLoader:
    """A loader bound to the source adapter it batches calls to (declared by each subclass).

    ``source_name`` names that source among the configured ones; ``scopes`` are the caller's
    row scopes, passed into the source queries that need them.
    """

    source: Any
    source_name: ClassVar[str]

    def __init__(self, source: Any, scopes: Scopes) -> None:
        super().__init__()
        self.source = source
        self.scopes = scopes
        self.batch_load_fn = traced_batches(type(self).__name__, self.batch_load_fn)  # type: ignore[has-type]


class ByKeyLoader(SourceLoader, DataLoader[K, V | None], Generic[K, V]):
    """Loads one object per key; a key with no object gives None."""

    async def fetch(self, keys: Sequence[K]) -> Sequence[V]:
        raise NotImplementedError

    def key_of(self, item: V) -> K:
        raise NotImplementedError

    async def batch_load_fn(self, keys: list[K]) -> list[V | None]:
        found = {self.key_of(item): item for item in await self.fetch(keys)}
        return [found.get(key) for key in keys]


class ManyByKeyLoader(SourceLoader, DataLoader[K, list[V]], Generic[K, V]):
    """Loads a list per key (in the order the source returns them); a miss gives []."""

    async def fetch(self, keys: Sequence[K]) -> Sequence[tuple[K, V]]:
        raise NotImplementedError

    async def batch_load_fn(self, keys: list[K]) -> list[list[V]]:
        grouped: dict[K, list[V]] = {key: [] for key in keys}
        for key, item in await self.fetch(keys):
            grouped.setdefault(key, []).append(item)
        return [grouped[key] for key in keys]


@dataclass(frozen=True, slots=True)
class Page(Generic[V]):
    """Up to ``limit`` items of one parent's list, and how many the parent has in all."""

    items: list[V]
    total: int


class PageByParentLoader(SourceLoader, DataLoader[tuple[K, A], Page[V]], Generic[K, A, V]):
    """One page of a list per parent; parents asking with the same arguments share one fetch.

    Keys are ``(parent, arguments)``; the arguments (page size, cursor, filters) are one
    hashable value, so the usual query (same field everywhere) costs one round trip.
    """

    async def fetch(self, parents: Sequence[K], arguments: A) -> Sequence[Ranked[V]]:
        raise NotImplementedError

    def parent_of(self, item: V) -> K:
        raise NotImplementedError

    async def batch_load_fn(self, keys: list[tuple[K, A]]) -> list[Page[V]]:
        groups: dict[A, list[K]] = {}
        for parent, arguments in keys:
            groups.setdefault(arguments, []).append(parent)
        fetched: list[Any] = await asyncio.gather(
            *(self.fetch(list(dict.fromkeys(parents)), args) for args, parents in groups.items())
        )
        pages: dict[tuple[K, A], Page[V]] = {}
        for arguments, rows in zip(groups, fetched, strict=True):
            for row in rows:
                page = pages.setdefault((self.parent_of(row.item), arguments), Page([], row.total))
                if row.in_page:
                    page.items.append(row.item)
        return [pages.get(key, Page([], 0)) for key in keys]
