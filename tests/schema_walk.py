"""Helpers for tests that walk the schema: literal arguments a generated query can pass."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLNonNull, Undefined, get_named_type


def literal_arguments(field: Any, first: int) -> str | None:
    """``field``'s arguments as literals: pages of ``first``, required ones filled in (the year
    2026, an enum's first value); None when a required one cannot be filled."""
    parts = []
    for name, argument in field.args.items():
        kind = argument.type
        if name == "first":
            parts.append(f"first: {first}")
        elif not isinstance(kind, GraphQLNonNull) or argument.default_value is not Undefined:
            continue
        elif name == "year":
            parts.append("year: 2026")
        elif isinstance(get_named_type(kind), GraphQLEnumType):
            parts.append(f"{name}: {next(iter(get_named_type(kind).values))}")
        else:
            return None
    return f"({', '.join(parts)})" if parts else ""
