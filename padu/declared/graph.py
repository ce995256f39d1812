"""Declared types in the GraphQL schema: objects, connections, filters and links both ways.

The core schema is built by Strawberry; the declared types are added to it as graphql-core
types. Each field carries its own gate (``extensions["padu_gate"]``): who reads it, masked or
not, and which resident's personal data it is, so the executors apply the declaration's rules
exactly as they apply the core table's. Rows come only through ``padu.loaders.declared``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeAlias

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
)

from padu.access.gate import GATE_EXTENSION, DeclaredGate
from padu.access.policy import Decision
from padu.declared.declaration import (
    LINK_TARGETS,
    ApplicationDecl,
    FieldDecl,
    LinkDecl,
    TypeDecl,
)
from padu.loaders.base import Page
from padu.loaders.declared import (
    DeclaredPageLoader,
    PageArgs,
    Row,
    page,
)
from padu.loaders.performance import OfficerByNipLoader
from padu.loaders.population import ResidentByNikLoader
from padu.loaders.service_requests import ServiceRequestByTicketLoader
from padu.principal import Role
from padu.resolvers.pagination import (
    CursorKind,
    PageRequest,
    connection,
    known_count,
    page_connection,
    page_request,
)
from padu.schema.pagination import Connection, Edge

Info: TypeAlias = GraphQLResolveInfo[Any]

CASEWORKERS = (Role.OFFICER, Role.SUPERVISOR)
IDENTIFIERS = ("NIK", "NIP")  # personal values caseworkers see masked, as the core NIK and KK
_CURSOR_PARTS: dict[str, type] = {
    "Int": int, "ID": int, "Float": float, "String": str, "NIK": str, "NIP": str,
    "Date": date, "DateTime": datetime, "Boolean": bool,
}  # fmt: skip


def field_decisions(declared: TypeDecl, field: FieldDecl, kind: str) -> dict[Role, Decision]:
    """Who reads a declared field: its readers, personal data in clear only to admins and the
    citizen it belongs to, identifiers masked for caseworkers, nothing personal for dashboards."""
    readers = field.read if field.read is not None else declared.read
    decisions = {}
    for role in Role:
        if role not in readers:
            decision = Decision.DENY
        elif not field.personal or role in (Role.ADMIN, Role.CITIZEN):
            decision = Decision.ALLOW
        elif role in CASEWORKERS and kind in IDENTIFIERS:
            decision = Decision.MASK
        else:
            decision = Decision.DENY
        decisions[role] = decision
    return decisions


def readers_decisions(declared: TypeDecl) -> dict[Role, Decision]:
    """Links and lists of a declared type: whoever reads the type."""
    return {r: Decision.ALLOW if r in declared.read else Decision.DENY for r in Role}


class _Types:
    """The graphql-core types made for the declared applications of one schema."""

    def __init__(self, schema: GraphQLSchema, apps: Sequence[ApplicationDecl]) -> None:
        self.schema = schema
        self.connections: dict[str, GraphQLObjectType] = {}
        self.filters: dict[str, GraphQLInputObjectType | None] = {}
        self.declared = {t.name: t for app in apps for t in app.types}

    def scalar(self, name: str) -> GraphQLScalarType:
        found = self.schema.type_map.get(name)
        if not isinstance(found, GraphQLScalarType):
            raise LookupError(f"the schema has no scalar {name}")
        return found

    def add(self, named: GraphQLObjectType | GraphQLInputObjectType) -> None:
        if named.name in self.schema.type_map:
            raise ValueError(f"the schema already has a type {named.name}")
        self.schema.type_map[named.name] = named


def extend_schema(
    schema: GraphQLSchema, apps: Sequence[ApplicationDecl], kinds: Mapping[tuple[str, str], str]
) -> None:
    """Add every declared type to ``schema``, with its links onto the core types.

    ``kinds`` gives each declared field's GraphQL scalar name, keyed by (type, field): from
    the declaration, or read from the source's catalogue.
    """
    types = _Types(schema, apps)
    for declared in types.declared.values():
        _DeclaredType(types, declared, kinds).build()


class _DeclaredType:
    """The schema part of one declared type."""

    def __init__(
        self,
        types: _Types,
        declared: TypeDecl,
        kinds: Mapping[tuple[str, str], str],
    ) -> None:
        self.types = types
        self.declared = declared
        self.kind = {f.name: kinds[(declared.name, f.name)] for f in declared.fields}
        order_kind = self.kind[declared.order]
        self.cursor = CursorKind[Row](
            declared.name, (_CURSOR_PARTS[order_kind],), lambda r: (getattr(r, declared.order),)
        )
        self.resident_field = next(
            (link.by for link in declared.links if link.to == "Resident"), None
        )
        self.pages: dict[str, type[DeclaredPageLoader]] = {}

    # -- loaders, one class per use, made by the request's Loaders on first use ------------

    def page_loader(self, parent: str) -> type[DeclaredPageLoader]:
        if parent not in self.pages:
            attributes = {
                "declared": self.declared, "parent": parent, "source_name": self.declared.source,
            }  # fmt: skip
            name = f"{self.declared.name}sBy{parent[0].upper()}{parent[1:]}Loader"
            self.pages[parent] = type(name, (DeclaredPageLoader,), attributes)
        return self.pages[parent]

    # -- types -----------------------------------------------------------------------------

    def build(self) -> None:
        declared, types = self.declared, self.types
        thunk: Callable[[], dict[str, GraphQLField]] = self.fields
        description = declared.description or f"A {declared.name} of {declared.application}."
        obj = GraphQLObjectType(declared.name, thunk, description=description)
        types.add(obj)
        types.connections[declared.name] = self.connection_type(obj)
        types.filters[declared.name] = self.filter_type()
        for link in declared.links:
            if link.reverse is not None:
                self.reverse(link)
        if declared.list_field is not None:
            self.root_list()

    def fields(self) -> dict[str, GraphQLField]:
        declared = self.declared
        fields = {f.name: self.scalar_field(f) for f in declared.fields}
        for link in declared.links:
            fields[link.name] = self.link_field(link)
        return fields

    def scalar_field(self, field: FieldDecl) -> GraphQLField:
        kind = self.kind[field.name]
        audited = self.resident_field if field.personal else None
        policy = DeclaredGate(
            self.declared.name, field.name, field_decisions(self.declared, field, kind), audited
        )
        name = field.name

        def resolve(row: Row, info: Info) -> Any:
            return getattr(row, name)

        return GraphQLField(
            self.types.scalar(kind),
            resolve=resolve,
            description="Personal data." if field.personal else None,
            extensions={GATE_EXTENSION: policy},
        )

    def link_field(self, link: LinkDecl) -> GraphQLField:
        """The declared type's field to the core entity it names (null when out of scope)."""
        target = self.types.schema.type_map[link.to]
        assert isinstance(target, GraphQLObjectType)
        loader = core_loader(link.to)
        by = link.by

        async def resolve(row: Row, info: Info) -> Any:
            key = getattr(row, by)
            if key is None:
                return None
            return await loader(info, key)

        policy = DeclaredGate(self.declared.name, link.name, readers_decisions(self.declared), None)
        return GraphQLField(target, resolve=resolve, extensions={GATE_EXTENSION: policy})

    def connection_type(self, node: GraphQLObjectType) -> GraphQLObjectType:
        page_info = self.types.schema.type_map["PageInfo"]
        assert isinstance(page_info, GraphQLObjectType)
        name = self.declared.name
        edge = GraphQLObjectType(
            f"{name}Edge",
            lambda: {
                "cursor": GraphQLField(
                    GraphQLNonNull(GraphQLString), resolve=lambda e, _: e.encode(e.node)
                ),
                "node": GraphQLField(GraphQLNonNull(node), resolve=lambda e, _: e.node),
            },
        )
        connection_type = GraphQLObjectType(
            f"{name}Connection",
            lambda: {
                "edges": GraphQLField(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(edge))), resolve=_edges
                ),
                "pageInfo": GraphQLField(GraphQLNonNull(page_info), resolve=_page_info),
                "totalCount": GraphQLField(GraphQLNonNull(GraphQLInt), resolve=_total),
                "nodes": GraphQLField(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(node))), resolve=_nodes
                ),
            },
            description=f"A page of {name}s.",
        )
        self.types.add(edge)
        self.types.add(connection_type)
        return connection_type

    def filter_type(self) -> GraphQLInputObjectType | None:
        declared = self.declared
        if not declared.filters:
            return None
        fields = {}
        for name in declared.filters:
            policy = DeclaredGate(
                f"{declared.name}Filter",
                name,
                field_decisions(declared, declared.field(name), self.kind[name]),
                None,
            )
            fields[name] = GraphQLInputField(
                self.types.scalar(self.kind[name]), extensions={GATE_EXTENSION: policy}
            )
        filter_type = GraphQLInputObjectType(
            f"{declared.name}Filter", fields, description="All given conditions must hold."
        )
        self.types.add(filter_type)
        return filter_type

    def page_arguments(self) -> dict[str, GraphQLArgument]:
        arguments = {
            "first": GraphQLArgument(GraphQLInt, default_value=20),
            "after": GraphQLArgument(GraphQLString),
        }
        filter_type = self.types.filters[self.declared.name]
        if filter_type is not None:
            arguments["filter"] = GraphQLArgument(filter_type)
        return arguments

    def readers_policy(self, type_name: str, field: str) -> DeclaredGate:
        """The policy of a link or list of this type: whoever reads the type reads it."""
        return DeclaredGate(type_name, field, readers_decisions(self.declared), None)

    def page_args(self, info: Info, arguments: Mapping[str, Any]) -> tuple[PageRequest, PageArgs]:
        request = page_request(info, arguments.get("first"), arguments.get("after"), self.cursor)
        given = arguments.get("filter") or {}
        equal = tuple(sorted((k, v) for k, v in given.items() if v is not None))
        return request, PageArgs(equal, request.limit, request.after_part())

    def reverse(self, link: LinkDecl) -> None:
        """The core entity's list of this type, e.g. ``Resident.payments``."""
        core = self.types.schema.type_map[link.to]
        assert isinstance(core, GraphQLObjectType)
        loader_class = self.page_loader(link.by)
        attribute = LINK_TARGETS[link.to]
        cursor = self.cursor

        async def resolve(parent: Any, info: Info, **arguments: Any) -> Connection[Row]:
            request, args = self.page_args(info, arguments)
            loaded: Page[Row] = await info.context.loaders[loader_class].load(
                (getattr(parent, attribute), args)
            )
            return page_connection(loaded, request, cursor)

        assert link.reverse is not None
        core.fields[link.reverse] = self.list_field(
            link.to, link.reverse, resolve, f"{self.declared.name}s of this {link.to.lower()}"
        )

    def root_list(self) -> None:
        query = self.types.schema.query_type
        assert query is not None and self.declared.list_field is not None
        declared, cursor = self.declared, self.cursor

        async def resolve(_: Any, info: Info, **arguments: Any) -> Connection[Row]:
            request, args = self.page_args(info, arguments)
            source = info.context.sources.named(declared.source)
            rows, total = await page(source, declared, info.context.viewer.principal, args)
            return connection(rows, request, cursor, known_count(total))

        name = self.declared.list_field
        query.fields[name] = self.list_field(
            "Query", name, resolve, f"{self.declared.name}s in {self.declared.order} order"
        )

    def list_field(
        self, owner: str, name: str, resolve: Callable[..., Any], description: str
    ) -> GraphQLField:
        """A paged list of this type on ``owner``: readable by whoever reads the type."""
        return GraphQLField(
            self.types.connections[self.declared.name],
            args=self.page_arguments(),
            resolve=resolve,
            description=f"{description} ({self.declared.application}).",
            extensions={GATE_EXTENSION: self.readers_policy(owner, name)},
        )


def core_loader(target: str) -> Callable[[Info, Any], Any]:
    """How a link reaches its core entity by id: through the request's loaders (row rules)."""
    if target == "Village":

        async def village(info: Info, code: Any) -> Any:
            return info.context.config.region.village(code)

        return village
    loader = {
        "Resident": ResidentByNikLoader,
        "Officer": OfficerByNipLoader,
        "ServiceRequest": ServiceRequestByTicketLoader,
    }[target]

    async def load(info: Info, key: Any) -> Any:
        return await info.context.loaders[loader].load(key)

    return load


def _edges(c: Connection[Any], _: Info) -> list[Edge[Any]]:
    return [Edge(node=item, encode=c.encode) for item in c.items]


def _nodes(c: Connection[Any], _: Info) -> list[Any]:
    return c.items


def _page_info(c: Connection[Any], _: Info) -> Any:
    return c.position


async def _total(c: Connection[Any], _: Info) -> int:
    return await c.count()
