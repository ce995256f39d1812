"""The GraphQL schema: one module of types per domain, assembled here."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from padu.schema.query import Query
from padu.schema.scalars import SCALARS


class PaduSchema(strawberry.Schema):
    """The schema; errors are logged where they are formatted, once, with their request id."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


schema = PaduSchema(query=Query, config=StrawberryConfig(scalar_map=SCALARS))
