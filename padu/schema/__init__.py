"""The GraphQL schema: one module of types per domain, assembled here."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from padu.access.extension import AccessControl
from padu.compiled import CompiledExecutor
from padu.config import Config
from padu.limits import limit_extensions
from padu.schema.mutations import Mutation
from padu.schema.query import Query
from padu.schema.scalars import SCALARS
from padu.schema.subscription import Subscription
from padu.validation_cache import CachedValidation


class PaduSchema(strawberry.Schema):
    """The schema; errors are logged where they are formatted, once, with their request id."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(config: Config | None = None) -> PaduSchema:
    """The schema as served under ``config`` (limits, access control); bare without one."""
    if config is None:
        return PaduSchema(
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            config=StrawberryConfig(scalar_map=SCALARS),
        )
    production = not config.development
    executor = type("Executor", (CompiledExecutor,), {"mode": config.executor})
    return PaduSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=executor,
        config=StrawberryConfig(
            scalar_map=SCALARS,
            batching_config={"max_operations": config.limits.max_batch},
        ),
        extensions=[
            *limit_extensions(config, production=production),
            AccessControl,
            CachedValidation,  # last: it sees every rule the others added
        ],
    )


schema = build_schema()
