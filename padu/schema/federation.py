"""Padu's systems as Apollo Federation v2 subgraphs: which system owns what, and each one's schema.

Each source system serves its part of the one schema, cut from it (so a subgraph runs the very
resolvers, loaders, access rules, limits and audit of the single process):

- **Entities** are joined across subgraphs by key: ``Resident`` (owned by population),
  ``Officer`` and ``Unit`` (performance), ``ServiceRequest`` (service_requests) and ``Course``
  (learning). Residents and officers are keyed by their opaque ``id`` (``padu.resolvers.
  entities``), never by NIK or NIP, which many roles may see only masked or not at all.
- **Extensions:** a subgraph adds its fields to an entity another one owns (service requests
  add ``Resident.serviceRequests`` and ``Officer.assignedRequests``; learning adds
  ``Officer.learning`` and ``Unit.learningCompliance``; a declared application adds its
  reverse links, e.g. ``Resident.payments``). Where a subgraph only points at another's
  entity (a request's ``assignee``), it holds the key alone, marked ``resolvable: false``.
- **Shared values:** districts and villages (the bundled region table, the same in every
  process) are entities every subgraph that reaches them resolves itself, all fields
  ``@shareable``, so reading a request's district costs no hop. Other value types reached from
  several subgraphs (``PageInfo``, ``MutationError``) are ``@shareable``.
- ``dashboard`` (the aggregates, which span systems) and ``state`` (Padu's own audit log and
  outbox) are subgraphs of their own; each declared application is one, named after it.
  Subscriptions are not part of any subgraph: gateways that federate them are rare, and every
  replica serves them itself (see the README).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
    is_list_type,
    is_non_null_type,
    print_type,
)

from padu.config import subgraph_names
from padu.declared.declaration import ApplicationDecl
from padu.resolvers.entities import ENTITIES, TYPE_OF_RECORD, entities

FEDERATION = "https://specs.apollo.dev/federation/v2.3"

# Root fields by subgraph; a declared application's list field is its own subgraph's.
QUERIES: dict[str, tuple[str, ...]] = {
    "population": ("region", "resident", "residents"),
    "service_requests": ("serviceRequest", "serviceRequests"),
    "performance": ("officer", "officers", "units"),
    "learning": ("course", "courses"),
    "dashboard": ("dashboard",),
    "state": ("auditLog", "deliveries"),
}
MUTATIONS: dict[str, tuple[str, ...]] = {
    "service_requests": (
        "submitServiceRequest",
        "assignServiceRequest",
        "updateServiceRequestStatus",
        "resolveServiceRequest",
    ),
    "learning": ("enrollInCourse", "recordCourseCompletion"),
}
# Which subgraph owns each entity (all its fields but those another one adds).
OWNERS: dict[str, str] = {
    "Resident": "population",
    "Officer": "performance",
    "Unit": "performance",
    "ServiceRequest": "service_requests",
    "Course": "learning",
}
# Fields a subgraph adds to an entity another one owns.
EXTENSIONS: dict[tuple[str, str], str] = {
    ("Resident", "serviceRequests"): "service_requests",
    ("Officer", "assignedRequests"): "service_requests",
    ("Officer", "learning"): "learning",
    ("Unit", "learningCompliance"): "learning",
}
# Entities every subgraph that reaches them resolves itself (static region data).
SHARED_ENTITIES = ("District", "Village")


@dataclass(frozen=True)
class Ownership:
    """Who serves what: root fields, entity owners and extensions, core and declared."""

    queries: Mapping[str, tuple[str, ...]]
    mutations: Mapping[str, tuple[str, ...]]
    extensions: Mapping[tuple[str, str], str]
    names: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, applications: Sequence[ApplicationDecl]) -> Ownership:
        queries = dict(QUERIES)
        extensions = dict(EXTENSIONS)
        for app in applications:
            queries[app.name] = tuple(t.list_field for t in app.types if t.list_field)
            for declared in app.types:
                for link in declared.links:
                    if link.reverse is not None:
                        extensions[(link.to, link.reverse)] = app.name
        return cls(queries, MUTATIONS, extensions, subgraph_names(applications))

    def owner(self, type_name: str, declared: Mapping[str, str]) -> str | None:
        """The subgraph owning an entity (core or declared type); None for other types."""
        return OWNERS.get(type_name) or declared.get(type_name)


def _declared_owners(applications: Sequence[ApplicationDecl]) -> dict[str, str]:
    """Declared types, each owned by its application's subgraph (not entities: no key)."""
    return {t.name: app.name for app in applications for t in app.types}


@dataclass
class _Cut:
    """The fields of each object type one subgraph serves, found by walking from its roots."""

    schema: GraphQLSchema
    name: str
    ownership: Ownership
    declared: Mapping[str, str]
    fields: dict[str, list[str]] = field(default_factory=dict)
    stubs: set[str] = field(default_factory=set)  # foreign entities held by key alone

    def walk(self) -> None:
        query = self.schema.query_type
        mutation = self.schema.mutation_type
        assert query is not None
        self.fields["Query"] = list(self.ownership.queries.get(self.name, ()))
        for field_name in self.fields["Query"]:
            self._reach(query.fields[field_name].type)
        if mutation is not None and self.ownership.mutations.get(self.name):
            self.fields["Mutation"] = list(self.ownership.mutations[self.name])
            for field_name in self.fields["Mutation"]:
                self._reach(mutation.fields[field_name].type)
        for (type_name, field_name), subgraph in self.ownership.extensions.items():
            if subgraph == self.name:
                self._stub(type_name)
                self.fields[type_name].append(field_name)
                owner = self.schema.get_type(type_name)
                assert isinstance(owner, GraphQLObjectType)
                self._reach(owner.fields[field_name].type)

    def _key(self, type_name: str) -> str:
        return ENTITIES[type_name].key

    def _stub(self, type_name: str) -> None:
        if type_name not in self.fields:
            self.fields[type_name] = [self._key(type_name)]
            self.stubs.add(type_name)

    def _reach(self, type_: GraphQLType) -> None:
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType) or named.name in self.fields:
            return
        owner = self.ownership.owner(named.name, self.declared)
        if named.name in OWNERS and owner != self.name:
            self._stub(named.name)
            return
        self.fields[named.name] = [
            name
            for name in named.fields
            if self.ownership.extensions.get((named.name, name), owner) == owner
        ]
        for name in self.fields[named.name]:
            self._reach(named.fields[name].type)


@dataclass(frozen=True)
class Subgraph:
    """One subgraph: its executable schema (the full one's resolvers) and its SDL."""

    name: str
    schema: GraphQLSchema
    sdl: str


def subgraph(full: GraphQLSchema, name: str, applications: Sequence[ApplicationDecl]) -> Subgraph:
    """The subgraph ``name`` of ``full`` (the schema as served, declared types included)."""
    ownership = Ownership.of(applications)
    if name not in ownership.names:
        raise ValueError(f"no subgraph {name!r}: the subgraphs are {', '.join(ownership.names)}")
    cut = _Cut(full, name, ownership, _declared_owners(applications))
    cut.walk()
    shared = _shared_types(full, name, ownership, applications)
    return _Builder(full, cut, shared).build()


def _shared_types(
    full: GraphQLSchema, name: str, ownership: Ownership, applications: Sequence[ApplicationDecl]
) -> set[str]:
    """Value types (not entities) this subgraph serves that another one serves too."""
    declared = _declared_owners(applications)
    seen: dict[str, int] = {}
    for other in ownership.names:
        cut = _Cut(full, other, ownership, declared)
        cut.walk()
        for type_name in cut.fields:
            seen[type_name] = seen.get(type_name, 0) + 1
    roots = ("Query", "Mutation")
    return {t for t, count in seen.items() if count > 1 and t not in OWNERS and t not in roots}


_ANY = GraphQLScalarType(
    "_Any",
    description="A representation of an entity: its `__typename` and key fields.",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)


class _Builder:
    """Copies the object types a cut keeps, with only their kept fields; other named types
    (enums, scalars, inputs) are the full schema's own."""

    def __init__(self, full: GraphQLSchema, cut: _Cut, shared: set[str]) -> None:
        self.full = full
        self.cut = cut
        self.shared = shared
        self.copies: dict[str, GraphQLObjectType] = {}

    def named(self, type_: GraphQLNamedType) -> GraphQLNamedType:
        if not isinstance(type_, GraphQLObjectType):
            return type_
        if type_.name not in self.copies:
            self.copies[type_.name] = self._copy(type_)
        return self.copies[type_.name]

    def wrapped(self, type_: GraphQLType) -> Any:
        if is_non_null_type(type_):
            return GraphQLNonNull(self.wrapped(type_.of_type))
        if is_list_type(type_):
            return GraphQLList(self.wrapped(type_.of_type))
        return self.named(type_)  # type: ignore[arg-type]

    def _copy(self, original: GraphQLObjectType) -> GraphQLObjectType:
        kept = self.cut.fields[original.name]

        def fields() -> dict[str, GraphQLField]:
            return {name: self._field(original.fields[name]) for name in kept}

        return GraphQLObjectType(
            original.name,
            fields,
            description=original.description,
            extensions=original.extensions,
            is_type_of=original.is_type_of,
        )

    def _field(self, original: GraphQLField) -> GraphQLField:
        return GraphQLField(
            self.wrapped(original.type),
            args=original.args,
            resolve=original.resolve,
            description=original.description,
            deprecation_reason=original.deprecation_reason,
            extensions=original.extensions,
        )

    def build(self) -> Subgraph:
        full, cut = self.full, self.cut
        for type_name in cut.fields:
            original = full.get_type(type_name)
            assert isinstance(original, GraphQLObjectType)
            self.named(original)
        served = frozenset(t for t in cut.fields if t in ENTITIES and not self._unresolvable(t))
        query = self.copies["Query"]
        sdl = self._sdl()
        entity_union = GraphQLUnionType(
            "_Entity",
            lambda: [self.copies[t] for t in sorted(served)],
            resolve_type=_type_of_entity,
        )
        service = GraphQLObjectType(
            "_Service", {"sdl": GraphQLField(GraphQLString, resolve=lambda *_: sdl)}
        )
        root_fields = dict(query.fields)
        root_fields["_service"] = GraphQLField(GraphQLNonNull(service), resolve=lambda *_: {})
        if served:
            root_fields["_entities"] = GraphQLField(
                GraphQLNonNull(GraphQLList(entity_union)),
                args={
                    "representations": GraphQLArgument(
                        GraphQLNonNull(GraphQLList(GraphQLNonNull(_ANY)))
                    )
                },
                resolve=_entities_resolver(served, self._referenced(served)),
            )
        root = GraphQLObjectType("Query", root_fields, description=query.description)
        self.copies["Query"] = root
        schema = GraphQLSchema(
            query=root,
            mutation=self.copies.get("Mutation"),
            types=[self.copies[t] for t in cut.fields],
            directives=full.directives,
        )
        return Subgraph(cut.name, schema, sdl)

    def _referenced(self, served: frozenset[str]) -> frozenset[str]:
        """Foreign entities this subgraph resolves by their key alone: those whose fields it
        adds need nothing of the record (``Entity.reference``), e.g. a resident's requests."""
        return frozenset(
            t for t in served if t in self.cut.stubs and ENTITIES[t].reference is not None
        )

    def _unresolvable(self, type_name: str) -> bool:
        """A foreign entity this subgraph only points at (it adds no field to it)."""
        return type_name in self.cut.stubs and len(self.cut.fields[type_name]) == 1

    def _sdl(self) -> str:
        """The subgraph's SDL with its federation directives (what ``_service`` answers)."""
        cut = self.cut
        parts = [
            f'extend schema @link(url: "{FEDERATION}", import: ["@key", "@shareable"])',
        ]
        printed = GraphQLSchema(
            query=self.copies["Query"],
            mutation=self.copies.get("Mutation"),
            types=[self.copies[t] for t in cut.fields],
        )
        for type_name in sorted(printed.type_map):
            type_ = printed.type_map[type_name]
            if type_name.startswith("__") or (
                isinstance(type_, GraphQLScalarType) and type_name in _BUILT_IN_SCALARS
            ):
                continue
            text = print_type(type_)
            directives = self._directives(type_name)
            if directives:
                header = f"type {type_name} {{"
                assert header in text, type_name
                text = text.replace(header, f"type {type_name} {directives} {{", 1)
            parts.append(text)
        return "\n\n".join(parts) + "\n"

    def _directives(self, type_name: str) -> str:
        if type_name in SHARED_ENTITIES:
            return f'@key(fields: "{ENTITIES[type_name].key}") @shareable'
        if type_name in ENTITIES and type_name in self.cut.fields:
            key = ENTITIES[type_name].key
            if self._unresolvable(type_name):
                return f'@key(fields: "{key}", resolvable: false)'
            return f'@key(fields: "{key}")'
        if type_name in self.shared:
            return "@shareable"
        return ""


_BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


def _type_of_entity(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str | None:
    return TYPE_OF_RECORD.get(type(value))


def _entities_resolver(served: frozenset[str], referenced: frozenset[str]) -> Any:
    async def resolve(root: Any, info: GraphQLResolveInfo[Any], representations: list[Any]) -> Any:
        return await entities(info.context, representations, served, referenced)

    return resolve


names = subgraph_names  # the subgraphs of a configuration, as padu.config lists them
