"""``AccessControl``: every field passes the policy before it resolves, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLResolveInfo,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.extensions import SchemaExtension

from padu.access.gate import Forbidden, gate
from padu.access.policy import Decision, Viewer
from padu.principal import Role
from padu.tracing import operation as traced_operation

if TYPE_CHECKING:
    from padu.context import Context


# Per schema field, its arguments of an input object type (most fields have none).
_INPUT_ARGUMENTS: dict[int, tuple[tuple[str, GraphQLInputObjectType], ...]] = {}


def _input_arguments(field: GraphQLField) -> tuple[tuple[str, GraphQLInputObjectType], ...]:
    found = _INPUT_ARGUMENTS.get(id(field))
    if found is None:
        found = tuple(
            (name, kind)
            for name, argument in field.args.items()
            if isinstance(kind := get_named_type(argument.type), GraphQLInputObjectType)
        )
        _INPUT_ARGUMENTS[id(field)] = found
    return found


def check_inputs(viewer: Viewer, field: GraphQLField, arguments: Mapping[str, Any]) -> None:
    """Refuse input fields (filters) the viewer's role may not give, by the field policy.

    ``arguments`` are the field's coerced arguments; an input field given as null filters
    nothing, so only the ones with a value are checked, at any depth.
    """
    for name, kind in _input_arguments(field):
        _check_value(viewer, kind, arguments.get(name))


def _check_value(viewer: Viewer, kind: GraphQLInputType, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _check_value(viewer, kind, item)
        return
    if not isinstance(kind, GraphQLInputObjectType) or not isinstance(value, dict):
        return
    for name, given in value.items():
        if given is None:
            continue
        if gate(kind.name, name, kind.fields[name]).decisions[viewer.role] is not Decision.ALLOW:
            raise Forbidden(
                f"Your role ({viewer.role.value}) may not filter by {kind.name}.{name}; "
                "leave it out.",
                field=f"{kind.name}.{name}",
            )
        _check_value(viewer, get_named_type(kind.fields[name].type), given)


class AccessControl(SchemaExtension):
    """Denies, masks and audits each field through its ``FieldGate``, before its resolver runs.

    Queries run by the compiled executor (``padu.compiled``) pass the same gates from their
    plan; this hook serves the standard executor (mutations, and ``executor = "standard"``).
    """

    async def on_execute(self) -> AsyncIterator[None]:
        executing = self.execution_context
        traced_operation(executing.operation_name, executing.operation_type.value)
        await begin_operation(executing.context, executing.operation_name)
        yield

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        field, type_name = info.field_name, info.parent_type.name
        if field.startswith("__") or type_name.startswith("__"):  # __typename, introspection
            return _next(root, info, *args, **kwargs)
        context: Context = info.context
        definition = info.parent_type.fields[field]
        policy = gate(type_name, field, definition)
        decision = policy.decide(context.viewer, root)
        check_inputs(context.viewer, definition, kwargs)
        context.audit.read(policy, root)
        value = _next(root, info, *args, **kwargs)
        return policy.mask(value) if decision is Decision.MASK else value


async def begin_operation(context: Context, operation_name: str | None) -> None:
    """What an operation's context needs once it is valid, before anything executes."""
    context.operation_name = operation_name
    principal = context.viewer.principal
    if principal.role is Role.SUPERVISOR:
        # A supervisor's rights follow their unit in e-Kinerja: read once, after validation.
        context.viewer = Viewer(principal, await context.scopes.unit())


def require_subscription(context: Context, info: GraphQLResolveInfo[Any]) -> None:
    """Check a subscription's root field and its filters, which graphql-core subscribes to
    without running field middleware (this extension's ``resolve`` hook)."""
    field = info.field_name
    gate("Subscription", field).decide(context.viewer, None)
    definition = info.parent_type.fields[field]
    variables: Any = info.variable_values
    if isinstance(variables, dict):  # subscribe() hands resolvers the coerced values alone
        variables = VariableValues(sources={}, coerced=variables)
    arguments = get_argument_values(definition, info.field_nodes[0], variables)
    check_inputs(context.viewer, definition, arguments)
