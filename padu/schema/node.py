"""Relay's ``Node``: every entity has a global, opaque id, and ``node(id:)`` finds it again.

An entity's ``id`` is its key sealed with the server secret together with its type's name
(``padu.resolvers.entities``): stable, opaque (it reveals no NIK or NIP) and unforgeable, so a
client cache (Apollo Client, Relay) normalises on it and refetches with ``node``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema

from padu.resolvers.entities import TYPE_OF_RECORD


def without_type_checks(schema: GraphQLSchema) -> None:
    """Strawberry gives each type implementing an interface an ``is_type_of`` that wants an
    instance of its class; Padu's entities are source records, and ``Node.resolve_type`` names
    their type wherever it is abstract. Without the check, graphql-core and the compiled
    executor (which refuses a type with one) complete them as any other object."""
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType) and type_.interfaces:
            type_.is_type_of = None


@strawberry.interface(
    description="An entity with a global id: `node(id:)` finds it again, with the same rules "
    "(what you may not see is null, like a missing one)."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque and stable; reveals nothing (no NIK or NIP)."
    )

    @classmethod
    def resolve_type(cls, obj: Any, info: Any, type_: Any) -> str | None:
        """Entities are served as source records: their type is their record's."""
        return TYPE_OF_RECORD.get(type(obj))
