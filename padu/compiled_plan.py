"""The plan of a compiled query: built once per document, walked by ``padu.compiled``.

For every selection: the fields by response key with their definitions, how to read each one
(a plain attribute, or its resolver, called by the plan itself when nothing is around it),
how to complete its type, and what the policy and the audit log need to see. Plans are kept
per schema, text, operation and the variables ``@skip`` and ``@include`` read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from graphql import (
    DirectiveNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    VariableNode,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.language import Visitor
from graphql.pyutils import inspect
from graphql.type import TypeNameMetaFieldDef
from strawberry.types.field import StrawberryField

from padu.access.gate import FieldGate, gate
from padu.access.policy import Decision
from padu.lru import Lru
from padu.principal import Role

if TYPE_CHECKING:
    from padu.compiled import CompiledExecutor

log = logging.getLogger("padu.compiled")


MAX_PLANS = 512
_STRINGS = (GraphQLString, GraphQLID)
# Values that are certainly not awaitable, for the inline path.
PLAIN_VALUES = frozenset({str, int, float, bool, date, datetime, Decimal})
STRAWBERRY_FIELD = "strawberry-definition"


class NotCompilable(Exception):
    """The operation uses something the plan does not cover; the standard executor runs it."""


class Completion:
    """How to complete a value of one output type: leaf, list or object, maybe non-null."""

    __slots__ = ("coerce", "item", "leaf", "non_null", "selection", "type")

    def __init__(self, type_: GraphQLOutputType) -> None:
        self.non_null = isinstance(type_, GraphQLNonNull)
        self.type = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        self.leaf: GraphQLLeafType | None = None
        self.coerce: Callable[[Any], Any] = _unset
        self.item: Completion | None = None
        self.selection: Selection | None = None


class FieldPlan:
    """One response key of one selection: the field, how to read it and how to complete it."""

    __slots__ = (
        "attribute",
        "audited",
        "completion",
        "computed",
        "definition",
        "direct",
        "gate",
        "key",
        "name",
        "nodes",
        "parent",
        "resolve",
        "simple",
        "typename",
    )

    def __init__(
        self,
        key: str,
        parent: GraphQLObjectType,
        details: list[FieldDetails],
        definition: GraphQLField,
    ) -> None:
        self.key = key
        self.parent = parent
        self.nodes = [detail.node for detail in details]
        self.name = self.nodes[0].name.value
        self.definition = definition
        self.typename = definition is TypeNameMetaFieldDef
        strawberry_field = definition.extensions.get(STRAWBERRY_FIELD)
        resolve = definition.resolve
        # A plain attribute: Strawberry's own resolver would only getattr it.
        self.attribute: str | None = (
            strawberry_field.python_name
            if getattr(resolve, "_is_default", False) and strawberry_field is not None
            else None
        )
        self.resolve: Callable[..., Any] | None = resolve
        # The Strawberry field whose resolver the walk calls itself (see Run.direct), if any.
        self.direct: StrawberryField | None = None
        # A value computed from the object and the request's context alone (a resolver that
        # names one as `padu_computed`, like an entity's global id): no resolve info is built.
        base = getattr(strawberry_field, "base_resolver", None)
        self.computed: Callable[[Any, Any], Any] | None = getattr(
            getattr(base, "wrapped_func", None), "padu_computed", None
        )
        self.completion: Completion = Completion(definition.type)
        # Every field but __typename passes its gate (introspection is not compiled).
        field_gate = None if self.typename else gate(parent.name, self.name, definition)
        self.gate: FieldGate | None = field_gate
        # Whether reading the field is audited: the audit call is skipped for the others.
        self.audited = field_gate is not None and field_gate.audited is not None
        # Roles for which this field is a plain attribute read as it is: most fields.
        self.simple: frozenset[Role] = frozenset()
        if field_gate is not None and self.attribute is not None:
            decisions = field_gate.decisions.items()
            self.simple = frozenset(role for role, d in decisions if d is Decision.ALLOW)


# One field as a role's walk takes it: (key, the attribute to read inline or None, its
# coercion, its gate when the read is audited, the plan for everything else).
Step = tuple[str, str | None, Callable[[Any], Any], FieldGate | None, FieldPlan]


class Selection:
    """The fields of one object type in one place of the document, in response order."""

    __slots__ = ("_steps", "fields", "type")

    def __init__(self, type_: GraphQLObjectType, fields: list[FieldPlan]) -> None:
        self.type = type_
        self.fields = fields
        self._steps: dict[
            Role, tuple[tuple[Step, ...], tuple[tuple[str, frozenset[str]], ...]]
        ] = {}

    def steps(self, role: Role) -> tuple[tuple[Step, ...], tuple[tuple[str, frozenset[str]], ...]]:
        """The fields as ``role``'s walk takes them: what it may read as a plain attribute
        holding a scalar is read inline, the rest through ``Run.field``. Beside them, the audit
        marks of the inline fields, one per resident attribute (for the whole object at once)."""
        try:
            return self._steps[role]
        except KeyError:
            pass
        steps: list[Step] = []
        marks: dict[str, set[str]] = {}
        for plan in self.fields:
            inline = role in plan.simple and plan.completion.leaf is not None
            audited = plan.gate if plan.audited else None
            if inline and audited is not None and audited.audited is not None:
                marks.setdefault(audited.audited, set()).add(audited.label)
                audited = None  # marked with the object's other inline fields
            attribute = plan.attribute if inline else None
            steps.append((plan.key, attribute, plan.completion.coerce, audited, plan))
        made = (tuple(steps), tuple((a, frozenset(labels)) for a, labels in marks.items()))
        self._steps[role] = made
        return made


class Planner:
    """Builds the plan of one operation from the executor's schema, fragments and variables."""

    def __init__(self, executor: CompiledExecutor) -> None:
        self.executor = executor

    def root(self) -> Selection:
        executor = self.executor
        root_type = executor.schema.get_root_type(executor.operation.operation)
        if root_type is None:
            raise NotCompilable("no root type")
        collected = collect_fields(
            executor.schema,
            executor.fragments,
            executor.variable_values,
            root_type,
            executor.operation,
            executor.hide_suggestions,
        )
        return self.selection(root_type, collected.grouped_field_set)

    def selection(
        self, type_: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]
    ) -> Selection:
        if type_.is_type_of is not None:
            raise NotCompilable(f"{type_.name} has is_type_of")
        fields = []
        for key, details in grouped.items():
            if any(d.defer_usage or d.fragment_variable_values for d in details):
                raise NotCompilable("@defer or fragment variables")
            name = details[0].node.name.value
            definition = self.executor.schema.get_field(type_, name)
            if definition is None:
                continue  # as the standard executor: an unknown field is left out
            if name.startswith("__") and name != "__typename":
                raise NotCompilable("introspection")
            plan = FieldPlan(key, type_, details, definition)
            plan.direct = self.direct(plan)
            self.complete(plan.completion, details)
            fields.append(plan)
        return Selection(type_, fields)

    def direct(self, plan: FieldPlan) -> StrawberryField | None:
        """The Strawberry field if its resolver may be called without Strawberry's wrapper:
        one with a resolver of its own and nothing around it (no field extensions, which
        include permission classes, and no exception handlers)."""
        field = plan.definition.extensions.get(STRAWBERRY_FIELD)
        if plan.attribute is not None or not isinstance(field, StrawberryField):
            return None
        if field.base_resolver is None or field.extensions or field.is_subscription:
            return None
        strawberry_schema = getattr(self.executor.schema, "_strawberry_schema", None)
        converter = getattr(strawberry_schema, "schema_converter", None)
        handlers = getattr(converter, "_get_field_exception_handlers", None)
        if handlers is None or handlers(field):
            return None
        return field

    def complete(self, completion: Completion, details: list[FieldDetails]) -> None:
        type_ = completion.type
        if isinstance(type_, GraphQLList):
            completion.item = Completion(type_.of_type)
            self.complete(completion.item, details)
        elif isinstance(type_, GraphQLObjectType):
            executor = self.executor
            collected = collect_subfields(
                executor.schema,
                executor.fragments,
                executor.variable_values,
                executor.operation,
                type_,
                details,
                executor.hide_suggestions,
            )
            completion.selection = self.selection(type_, collected.grouped_field_set)
        elif isinstance(type_, GraphQLLeafType):
            completion.leaf = type_
            completion.coerce = coercer(type_)
        else:
            raise NotCompilable(f"abstract type {type_}")


# Plans by (schema, query text, operation, values of the variables @skip/@include read); None marks
# an operation the standard executor runs.
_PLANS: Lru[tuple[Any, ...], Selection | None] = Lru(MAX_PLANS)
_DIRECTIVE_VARIABLES: Lru[str, tuple[str, ...]] = Lru(MAX_PLANS)


def directive_variables(executor: CompiledExecutor, text: str) -> tuple[str, ...]:
    """The variables a document's @skip and @include read: they change the plan."""
    try:
        return _DIRECTIVE_VARIABLES.recall(text)
    except KeyError:
        pass
    names: set[str] = set()

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    visit(executor.operation, Finder())
    for fragment in executor.fragments.values():
        visit(fragment.definition, Finder())
    found = tuple(sorted(names))
    _DIRECTIVE_VARIABLES.remember(text, found)
    return found


def plan_for(executor: CompiledExecutor) -> Selection | None:
    """The cached plan of the executor's operation, built on first use; None: not compilable."""
    operation = executor.operation
    if operation.loc is None:
        return None
    text = operation.loc.source.body
    variables = executor.variable_values.coerced
    # A plan holds its schema's resolvers: one process may serve several schemas (several
    # configurations, each with its declared applications), so the schema is part of the key.
    key = (
        executor.schema,
        text,
        operation.name.value if operation.name else None,
        tuple(variables.get(name) for name in directive_variables(executor, text)),
    )
    try:
        return _PLANS.recall(key)
    except KeyError:
        pass
    try:
        plan: Selection | None = Planner(executor).root()
    except NotCompilable as reason:
        log.debug("standard execution: %s", reason)
        plan = None
    _PLANS.remember(key, plan)
    return plan


def leaf(type_: GraphQLLeafType, result: Any) -> Any:
    """A scalar or enum value as the response holds it (a string is its own value)."""
    if type(result) is str and type_ in _STRINGS:
        return result
    coerced = type_.coerce_output_value(result)
    if coerced is Undefined or coerced is None:
        raise TypeError(
            f"Expected `{inspect(type_)}.coerce_output_value({inspect(result)})`"
            f" to return non-nullable value, returned: {inspect(coerced)}"
        )
    return coerced


def _unset(value: Any) -> Any:
    raise AssertionError("not a leaf")


def coercer(type_: GraphQLLeafType) -> Callable[[Any], Any]:
    """``leaf`` for one type, with shortcuts that give the same values faster."""
    if type_ is GraphQLID:  # graphql-core serializes an int ID as its decimal text
        return lambda value: (
            value
            if type(value) is str
            else str(value)
            if type(value) is int
            else leaf(type_, value)
        )
    if type_ in _STRINGS:
        return lambda value: value if type(value) is str else leaf(type_, value)
    if type_ is GraphQLBoolean:
        return lambda value: value if type(value) is bool else leaf(type_, value)
    if isinstance(type_, GraphQLEnumType):
        # An enum has few members: remember each one's name, by identity (members are
        # singletons that live as long as their class, so no other object shares their id).
        names: dict[int, Any] = {}

        def enum(value: Any) -> Any:
            try:
                return names[id(value)]
            except KeyError:
                name = leaf(type_, value)
                if isinstance(value, Enum):
                    names[id(value)] = name
                return name

        return enum
    return lambda value: leaf(type_, value)
