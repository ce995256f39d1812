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
    start_cursor: str | None
    end_cursor: str | None


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
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Items in the whole list (all pages) under the same filter.")  # type: ignore[untyped-decorator]
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")  # type: ignore[untyped-decorator]
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
