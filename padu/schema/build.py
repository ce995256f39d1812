"""The GraphQL schema, assembled from the types of each domain and its resolvers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from padu.access.extension import AccessControl
from padu.compiled import CompiledExecutor
from padu.config import Config
from padu.declared.catalogue import declared_kinds
from padu.declared.graph import extend_schema
from padu.limits import limit_extensions
from padu.schema.federation import subgraph
from padu.schema.input_checks import input_checks
from padu.schema.mutations import Mutation
from padu.schema.node import without_type_checks
from padu.schema.query import Query
from padu.schema.scalars import SCALARS
from padu.schema.subscription import Subscription
from padu.validation_cache import CachedValidation


class PaduSchema(strawberry.Schema):
    """The schema; errors are logged where they are formatted, once, with their request id."""

    subgraph_sdl: str | None = None  # serving one subgraph (padu.schema.federation): its SDL

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """As Strawberry's, but never a subscription: those are streamed by ``subscribe``.

        Strawberry lets a POST run a subscription as if it were a query, which fails inside
        the resolver; refused here, it is Strawberry's InvalidOperationTypeError (a 400).
        """
        given = allowed_operation_types
        allowed = set(DEFAULT_ALLOWED_OPERATION_TYPES if given is None else given)
        allowed.discard(OperationType.SUBSCRIPTION)
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed,
            operation_extensions,
        )


def build_schema(
    config: Config | None = None, kinds: Mapping[tuple[str, str], str] | None = None
) -> PaduSchema:
    """The schema as served under ``config`` (limits, access control); bare without one.

    The declared applications' types join it when their fields' types are known: ``kinds``,
    read from the sources' catalogues (``padu.declared.catalogue``), or all declared.
    """
    if config is None:
        bare = PaduSchema(
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            config=StrawberryConfig(scalar_map=SCALARS),
        )
        without_type_checks(bare._schema)
        return bare
    production = not config.development
    executor = type("Executor", (CompiledExecutor,), {"mode": config.executor})
    built = PaduSchema(
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
            CachedValidation,  # after those adding rules: it sees every rule they added
            input_checks(config.limits.max_string_chars),  # after: it checks a valid document
        ],
    )
    without_type_checks(built._schema)
    if config.applications:
        known = kinds if kinds is not None else declared_kinds(config.applications)
        if known is None:
            raise ValueError("the declared fields' types are read from the sources first")
        extend_schema(built._schema, config.applications, known)
    if config.federation.subgraph is not None:
        # One system's part of the schema, as a Federation v2 subgraph: the same types,
        # resolvers, extensions and executor, cut down, with `_entities` and `_service`.
        part = subgraph(built._schema, config.federation.subgraph, config.applications)
        built._schema = part.schema
        built.subgraph_sdl = part.sdl
    return built


schema = build_schema()
