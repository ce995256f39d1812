"""``AccessControl``: every field passes the policy before it resolves, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from padu.access.policy import Decision, Viewer, decide, mask_identifier
from padu.errors import PaduError
from padu.principal import Role

if TYPE_CHECKING:
    from padu.context import Context


class Forbidden(PaduError):
    """The caller's role may not read this field; the field is null."""

    code = "FORBIDDEN"


def forbidden(viewer: Viewer, type_name: str, field: str) -> Forbidden:
    """The error for a field the viewer's role may not read."""
    return Forbidden(
        f"Your role ({viewer.role.value}) may not read {type_name}.{field}.",
        field=f"{type_name}.{field}",
    )


def masked(value: Any) -> Any:
    """A masked identifier; other values (null) pass through."""
    return mask_identifier(value) if isinstance(value, str) else value


async def mask_later(value: Awaitable[Any]) -> Any:
    return masked(await value)


class AccessControl(SchemaExtension):
    """Denies, masks and audits each field by the policy table, before its resolver runs.

    Queries run by the compiled executor (``padu.compiled``) apply the same decisions from
    their plan; this hook serves the standard executor (mutations, and ``executor = "standard"``).
    """

    async def on_execute(self) -> AsyncIterator[None]:
        context: Context = self.execution_context.context
        context.operation_name = self.execution_context.operation_name
        principal = context.viewer.principal
        if principal.role is Role.SUPERVISOR:
            # A supervisor's rights follow their unit in e-Kinerja: read once, after validation.
            context.viewer = Viewer(principal, await context.scopes.unit())
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
        decision = decide(context.viewer, type_name, field, root)
        if decision is Decision.DENY:
            raise forbidden(context.viewer, type_name, field)
        context.audit.read(type_name, field, root)
        value = _next(root, info, *args, **kwargs)
        if decision is Decision.MASK:
            return mask_later(value) if isawaitable(value) else masked(value)
        return value


def require_subscription(context: Context, field: str) -> None:
    """Check a subscription's root field, which graphql-core subscribes to without running
    field middleware (this extension's ``resolve`` hook)."""
    type_name = "Subscription"
    if decide(context.viewer, type_name, field, None) is not Decision.ALLOW:
        raise forbidden(context.viewer, type_name, field)
