"""Relay-style connections with opaque keyset cursors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    # The page's first and last items (None for an empty page), sealed into cursors only
    # when a query asks for them: most never do.
    first: strawberry.Private[Any]
    last: strawberry.Private[Any]
    encode: strawberry.Private[Callable[[Any], str]]

    @strawberry.field
    def start_cursor(self) -> str | None:
        return None if self.first is None else self.encode(self.first)

    @strawberry.field
    def end_cursor(self) -> str | None:
        return None if self.last is None else self.encode(self.last)


def _edge_cursor(root: Edge[Any]) -> str:
    # Encoded only when asked for: most list queries never read an edge's cursor.
    return root.encode(root.node)


@strawberry.type
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        resolver=_edge_cursor, description="Opaque; pass as `after` to read on."
    )
    node: T
    encode: strawberry.Private[Callable[[T], str]]


@strawberry.type
class Connection(Generic[T]):
    items: strawberry.Private[list[T]]  # the page
    encode: strawberry.Private[Callable[[T], str]]

    position: strawberry.Private[PageInfo]
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def edges(self) -> list[Edge[T]]:
        # Made when a query asks for them (``nodes`` needs none).
        return [Edge(node=item, encode=self.encode) for item in self.items]

    @strawberry.field
    def page_info(self) -> PageInfo:
        return self.position

    @strawberry.field(description="Items in the whole list (all pages) under the same filter.")  # type: ignore[untyped-decorator]
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")  # type: ignore[untyped-decorator]
    def nodes(self) -> list[T]:
        return self.items
