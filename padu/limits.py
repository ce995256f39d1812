"""Query limits checked before any resolver or source call (depth, aliases, tokens, cost).

Every limit is counted through named and inline fragments, per operation; a refusal is a
``GraphQLError`` with ``extensions = {"code": "QUERY_TOO_COMPLEX", "limit": ..., "max": ...,
"actual": ...}``; ``actual`` is absent for tokens (parsing stops at the limit) and when it is
beyond 2**53 - 1 (fragments spread in fragments multiply counts).

- **tokens**: the parser stops after ``max_tokens`` tokens (comments included), so a huge
  document is refused before its syntax tree is built.
- **depth**: fields on the longest path, ``{ region { code } }`` being 2.
- **aliases**: aliased fields in the operation, those inside fragments once per spread.
- **cost**: what the operation makes Padu do and send, priced by ``padu.cost``::

      cost(selections) = sum over fields f of  work(f) + size(f) * cost(f's selections)

  ``size`` is the page size of a paginated field, the real (or an assumed, bounded) size of
  a fixed list, 1 for one object; ``work`` is 1, or more for an aggregate that scans a table.
  Arguments are coerced exactly as execution coerces them: ``first: $n`` with ``n = 100.0``
  is 100, a variable left out takes its default in the operation, an argument left out its
  default in the schema (20). So ``residents(first: 100) { nodes { serviceRequests(first:
  100) { nodes { id } } } }`` costs 1 + 100 * (1 + 1 + 100 * (1 + 1)), and 15 dashboard
  figures cost over 15,000. A variable that cannot be coerced is priced as if not sent, and
  a ``first`` of the wrong type as the largest page: the request is refused for either
  before execution.

Introspection fields (``__typename``, ``__schema``, ``__type``) add neither depth nor cost. A
fragment is measured once and its measure reused at every spread, so fragments spread many
times cost linear time; a spread that closes a cycle counts as empty (``NoFragmentCycles``
refuses the document anyway), and the walk keeps its own stack, so no document nests it into
a RecursionError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    get_variable_values,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.extensions import DisableIntrospection, SchemaExtension

from padu.config import Config, LimitsConfig
from padu.cost import FIELD_COSTS, FieldCost, Sizes
from padu.resolvers.pagination import DEFAULT_FIRST

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer JavaScript reads exactly
_TOKEN_LIMIT = re.compile(r"Syntax Error: Document contains more than \d+ tokens\.")
_REFUSALS = {
    "depth": "Query depth {actual} exceeds the limit of {maximum}; ask for fewer nested levels.",
    "aliases": "Query uses {actual} aliases, more than the limit of {maximum}; use fewer aliases "
    "or split the query into several requests.",
    "cost": "Query cost {actual} exceeds the limit of {maximum}; ask for smaller pages (`first`) "
    "or fewer nested lists, or split the query.",
}
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$", re.DOTALL)


class Measure(NamedTuple):
    """What one operation or fragment asks for."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


def too_complex(
    limit: str, maximum: int, actual: int | None, message: str, nodes: Any = None
) -> GraphQLError:
    """A refusal for exceeding ``limit``; ``actual`` None when it was not counted to the end."""
    extensions: dict[str, Any] = {"code": QUERY_TOO_COMPLEX, "limit": limit, "max": maximum}
    # Fragments spread in fragments can multiply a count past what JSON clients read exactly.
    if actual is not None and actual <= MAX_SAFE_INTEGER:
        extensions["actual"] = actual
    return GraphQLError(message, nodes, extensions=extensions)


class _Measurer:
    """Measures one operation, and the fragments of its document, with its coerced variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        sizes: Sizes,
        pages: tuple[int, int],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.sizes = sizes
        self.default_page, self.max_page = pages
        self.measured: dict[str, Measure] = {}
        for name in self._dependency_order():
            fragment = self.fragments[name]
            self.measured[name] = self.measure(fragment.selection_set, self._type(fragment))

    def _type(self, node: FragmentDefinitionNode | InlineFragmentNode) -> GraphQLNamedType | None:
        condition = node.type_condition
        return self.schema.get_type(condition.name.value) if condition else None

    def _dependency_order(self) -> list[str]:
        """Fragment names, each after those it spreads; the spread closing a cycle is dropped."""
        order: list[str] = []
        state: dict[str, bool] = {}  # False while visiting, True once placed in order
        for root in self.fragments:
            if root in state:
                continue
            state[root] = False
            stack = [(root, iter(_spreads(self.fragments[root].selection_set)))]
            while stack:
                name, pending = stack[-1]
                spread = next((s for s in pending if s in self.fragments and s not in state), None)
                if spread is None:
                    stack.pop()
                    state[name] = True
                    order.append(name)
                else:
                    state[spread] = False
                    stack.append((spread, iter(_spreads(self.fragments[spread].selection_set))))
        return order

    def measure(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Measure:
        """Depth, aliases and cost of ``selection_set`` selected on ``parent``."""
        depth = aliases = cost = 0
        # (selections, their parent type, fields above them, list-size product, counted)
        stack = [(selection_set, parent, 0, 1, True)]
        while stack:
            selections, parent_type, level, scale, counted = stack.pop()
            for selection in selections.selections:
                if isinstance(selection, FieldNode):
                    aliases += selection.alias is not None
                    field_counted = counted and not selection.name.value.startswith("__")
                    field = _field(parent_type, selection.name.value)
                    price = _price(parent_type, selection.name.value)
                    if field_counted:
                        depth = max(depth, level + 1)
                        cost += scale * (1 if price is None else price.work)
                    if selection.selection_set is not None:
                        child = get_named_type(field.type) if field else None
                        size = self._size(selection, field, parent_type, price)
                        item = (selection.selection_set, child, level + 1, scale * size)
                        stack.append((*item, field_counted))
                elif isinstance(selection, InlineFragmentNode):
                    inline_type = self._type(selection) or parent_type
                    stack.append((selection.selection_set, inline_type, level, scale, counted))
                elif isinstance(selection, FragmentSpreadNode):
                    spread = self.measured.get(selection.name.value, Measure())
                    aliases += spread.aliases
                    if counted:
                        depth = max(depth, level + spread.depth)
                        cost += scale * spread.cost
        return Measure(depth, aliases, cost)

    def _size(
        self,
        node: FieldNode,
        field: GraphQLField | None,
        parent: GraphQLNamedType | None,
        price: FieldCost | None,
    ) -> int:
        """How many objects ``node`` returns, each paying for the selections below it."""
        if field is None:
            return 1
        if "first" in field.args:
            first = self._arguments(field, node).get("first", self.max_page)
            if first is None:  # null asks for the default page
                first = self.default_page
            if not isinstance(first, int) or isinstance(first, bool):
                first = self.max_page  # refused before execution, by validation
            return max(0, min(first, self.max_page))
        if price is not None:
            size = price.size
            return size(self.sizes, self._arguments(field, node)) if callable(size) else size
        if get_named_type(field.type).name.endswith("Connection"):
            return self.default_page
        listed = is_list_type(get_nullable_type(field.type))
        # A connection's edges and nodes: its field already multiplied by the page size.
        return self.max_page if listed and not parent_is_connection(parent) else 1

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as execution will coerce them; empty when they cannot be."""
        try:
            return get_argument_values(field, node, self.variables)
        except GraphQLError:  # invalid: validation or execution refuses the request for it
            return {}


def parent_is_connection(parent: GraphQLNamedType | None) -> bool:
    return parent is not None and parent.name.endswith("Connection")


def _price(parent: GraphQLNamedType | None, name: str) -> FieldCost | None:
    return None if parent is None else FIELD_COSTS.get((parent.name, name))


def _field(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    """The output field ``name`` of ``parent``; None on unknown names or non-object types."""
    if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return None
    field: GraphQLField | None = parent.fields.get(name)
    return field


def _spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    """Names of the fragments spread anywhere inside ``selection_set``."""
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)


def coerced_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, given: Mapping[str, Any]
) -> VariableValues:
    """The operation's variables as execution will coerce them, defaults included.

    Each is coerced on its own, so one invalid value (refused before execution anyway)
    does not hide the others.
    """
    inputs = dict(given)
    sources: dict[str, Any] = {}
    coerced: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        values = get_variable_values(schema, [definition], inputs)
        if isinstance(values, VariableValues):
            sources.update(values.sources)
            coerced.update(values.coerced)
    return VariableValues(sources, coerced)


def limits_rule(
    limits: LimitsConfig,
    sizes: Sizes,
    variables: Mapping[str, Any],
    operation_name: str | None = None,
) -> type[ValidationRule]:
    """A validation rule refusing operations deeper, more aliased or costlier than ``limits``."""

    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            refused = limit_refusals(
                context.schema, context.document, limits, sizes, variables, operation_name
            )
            for error in refused:
                context.report_error(error)

    return QueryLimitsRule


def limit_refusals(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: LimitsConfig,
    sizes: Sizes,
    variables: Mapping[str, Any],
    operation_name: str | None = None,
) -> list[GraphQLError]:
    """Why the operation (``operation_name``'s, else each) exceeds ``limits``; empty if not."""
    definitions = document.definitions
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    named = [o for o in operations if o.name and o.name.value == operation_name]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    root_types = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }
    pages = (DEFAULT_FIRST, limits.max_page_size)
    refused: list[GraphQLError] = []
    for operation in named or operations:  # only the one that runs, when named
        values = coerced_variables(schema, operation, variables)
        measurer = _Measurer(schema, fragments, values, sizes, pages)
        measure = measurer.measure(operation.selection_set, root_types[operation.operation.value])
        refused.extend(_refusals(limits, measure, operation))
    return refused


def _refusals(
    limits: LimitsConfig, measure: Measure, operation: OperationDefinitionNode
) -> Iterator[GraphQLError]:
    checks = (
        ("depth", limits.max_depth, measure.depth),
        ("aliases", limits.max_aliases, measure.aliases),
        ("cost", limits.max_cost, measure.cost),
    )
    for limit, maximum, actual in checks:
        if actual > maximum:
            message = _REFUSALS[limit].format(actual=actual, maximum=maximum)
            yield too_complex(limit, maximum, actual, message, operation)


class QueryLimits(SchemaExtension):
    """Refuses documents over the token limit at parse time, and operations over the others."""

    def __init__(self, limits: LimitsConfig, sizes: Sizes) -> None:
        self.limits = limits
        self.sizes = sizes

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # graphql-core's max_tokens counts comments too, so a flood of comments stops as early.
        context.parse_options["max_tokens"] = self.limits.max_tokens
        variables = context.variables if isinstance(context.variables, Mapping) else {}
        rule = limits_rule(self.limits, self.sizes, variables, context.operation_name)
        context.validation_rules = (*context.validation_rules, rule)
        yield
        result = context.result
        if result is not None and result.errors:
            result.errors = [self._named(error) for error in result.errors]

    def _named(self, error: GraphQLError) -> GraphQLError:
        """The parser's token-limit syntax error as a QUERY_TOO_COMPLEX refusal."""
        if not (isinstance(error, GraphQLSyntaxError) and _TOKEN_LIMIT.match(error.message)):
            return error
        maximum = self.limits.max_tokens
        message = (
            f"Query has more than {maximum} tokens, the limit (parsing stopped there, so the "
            "exact count is unknown); send a shorter document."
        )
        return too_complex("tokens", maximum, None, message)


class HideSuggestions(SchemaExtension):
    """Strips graphql-core's "Did you mean …?" hints, which reveal the schema field by field."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [without_suggestion(error) for error in result.errors]


def without_suggestion(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        error.extensions,
    )


def limit_extensions(config: Config, *, production: bool) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions enforcing ``config.limits`` (and production's hiding of the schema)."""
    limits, sizes = config.limits, Sizes.of(config)
    extensions: list[Callable[[], SchemaExtension]] = [lambda: QueryLimits(limits, sizes)]
    if production:
        extensions += [DisableIntrospection, HideSuggestions]
    return extensions
