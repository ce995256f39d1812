"""Compiled execution: a query is planned once per document, then objects map to the response.

The standard GraphQL executor does the same work for every field of every object on every
request: find the field definition, build a resolve-info, wrap the resolver in each
extension's hook, then walk the return type to complete the value. For a list of 50 residents
with 6 fields that is 300 times, and it was over half of the request's CPU time.

Here the first request for a query text builds a plan: for every selection, the fields by
response key with their definitions, how to read each one (a plain attribute, or its
resolver), how to complete its type, and whether the policy and the audit log need to see
it. Later requests only walk the plan over the objects the sources returned. The plan is
built with graphql-core's own field collection, so fragments, aliases, ``@skip`` and
``@include`` mean exactly what they mean to the standard executor; errors are located,
propagated through non-null types and collected the same way, and every field passes the
same ``FieldGate`` as under ``AccessControl`` (``padu.access.gate``): decision, audit, mask.

Only queries are compiled; mutations, subscriptions, introspection and anything the plan
does not cover (abstract types, unknown middleware) run on the standard executor. With
``executor = "verify"`` every compiled query also runs on the standard executor and any
difference is logged (the test suite runs this way).
"""

from __future__ import annotations

import logging
from asyncio import ensure_future
from collections.abc import Awaitable
from enum import Enum
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    OperationType,
    Undefined,
    located_error,
)
from graphql.execution import ExecutionResult
from graphql.execution.executor import CollectedErrors
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel
from strawberry.execution.is_awaitable import optimized_is_awaitable as isawaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from padu.access.extension import AccessControl, check_inputs
from padu.access.gate import FieldGate
from padu.access.policy import Decision
from padu.compiled_plan import (
    _PLANS,
    PLAIN_VALUES,
    Completion,
    FieldPlan,
    Selection,
    leaf,
    plan_for,
)
from padu.sources.trace import SourceTrace, current_trace

if TYPE_CHECKING:
    from padu.context import Context

log = logging.getLogger("padu.compiled")


class Run:
    """One request's walk of a plan: its context, viewer, audit trail and errors."""

    def __init__(self, executor: CompiledExecutor) -> None:
        self.executor = executor
        context: Context = executor.context_value
        self.context = context
        self.viewer = context.viewer
        self.role = context.viewer.role
        self.audit = context.audit
        self.errors = CollectedErrors()
        self.arguments: dict[int, dict[str, Any] | Exception] = {}
        self.converted: dict[int, dict[str, Any] | Exception] = {}

    # -- fields ---------------------------------------------------------------------------

    def selection(self, selection: Selection, source: Any, path: Path | None) -> Any:
        """The response object of ``source``, or an awaitable of it."""
        results: dict[str, Any] = {}
        pending: list[str] = []
        steps, marks = selection.steps(self.role)
        for resident, labels in marks:  # audited before any field is read, as one by one
            self.audit.read_all(getattr(source, resident), labels)
        try:
            for key, attribute, coerce, audited, plan in steps:
                if attribute is not None:
                    # The common case, inline: an allowed attribute holding a scalar.
                    value = getattr(source, attribute)
                    if type(value) in PLAIN_VALUES or isinstance(value, Enum):
                        if audited is not None:
                            self.audit.read(audited, source)
                        try:
                            results[key] = coerce(value)
                        except Exception as raw:
                            self.fail(raw, plan.completion, plan, Path(path, key, plan.parent.name))
                            results[key] = None
                        continue
                value = self.field(plan, source, path)
                results[key] = value
                if isawaitable(value):
                    pending.append(key)
        except Exception:
            settle([results[key] for key in pending])
            raise
        if not pending:
            return results

        async def gather() -> dict[str, Any]:
            if len(pending) == 1:
                results[pending[0]] = await results[pending[0]]
            else:
                values = await gather_with_cancel(*(results[key] for key in pending))
                results.update(zip(pending, values, strict=True))
            return results

        return gather()

    def field(self, plan: FieldPlan, source: Any, path: Path | None) -> Any:
        """The completed value of one field of ``source`` (or an awaitable of it)."""
        try:
            gate = plan.gate
            if gate is None:
                result: Any = plan.parent.name  # __typename
            else:
                decision = gate.decisions[self.role]
                if decision is None or decision is Decision.DENY:  # the object decides, or denied
                    decision = gate.decide(self.viewer, source)
                if plan.attribute is not None:
                    if plan.audited:
                        self.audit.read(gate, source)
                    result = getattr(source, plan.attribute)
                elif plan.computed is not None and not plan.audited:
                    result = plan.computed(source, self.context)
                else:
                    result = self.call(plan, gate, source, Path(path, plan.key, plan.parent.name))
                if decision is Decision.MASK:
                    result = gate.mask(result)
            if isawaitable(result):
                return self.later(plan, result, path)
            completion = plan.completion
            if (
                completion.leaf is not None
                and result is not None
                and not isinstance(result, Exception)
            ):  # the common case: a scalar
                return leaf(completion.leaf, result)
            completed = self.complete(completion, plan, result, path, plan.key)
            if isawaitable(completed):
                return self.completed_later(plan, completed, path)
            return completed
        except Exception as raw:
            self.fail(raw, plan.completion, plan, Path(path, plan.key, plan.parent.name))
            return None

    def call(self, plan: FieldPlan, gate: FieldGate, source: Any, path: Path) -> Any:
        """A field's own resolver, with its arguments coerced and checked once per request."""
        arguments = self.arguments.get(id(plan))
        if arguments is None:
            try:
                arguments = get_argument_values(
                    plan.definition,
                    plan.nodes[0],
                    self.executor.variable_values,
                    None,
                    self.executor.hide_suggestions,
                )
                check_inputs(self.viewer, plan.definition, arguments)
            except Exception as error:
                arguments = error
            self.arguments[id(plan)] = arguments
        if isinstance(arguments, Exception):
            raise arguments
        self.audit.read(gate, source)  # as AccessControl: after the inputs pass
        info = self.executor.build_resolve_info(plan.definition, plan.nodes, plan.parent, path)
        if plan.direct is not None:
            return self.direct(plan, plan.direct, source, info, arguments)
        assert plan.resolve is not None
        return plan.resolve(source, info, **arguments)

    def direct(
        self,
        plan: FieldPlan,
        field: StrawberryField,
        source: Any,
        raw_info: GraphQLResolveInfo[Any],
        arguments: dict[str, Any],
    ) -> Any:
        """What Strawberry's wrapper does for a field with nothing around its resolver, with
        the arguments converted once per request (they are the same for every object): the
        converted arguments, then root, parent, self and info as the resolver asks for them."""
        strawberry_schema = self.executor.schema._strawberry_schema  # type: ignore[attr-defined]
        info = strawberry_schema.config.info_class(_raw_info=raw_info, _field=field)
        converted = self.converted.get(id(plan))
        if converted is None:
            try:
                converted = convert_arguments(
                    arguments,
                    field.arguments,
                    scalar_registry=strawberry_schema.schema_converter.scalar_registry,
                    config=strawberry_schema.config,
                    info=info,
                )
            except Exception as error:
                converted = error
            self.converted[id(plan)] = converted
        if isinstance(converted, Exception):
            raise converted
        kwargs = dict(converted)
        resolver = field.base_resolver
        assert resolver is not None
        args = [source] if resolver.self_parameter else []
        if resolver.parent_parameter:
            kwargs[resolver.parent_parameter.name] = source
        if resolver.root_parameter:
            kwargs[resolver.root_parameter.name] = source
        if resolver.info_parameter:
            kwargs[resolver.info_parameter.name] = info
        return field.get_result(source, info=info, args=args, kwargs=kwargs)

    async def later(self, plan: FieldPlan, result: Awaitable[Any], path: Path | None) -> Any:
        field_path = Path(path, plan.key, plan.parent.name)
        try:
            completed = self.complete(plan.completion, plan, await result, path, plan.key)
            if isawaitable(completed):
                completed = await completed
        except Exception as raw:
            self.fail(raw, plan.completion, plan, field_path)
            return None
        return completed

    async def completed_later(
        self, plan: FieldPlan, completed: Awaitable[Any], path: Path | None
    ) -> Any:
        try:
            return await completed
        except Exception as raw:
            self.fail(raw, plan.completion, plan, Path(path, plan.key, plan.parent.name))
            return None

    # -- values ---------------------------------------------------------------------------

    def complete(
        self,
        completion: Completion,
        plan: FieldPlan,
        result: Any,
        parent: Path | None,
        key: str | int,
    ) -> Any:
        """Complete ``result`` as ``completion`` says, at ``parent`` + ``key``."""
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if completion.non_null:
                raise TypeError(
                    f"Cannot return null for non-nullable field {plan.parent.name}.{plan.name}."
                )
            return None
        if completion.leaf is not None:
            return completion.coerce(result)
        path = Path(parent, key, plan.parent.name if isinstance(key, str) else None)
        if completion.item is not None:
            return self.complete_list(completion.item, plan, result, path)
        assert completion.selection is not None
        return self.selection(completion.selection, result, path)

    def complete_list(self, item: Completion, plan: FieldPlan, items: Any, path: Path) -> Any:
        if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
            raise GraphQLError(
                "Expected Iterable, but did not find one for field"
                f" '{plan.parent.name}.{plan.name}'."
            )
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, value in enumerate(items):
                try:
                    if isawaitable(value):
                        completed.append(self.item_later(item, plan, value, path, index))
                        pending.append(index)
                        continue
                    done = self.complete(item, plan, value, path, index)
                    if isawaitable(done):
                        completed.append(self.item_completed_later(item, plan, done, path, index))
                        pending.append(index)
                    else:
                        completed.append(done)
                except Exception as raw:
                    self.fail(raw, item, plan, path.add_key(index, None))
                    completed.append(None)
        except Exception:
            settle([completed[index] for index in pending])
            raise
        if not pending:
            return completed

        async def gather() -> list[Any]:
            if len(pending) == 1:
                completed[pending[0]] = await completed[pending[0]]
            else:
                values = await gather_with_cancel(*(completed[index] for index in pending))
                for index, value in zip(pending, values, strict=True):
                    completed[index] = value
            return completed

        return gather()

    async def item_later(
        self, item: Completion, plan: FieldPlan, value: Awaitable[Any], path: Path, index: int
    ) -> Any:
        try:
            done = self.complete(item, plan, await value, path, index)
            if isawaitable(done):
                done = await done
        except Exception as raw:
            self.fail(raw, item, plan, path.add_key(index, None))
            return None
        return done

    async def item_completed_later(
        self, item: Completion, plan: FieldPlan, done: Awaitable[Any], path: Path, index: int
    ) -> Any:
        try:
            return await done
        except Exception as raw:
            self.fail(raw, item, plan, path.add_key(index, None))
            return None

    def fail(self, raw: Exception, completion: Completion, plan: FieldPlan, path: Path) -> None:
        """Locate the error; raise it on through a non-null type, else collect it."""
        error = located_error(raw, plan.nodes, path.as_list())
        if completion.non_null:
            raise error
        self.errors.add(error, path)


def settle(awaitables: list[Any]) -> None:
    """Let awaitables left behind by a propagating error finish, their results dropped."""
    for awaitable in awaitables:
        if isawaitable(awaitable):
            ensure_future(awaitable).add_done_callback(
                lambda done: done.cancelled() or done.exception()
            )


MISMATCHES: list[dict[str, Any]] = []  # verify mode: what differed, for the test suite


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, with queries run from a cached plan (``mode`` picks)."""

    mode = "compiled"  # "compiled", "standard" or "verify"; set by build_schema

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self.operation.operation is not OperationType.QUERY or self.mode == "standard":
            return super().execute_operation(serially)
        if not self._only_access_control():
            return super().execute_operation(serially)
        plan = plan_for(self)
        if plan is None:
            return super().execute_operation(serially)
        compiled = self._run(plan)
        if self.mode == "verify":
            return self._verify(compiled)
        return compiled

    def _only_access_control(self) -> bool:
        """The plan applies AccessControl itself; any other field hook needs the standard path."""
        manager = self.middleware_manager
        if manager is None:
            return True
        return all(isinstance(m, AccessControl) for m in manager.middlewares)

    async def _run(self, plan: Selection) -> ExecutionResult:
        run = Run(self)
        try:
            data = run.selection(plan, self.root_value, None)
            if isawaitable(data):
                data = await data
        except GraphQLError as error:
            run.errors.add(error, None)
            data = None
        return ExecutionResult(data, run.errors.errors or None)

    async def _verify(self, compiled: Awaitable[ExecutionResult]) -> ExecutionResult:
        result = await compiled
        if any(code_of(error).startswith("SOURCE_") for error in result.errors or ()):
            # A source failing is the world's state, not the executor's; a second pass
            # would only count against that source's circuit breaker.
            return result
        token = current_trace.set(SourceTrace())  # the second pass is not the request's cost
        try:
            standard: Any = super().execute_operation()
            if isawaitable(standard):
                standard = await standard
        finally:
            current_trace.reset(token)
        ours, theirs = comparable(result), comparable(standard)
        if ours != theirs:
            text = self.operation.loc.source.body if self.operation.loc else "?"
            MISMATCHES.append({"query": text, "compiled": ours, "standard": theirs})
            log.warning("compiled and standard execution differ for %r", text[:200])
        return result


def code_of(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code", ""))


def comparable(result: Any) -> dict[str, Any]:
    """A result as its response, with errors in a stable order (concurrency may reorder them)."""
    formatted = dict(result.formatted)
    if "errors" in formatted:
        formatted["errors"] = sorted(formatted["errors"], key=repr)
    return formatted


def is_compiled(text: str) -> bool:
    """Whether some operation of ``text`` ran from a plan (for tests and diagnostics)."""
    return any(key[1] == text and plan is not None for key, plan in _PLANS.items())
