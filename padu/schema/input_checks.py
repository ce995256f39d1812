"""``InputChecks``: every ID, String, DateTime and Date a request carries is checked before
execution, in literals and in variables alike, and a bad one is refused by name.

graphql-core accepts any string as an ``ID`` or a ``String`` (the two scalars it does not let a
schema replace), so without this an Arabic-Indic ``'\\u0663'`` became id 3, an id past 2**63 - 1 or
a NUL byte reached PostgreSQL, and its error reached the client. The rules themselves live with
the scalars (``padu.schema.scalars``); this module finds every value they apply to.

A refusal is ``BAD_USER_INPUT`` with ``argument`` (a literal: the argument's name) or
``variable`` (the variable's name) in its extensions, and a message naming the path inside it,
e.g. ``Variable `$filter.name` contains a NUL character ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableDefinitionNode,
    VisitorAction,
    get_operation_ast,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    is_scalar_type,
    type_from_ast,
)
from graphql.language import SKIP
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension

from padu.schema.scalars import PROBLEMS, string_problem

_NOT_CHECKED = object()


def _leaf(value: Any, scalar: str) -> Any:
    """The Python value of a leaf (a literal's node or a variable's JSON value) to check."""
    if isinstance(value, StringValueNode):
        return value.value
    if isinstance(value, IntValueNode):
        # An Int literal is a valid ID; kept as text, as int() refuses over 4,300 digits.
        return value.value if scalar == "ID" else _NOT_CHECKED
    if isinstance(value, Node):
        return _NOT_CHECKED  # other literals are the spec's rules' to refuse
    return value


def _children(value: Any) -> Any:
    """A literal list or object as a Python list or dict; a variable's value as it is."""
    if isinstance(value, ObjectValueNode):
        return {field.name.value: field.value for field in value.fields}
    if isinstance(value, ListValueNode):
        return list(value.values)
    return value


def problems(value: Any, type_: GraphQLInputType, max_chars: int) -> Iterator[tuple[str, str]]:
    """(path, problem) for each bad ID, String, DateTime or Date in ``value`` of ``type_``.

    Follows the type, not the value, so a value nested deeper than its type is not walked;
    the walk keeps its own stack, so no value nests it into a RecursionError.
    """
    stack: list[tuple[Any, Any, str]] = [(value, type_, "")]
    while stack:
        value, type_, path = stack.pop()
        if is_non_null_type(type_):
            type_ = type_.of_type
        value = _children(value)
        if is_list_type(type_):
            items = value if isinstance(value, list) else [value]
            stack.extend(
                (item, type_.of_type, f"{path}[{index}]" if items is value else path)
                for index, item in reversed(list(enumerate(items)))
            )
        elif is_input_object_type(type_):
            if isinstance(value, dict):
                given = [(name, f.type) for name, f in type_.fields.items() if name in value]
                stack.extend((value[name], t, f"{path}.{name}") for name, t in reversed(given))
        elif is_scalar_type(type_) and (type_.name == "String" or type_.name in PROBLEMS):
            leaf = _leaf(value, type_.name)
            if leaf is None or leaf is _NOT_CHECKED:
                continue
            if isinstance(leaf, dict | list):
                # Refused here, by name: graphql-core would recurse into it to say why.
                kind = "an object" if isinstance(leaf, dict) else "a list"
                problem: str | None = f"must be a single {type_.name} value, not {kind}"
            elif type_.name == "String":
                problem = string_problem(leaf, max_chars)
            else:
                problem = PROBLEMS[type_.name](leaf)
            if problem is not None:
                yield path, problem


def _refusal(what: str, path: str, problem: str, node: Node | None, **named: str) -> GraphQLError:
    return GraphQLError(
        f"{what} `{path}` {problem}.", node, extensions={"code": "BAD_USER_INPUT", **named}
    )


def checked_values_rule(max_chars: int) -> type[ValidationRule]:
    """The spec's ValuesOfCorrectTypeRule, after Padu's checks of each literal's values."""

    class CheckedValuesRule(ValuesOfCorrectTypeRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.name = ""  # of the argument (or variable, for a default) being visited

        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            self.name = node.name.value

        def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
            self.name = f"${node.variable.name.value}"

        def is_valid_value_node(
            self, node: ValueNode, input_type: GraphQLInputType | None
        ) -> VisitorAction:
            found = list(problems(node, input_type, max_chars)) if input_type else []
            for path, problem in found:
                key = "variable" if self.name.startswith("$") else "argument"
                what = "Default of variable" if key == "variable" else "Argument"
                named = {key: self.name.lstrip("$")}
                self.report_error(_refusal(what, self.name + path, problem, node, **named))
            # One error per bad value: the spec's check is not run on a value refused here.
            return SKIP if found else super().is_valid_value_node(node, input_type)

    return CheckedValuesRule


def variable_refusals(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    max_chars: int,
) -> list[GraphQLError]:
    """A refusal for each bad ID, String, DateTime or Date in the operation's variables."""
    refusals = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name not in variables or type_ is None:
            continue
        for path, problem in problems(variables[name], type_, max_chars):  # type: ignore[arg-type]
            refusal = _refusal("Variable", f"${name}{path}", problem, definition, variable=name)
            refusals.append(refusal)
    return refusals


class InputChecks(SchemaExtension):
    """Refuses bad IDs, Strings, DateTimes and Dates (literals and variables) before execution."""

    def __init__(self, rule: type[ValidationRule], max_chars: int) -> None:
        self.rule = rule
        self.max_chars = max_chars

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            self.rule if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield

    def on_validate(self) -> Iterator[None]:
        # Before the yield, and after CachedValidation's (the schema lists this extension after
        # it): Strawberry acts on the errors found before the validation hooks exit.
        context = self.execution_context
        document = context.graphql_document
        name = context.operation_name
        operation = None if document is None else get_operation_ast(document, name)
        if not context.pre_execution_errors and operation is not None:
            schema = context.schema._schema
            refusals = variable_refusals(schema, operation, context.variables or {}, self.max_chars)
            if refusals:
                context.pre_execution_errors = refusals
        yield


def input_checks(max_chars: int) -> Callable[[], SchemaExtension]:
    """The InputChecks extension for strings of at most ``max_chars`` characters."""
    # One rule class per schema: CachedValidation keys its cache by the rule classes.
    rule = checked_values_rule(max_chars)
    return lambda: InputChecks(rule, max_chars)
