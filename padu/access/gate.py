"""``FieldGate``: the field policy applied to one field, the same for both executors.

Every field passes its gate before it resolves: ``decide`` (a denied field raises
``Forbidden``), ``AuditTrail.read`` with the gate (a resident's personal data is logged), and
``mask`` on the value where the decision is MASK. ``AccessControl`` calls it for the standard
executor, ``padu.compiled`` from its plans; what is static per role is computed once per gate."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from strawberry.execution.is_awaitable import optimized_is_awaitable as isawaitable

from padu.access.audit import audited_by
from padu.access.policy import Decision, Viewer, decide, mask_identifier, role_decision
from padu.errors import PaduError
from padu.principal import Role


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


class FieldGate:
    """The policy of one schema field: its decision per role, audit attribute and label."""

    __slots__ = ("audited", "decisions", "field", "label", "type_name")

    def __init__(self, type_name: str, field: str) -> None:
        self.type_name = type_name
        self.field = field
        self.label = f"{type_name}.{field}"
        # The attribute naming the resident whose personal data this field is, if any.
        self.audited = audited_by(type_name, field)
        # None where the object decides (e.g. an officer's own work).
        self.decisions: dict[Role, Decision | None] = {
            role: role_decision(role, type_name, field) for role in Role
        }

    def decide(self, viewer: Viewer, root: Any) -> Decision:
        """ALLOW or MASK for this field of ``root``; raises ``Forbidden`` when denied."""
        decision = self.decisions[viewer.role]
        if decision is None:
            decision = decide(viewer, self.type_name, self.field, root)
        if decision is Decision.DENY:
            raise forbidden(viewer, self.type_name, self.field)
        return decision

    @staticmethod
    def mask(value: Any) -> Any:
        """The value as a MASK decision lets the caller see it (maybe once awaited)."""
        return mask_later(value) if isawaitable(value) else masked(value)


class DeclaredGate(FieldGate):
    """The gate of a field whose policy its declaration gives (``padu.declared``)."""

    __slots__ = ()

    def __init__(
        self, type_name: str, field: str, decisions: dict[Role, Decision], audited: str | None
    ) -> None:
        self.type_name, self.field = type_name, field
        self.label = f"{type_name}.{field}"
        self.audited = audited
        self.decisions = dict(decisions)


_GATES: dict[tuple[str, str], FieldGate] = {}
GATE_EXTENSION = "padu_gate"  # where a declared schema field carries its own gate


def gate(type_name: str, field: str, definition: Any = None) -> FieldGate:
    """The gate of ``type_name.field``: the one its ``definition`` carries (a declared field),
    else the policy table's, made on first use (the core schema's fields are fixed)."""
    carried = (getattr(definition, "extensions", None) or {}).get(GATE_EXTENSION)
    if carried is not None:
        return carried  # type: ignore[no-any-return]
    key = (type_name, field)
    found = _GATES.get(key)
    if found is None:
        found = _GATES[key] = FieldGate(type_name, field)
    return found
