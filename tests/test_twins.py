"""Schema types and the source records they show agree, field by field.

Resolvers hand Strawberry the sources' records (``padu.sources``, ``padu.region``) and a schema
type reads them by attribute, so a schema type and its record of the same name are twins: a
field the record lacks, or types that differ (nullability, enum, list), fails only at run time,
and mypy's ``assignment`` check is off for ``padu.schema`` because of these very fields. Filter
inputs are twins the other way: resolvers copy them into the sources' filters.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable
from datetime import date, datetime
from enum import Enum
from typing import Any, get_type_hints

import strawberry
from strawberry.types.base import (
    StrawberryList,
    StrawberryObjectDefinition,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.lazy_type import LazyType
from strawberry.types.scalar import ScalarDefinition, ScalarWrapper

import padu.region
import padu.schema
import padu.sources
from padu.schema.build import schema

# A schema field whose record field has another name (the resolver converts between them).
RENAMED = {("AuditFilter", "resident_nik"): "record_hash"}  # hashed before searching
# Record fields that are None only before the row is stored (an entry to append has no id or
# time yet); the records a resolver reads back always carry them.
NONE_UNTIL_STORED = {("AuditEntry", "id"), ("AuditEntry", "at")}
KNOWN_TWINS = {
    "Activity", "Address", "AuditEntry", "AuditFilter", "Course", "Delivery", "District",
    "Enrollment", "Family", "Officer", "OfficerFilter", "PerformanceSummary", "Region",
    "RequestEvent", "Resident", "ResidentFilter", "ServiceLevels", "ServiceRequest", "Unit",
    "Village",
}  # fmt: skip

Shape = tuple[Any, ...]


def _classes(package: types.ModuleType) -> dict[str, list[type]]:
    """Classes defined in the modules of ``package``, by name."""
    found: dict[str, list[type]] = {}
    modules = [package]
    if hasattr(package, "__path__"):
        modules += [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        ]
    for module in modules:
        if module.__name__.startswith("padu.sources.demo"):
            continue  # the demo data generator's own rows, not records Padu serves
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                found.setdefault(value.__name__, []).append(value)
    return found


def twins() -> list[tuple[type, type]]:
    """(schema class, record class) pairs that share a name."""
    records = _classes(padu.sources) | _classes(padu.region)
    pairs = []
    for name, classes in _classes(padu.schema).items():
        for schema_class in classes:
            if has_object_definition(schema_class) and name in records:
                [record] = records[name]
                pairs.append((schema_class, record))
    return pairs


def _unwrapped(kind: Any, hint: Any) -> tuple[Any, Any]:
    """A field's Strawberry type and its resolver's return annotation, past nulls, lists and
    streams, down to the object types on both sides."""
    while True:
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            [hint] = [a for a in typing.get_args(hint) if a is not type(None)]
        elif typing.get_origin(hint) in (list, tuple, AsyncGenerator, AsyncIterator, Awaitable):
            hint = typing.get_args(hint)[0]
        elif isinstance(kind, StrawberryOptional | StrawberryList):
            kind = kind.of_type
        elif isinstance(kind, LazyType):
            kind = kind.resolve_type()
        else:
            return kind, hint


def resolver_pairs() -> list[tuple[type, type]]:
    """(schema class, record class) pairs where a resolver returns the record for the type."""
    pairs = set()
    for definition in schema.schema_converter.type_map.values():
        fields = getattr(definition.definition, "fields", ())
        for field in fields:
            if field.base_resolver is None:
                continue
            hint = get_type_hints(field.base_resolver.wrapped_func).get("return")
            kind, record = _unwrapped(field.type, hint)
            if (
                has_object_definition(kind)
                and dataclasses.is_dataclass(record)
                and not has_object_definition(record)
            ):
                pairs.add((kind.__strawberry_definition__.origin, record))
    return sorted(pairs, key=lambda pair: pair[0].__name__)


def schema_shape(kind: Any) -> Shape:
    """A Strawberry field type as (nullable, what): comparable with ``record_shape``."""
    nullable = isinstance(kind, StrawberryOptional)
    if nullable:
        kind = kind.of_type
    if isinstance(kind, LazyType):
        kind = kind.resolve_type()
    if isinstance(kind, StrawberryList):
        return (nullable, "list", schema_shape(kind.of_type))
    if isinstance(kind, StrawberryEnumDefinition):
        return (nullable, "enum", kind.wrapped_cls)
    if isinstance(kind, ScalarWrapper | ScalarDefinition):
        return (nullable, "scalar", str)  # NIK, NIP: text validated at the boundary
    if isinstance(kind, typing.NewType):  # ID, NIK, NIP
        return (nullable, "scalar", kind.__supertype__)
    if has_object_definition(kind):
        definition: StrawberryObjectDefinition = kind.__strawberry_definition__
        return (nullable, "object", definition.origin.__name__)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return (nullable, "enum", kind)
    assert kind in (str, int, float, bool, date, datetime), kind
    return (nullable, "scalar", kind)


def record_shape(annotation: Any) -> Shape:
    """A record's field annotation as (nullable, what)."""
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        others = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(others) < len(typing.get_args(annotation))
        [annotation] = others
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return (nullable, "list", record_shape(typing.get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return (nullable, "enum", annotation)
    if dataclasses.is_dataclass(annotation):
        return (nullable, "object", annotation.__name__)
    return (nullable, "scalar", annotation)


def agrees(schema_side: Shape, record_side: Shape, *, output: bool) -> bool:
    """Whether a record value can be shown as (output) or filled from (input) the schema type.

    An output may be nullable where the record is not (a denied field is null); an input may
    be nullable only where the record field is (null means "no condition").
    """
    schema_null, *schema_what = schema_side
    record_null, *record_what = record_side
    if output and record_null and not schema_null:
        return False
    if not output and schema_null and not record_null:
        return False
    if schema_what[0] == "list" and record_what[0] == "list":
        return agrees(schema_what[1], record_what[1], output=output)
    if schema_what[0] == "scalar" and schema_what[1] is str and record_what[1] is int:
        return output  # an ID shown from an integer key
    return schema_what == record_what


def disagreements(schema_class: type, record: type) -> list[str]:
    definition: StrawberryObjectDefinition = schema_class.__strawberry_definition__
    hints = get_type_hints(record)
    output = not definition.is_input
    if output:  # a computed attribute reads like a field
        hints |= {
            name: get_type_hints(value.fget)["return"]
            for name, value in vars(record).items()
            if isinstance(value, property)
        }
    problems = []
    filled = set()
    for field in definition.fields:
        if field.base_resolver is not None:
            continue  # its resolver reads the record, checked by mypy
        name = RENAMED.get((definition.name, field.python_name), field.python_name)
        filled.add(name)
        if name not in hints:
            problems.append(f"{record.__name__} has no field {name}")
            continue
        stored = record_shape(hints[name])
        if (definition.name, name) in NONE_UNTIL_STORED:
            stored = (False, *stored[1:])
        if not agrees(schema_shape(field.type), stored, output=output):
            problems.append(
                f"{definition.name}.{field.python_name} is {schema_shape(field.type)}, "
                f"{record.__name__}.{name} is {stored}"
            )
    if not output:  # every condition a source filters by can be given
        problems += [f"{definition.name} lacks {name}" for name in sorted(set(hints) - filled)]
    return problems


def test_the_twins_are_found() -> None:
    assert schema is not None  # the whole schema is built: every lazy type resolves
    assert {schema_class.__name__ for schema_class, _ in twins()} == KNOWN_TWINS


def test_every_schema_type_agrees_with_its_record() -> None:
    problems = [p for pair in twins() for p in disagreements(*pair)]
    assert problems == []


def test_every_record_a_resolver_returns_agrees_with_its_schema_type() -> None:
    """Records of other names behind a type (``LearningTotal`` behind ``LearningSummary``)."""
    pairs = resolver_pairs()
    named = {(schema_class.__name__, record.__name__) for schema_class, record in pairs}
    assert {("LearningSummary", "LearningTotal"), ("Resident", "Resident")} <= named
    problems = [p for pair in pairs for p in disagreements(*pair)]
    assert problems == []


def test_a_disagreement_is_found() -> None:
    @dataclasses.dataclass
    class Record:
        code: str | None
        count: int
        kinds: tuple[str, ...]

    @strawberry.type(name="Twin")
    class Shown:
        code: str
        count: int
        kinds: list[int]
        missing: bool

    @strawberry.input(name="TwinFilter")
    class Given:
        code: str | None = None
        count: int | None = None

    assert disagreements(Shown, Record) == [
        "Twin.code is (False, 'scalar', <class 'str'>), Record.code is (True, 'scalar', <class 'str'>)",
        "Twin.kinds is (False, 'list', (False, 'scalar', <class 'int'>)), Record.kinds is (False, 'list', (False, 'scalar', <class 'str'>))",
        "Record has no field missing",
    ]
    assert disagreements(Given, Record) == [
        "TwinFilter.count is (True, 'scalar', <class 'int'>), Record.count is (False, 'scalar', <class 'int'>)",
        "TwinFilter lacks kinds",
    ]
