"""Prepared queries: a query whose document passed validation once skips the general path.

The general request path (Strawberry's view, its schema extensions' hooks, a validation pass
for the per-request rules) cost more CPU than running a compiled query itself. A query (POSTed
as JSON, or a GET) whose text has passed the spec's validation before
(``padu.validation_cache``) is answered here instead, its text as sent or found by its hash
(``padu.persisted``), doing what the general path would do with the same functions:

- the variables are coerced as execution coerces them, and checked (``InputChecks``);
- the limits (depth, aliases, and the cost from the coerced variables) are measured;
- the operation begins as ``AccessControl`` begins it (its name; a supervisor's unit), and
  runs on the schema's executor (the compiled one) with ``AccessControl`` as middleware;
- the answer goes through the view's ``process_result`` (the audit entry first, errors with
  Padu's codes, the trace) and ``create_response``.

Everything else is left to the general path, which answers it, and its errors, as always:
another method or content type, a batch, request extensions other than ``persistedQuery``, a
persisted query the store refuses (unknown, not trusted, a wrong hash), a mutation or
subscription, a document not yet seen valid, variables that do not coerce or pass the
input checks, limits that refuse, and an operation whose start fails.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import orjson
from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
)
from graphql.execution import MiddlewareManager
from graphql.execution.values import VariableValues, get_variable_values
from starlette.requests import Request
from starlette.responses import Response
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult

from padu.access.extension import AccessControl, begin_operation
from padu.cost import Sizes
from padu.limits import limit_refusals, without_suggestion
from padu.persisted import PersistedRefusal
from padu.schema.input_checks import variable_refusals
from padu.tracing import operation as traced_operation
from padu.validation_cache import valid_document

if TYPE_CHECKING:
    from padu.view import PaduGraphQL

_KEYS = frozenset({"query", "variables", "operationName", "extensions"})
_JSON_PARAMETERS = ("variables", "extensions")  # GET's parameters holding JSON


async def _operation(request: Request) -> dict[str, Any] | None:
    """The request object of a POST of JSON, or of a GET's parameters (as Strawberry reads
    them); None for anything else."""
    if request.method == "GET":
        operation: dict[str, Any] = dict(request.query_params)
        if "query" not in operation and "extensions" not in operation:
            return None  # the playground, or a refusal the general path words
        for key in _JSON_PARAMETERS:
            if key in operation:
                try:
                    operation[key] = orjson.loads(operation[key])
                except orjson.JSONDecodeError:
                    return None
        return operation
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if request.method != "POST" or media_type != "application/json":
        return None
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


def _operation_name(document: Any, given: str | None) -> str | None:
    """The name Strawberry gives the operation: the one asked for, else the first one's."""
    if given is not None:
        return given
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else None
    return None


class PreparedQueries:
    """Answers queries of documents validated before; None leaves a request to the view."""

    def __init__(self, view: PaduGraphQL) -> None:
        self.view = view
        self.schema = view.schema
        self.core: GraphQLSchema = view.schema._schema  # type: ignore[attr-defined]
        self.limits = view.config.limits
        self.sizes = Sizes.of(view.config)
        self.production = not view.config.development
        self.executor = getattr(view.schema, "execution_context_class", None)
        self.answered = 0  # requests answered here (for tests and diagnostics)

    async def answer(self, request: Request) -> Response | None:
        body = await _operation(request)
        if body is None or not body.keys() <= _KEYS:
            return None
        query, variables, name = body.get("query"), body.get("variables"), body.get("operationName")
        extensions = body.get("extensions") or None
        if not isinstance(query, str | None) or not isinstance(extensions, dict | None):
            return None
        if extensions is not None and extensions.keys() != {"persistedQuery"}:
            return None
        if not isinstance(variables, dict | None) or not isinstance(name, str | None):
            return None
        try:
            query = self.view.persisted.query(query, extensions)
        except PersistedRefusal:
            return None
        if query is None:
            return None
        document = valid_document(self.schema, query)
        if document is None:
            return None
        operation = get_operation_ast(document, name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        given: dict[str, Any] = variables or {}
        if not self._admitted(document, operation, given, name):
            return None
        view = self.view
        sub_response = await view.get_sub_response(request)
        context = await view.get_context(request, sub_response)
        operation_name = _operation_name(document, name)
        traced_operation(operation_name, "query")
        try:
            await begin_operation(context, operation_name)
        except Exception:  # the general path reports it as it always has
            return None
        executed = execute(
            self.core,
            document,
            context_value=context,
            variable_values=given,
            operation_name=name,
            middleware=MiddlewareManager(AccessControl()),
            executor_class=self.executor,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            operation_extensions=None,
        )
        result = await executed if isinstance(executed, Awaitable) else executed
        errors: list[GraphQLError] | None = result.errors
        if errors and self.production:
            errors = [without_suggestion(error) for error in errors]
        answer = ExecutionResult(data=result.data, errors=errors)
        response_data = await view.process_result(request, answer)
        self.answered += 1
        return view.create_response(response_data, sub_response)

    def _admitted(
        self,
        document: Any,
        operation: OperationDefinitionNode,
        given: dict[str, Any],
        name: str | None,
    ) -> bool:
        """Whether the general path would execute the operation with these variables."""
        coerced = get_variable_values(self.core, operation.variable_definitions or (), given)
        if not isinstance(coerced, VariableValues):
            return False
        if variable_refusals(self.core, operation, given, self.limits.max_string_chars):
            return False
        return not limit_refusals(self.core, document, self.limits, self.sizes, given, name)
