"""Declared applications as typed, frozen records, parsed from their ``padu.toml`` tables.

::

    [applications.e_pembayaran]
    source = "payments"                      # a [sources.payments] table: kind, dsn or url
    description = "e-Pembayaran: local taxes and fees"

    [applications.e_pembayaran.types.Payment]
    table = "pembayaran"
    key = "id_pembayaran"                    # unique; GraphQL `id`
    order = "id_pembayaran"                  # unique and indexed: keyset pages
    read = ["admin", "citizen", "dashboard"] # roles that may read the type at all
    list = "payments"                        # optional: Query.payments(first, after, filter)
    rows = { citizen = "nik" }               # a citizen's rows: those whose `nik` is theirs
    filters = ["status", "kind"]
    links.resident = { to = "Resident", by = "nik", reverse = "payments" }

    [applications.e_pembayaran.types.Payment.fields]
    receiptNumber = { column = "no_kuitansi" }
    amount = { column = "jumlah", type = "Int" }
    nik = { column = "nik", personal = true }   # audited; masked for caseworkers

An application behind a JSON web service (a ``kind = "http"`` source) declares endpoints
instead of tables, and JSON paths instead of columns; a web service has no catalogue, so every
field declares its type::

    [applications.e_puskesmas.types.HealthVisit]
    endpoint = "/kunjungan"                  # GET ?field=value&after=&limit= -> {items, total}
    batch = "/kunjungan/cari"                # optional: many parents in one POST
    key = "id"
    links.resident = { to = "Resident", by = "nik", reverse = "healthVisits" }

    [applications.e_puskesmas.types.HealthVisit.fields]
    id = { path = "id", type = "ID" }
    puskesmas = { path = "puskesmas.nama", type = "String" }

A problem is a ``DeclarationError`` naming the key below ``applications.`` and the reason;
configuration loading adds the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from padu.principal import Role

# The core entities a declared type may link to, and their record's identifying attribute.
LINK_TARGETS = {
    "Resident": "nik", "Officer": "nip", "Village": "code", "ServiceRequest": "ticket_number",
}  # fmt: skip
SCALARS = ("String", "Int", "Float", "Boolean", "ID", "Date", "DateTime", "NIK", "NIP")
ROW_RULES = ("all", "none")  # besides a field name: rows whose field holds the caller's id
_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
_FIELD = re.compile(r"[a-z][A-Za-z0-9]{0,63}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_ROLES = {role.value: role for role in Role if role is not Role.ANONYMOUS}
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}")
_ENDPOINT = re.compile(r"/[A-Za-z0-9_./:-]{0,200}")


class DeclarationError(ValueError):
    """A declaration that cannot be served: ``key`` (below ``applications.``) and why."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key, self.reason = key, reason


@dataclass(frozen=True, slots=True)
class FieldDecl:
    """One GraphQL field of a declared type, read from one column (or JSON path)."""

    name: str
    column: str  # the column; for a web service, the dotted JSON path in each object
    type: str | None  # None: read from the source's catalogue
    personal: bool  # personal data: audited, masked for caseworkers, never for dashboards
    read: frozenset[Role] | None  # who reads it; None: whoever reads the type
    param: str | None = None  # a web service's query parameter for it (a top-level path's own)


@dataclass(frozen=True, slots=True)
class LinkDecl:
    """A link to a core entity, declared once and served both ways."""

    name: str  # the field on the declared type, e.g. Payment.resident
    to: str  # Resident, Officer, Village or ServiceRequest
    by: str  # the declared field holding the core entity's id
    reverse: str | None  # the list on the core type, e.g. Resident.payments


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a web service lists a declared type (see ``padu.sources.application_web``)."""

    path: str  # GET path?field=value&after=&limit= -> the items and their total
    batch: str | None  # POST {by, keys, where, after, limit} -> one group per key
    items: str  # the JSON path of the items in the list's answer
    total: str  # the JSON path of the total in the list's answer


@dataclass(frozen=True, slots=True)
class TypeDecl:
    """One declared GraphQL type over one table (or endpoint) of its application's source."""

    name: str
    application: str
    source: str
    table: str  # empty for a web service's type, which has an endpoint instead
    key: str  # the field that is the type's key
    order: str  # the field pages are ordered by (unique)
    fields: tuple[FieldDecl, ...]
    links: tuple[LinkDecl, ...]
    filters: tuple[str, ...]
    read: frozenset[Role]
    rows: Mapping[Role, str]  # per role: "all", "none" or the field holding the caller's id
    description: str
    list_field: str | None  # a Query field listing the type, e.g. `payments`
    endpoint: Endpoint | None = None  # for a web service's type

    def field(self, name: str) -> FieldDecl:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True, slots=True)
class ApplicationDecl:
    """One declared application: its source and its types."""

    name: str
    source: str
    description: str
    types: tuple[TypeDecl, ...]
    demo: str | None = None  # bundled demo data (padu.sources.demo.applications), if any


def parse_applications(
    tables: Mapping[str, Any], sources: Mapping[str, object]
) -> tuple[ApplicationDecl, ...]:
    """Every ``[applications.NAME]`` table, checked against itself and the configured sources.

    What needs the source (tables and columns exist, types agree) is checked at start-up by
    ``padu.declared.catalogue``; this checks what the declaration alone can show.
    """
    apps = tuple(_application(name, table, sources) for name, table in tables.items())
    seen: dict[str, str] = {}
    for app in apps:
        for declared in app.types:
            if declared.name in seen or declared.name in LINK_TARGETS:
                other = seen.get(declared.name, "the core schema")
                raise DeclarationError(
                    f"{app.name}.types.{declared.name}", f"is already declared by {other}"
                )
            seen[declared.name] = f"applications.{app.name}"
    return apps


def _application(name: str, table: Any, sources: Mapping[str, object]) -> ApplicationDecl:
    where = name
    if not _IDENTIFIER.fullmatch(name):
        raise DeclarationError(where, "an application name is letters, digits and _")
    table = _table(where, table)
    _known(where, table, ("source", "description", "types", "demo"))
    source = _text(where, table, "source")
    if source not in sources:
        raise DeclarationError(f"{where}.source", f"names no [sources.{source}] table")
    web = getattr(sources[source], "kind", None) == "http"
    types = _table(f"{where}.types", table.get("types", {}))
    if not types:
        raise DeclarationError(f"{where}.types", "declares no type")
    parsed = tuple(
        _type(f"{where}.types.{type_name}", type_name, name, source, value, web)
        for type_name, value in types.items()
    )
    demo = table.get("demo")
    if demo is not None and not (isinstance(demo, str) and _IDENTIFIER.fullmatch(demo)):
        raise DeclarationError(f"{where}.demo", "names a bundled demo, e.g. e_pembayaran")
    return ApplicationDecl(name, source, str(table.get("description", "")), parsed, demo)


_TYPE_KEYS = (
    "key", "order", "fields", "links", "filters", "read", "rows", "description", "list",
)  # fmt: skip
_SQL_TYPE_KEYS = ("table", *_TYPE_KEYS)
_WEB_TYPE_KEYS = ("endpoint", "batch", "items", "total", *_TYPE_KEYS)


def _type(where: str, name: str, application: str, source: str, value: Any, web: bool) -> TypeDecl:
    if not _NAME.fullmatch(name):
        raise DeclarationError(where, "a type name starts with a capital letter (e.g. Payment)")
    table = _table(where, value)
    _known(where, table, _WEB_TYPE_KEYS if web else _SQL_TYPE_KEYS)
    fields = tuple(
        _field(f"{where}.fields.{field}", field, spec, web)
        for field, spec in _table(f"{where}.fields", table.get("fields", {})).items()
    )
    if not fields:
        raise DeclarationError(f"{where}.fields", "declares no field")
    names = {f.name for f in fields}
    key = _text(where, table, "key")
    if key not in names:
        raise DeclarationError(f"{where}.key", f"{key!r} is not one of its fields")
    order = str(table.get("order", key))
    if order not in names:
        raise DeclarationError(f"{where}.order", f"{order!r} is not one of its fields")
    read = _roles(f"{where}.read", table.get("read", ["admin"]))
    rows = _rows(f"{where}.rows", table.get("rows", {}), names, read)
    filters = tuple(_names(f"{where}.filters", table.get("filters", [])))
    for filtered in filters:
        if filtered not in names:
            raise DeclarationError(f"{where}.filters", f"{filtered!r} is not one of its fields")
    links = tuple(
        _link(f"{where}.links.{link}", link, spec, names)
        for link, spec in _table(f"{where}.links", table.get("links", {})).items()
    )
    if web:
        # What a request names (filters, row rules, the parent of a list, the cursor) is a
        # query parameter: a top-level member of each object.
        asked = {*filters, *rows.values(), *(link.by for link in links), order}
        for field in fields:
            if field.name in asked and field.param is None:
                raise DeclarationError(
                    f"{where}.fields.{field.name}.param",
                    f"is required: the field is filtered, paged or linked by, and its path "
                    f"{field.column} is nested, so name the query parameter the service takes",
                )
    return TypeDecl(
        name=name,
        application=application,
        source=source,
        table="" if web else _identifier(f"{where}.table", _text(where, table, "table")),
        key=key,
        order=order,
        fields=fields,
        links=links,
        filters=filters,
        read=read,
        rows=rows,
        description=str(table.get("description", "")),
        list_field=_optional_field_name(f"{where}.list", table.get("list")),
        endpoint=_endpoint(where, table) if web else None,
    )


def _endpoint(where: str, table: Mapping[str, Any]) -> Endpoint:
    path = _text(where, table, "endpoint")
    if not _ENDPOINT.fullmatch(path):
        raise DeclarationError(f"{where}.endpoint", "is a path on the service, e.g. /visits")
    batch = table.get("batch")
    if batch is not None and not (isinstance(batch, str) and _ENDPOINT.fullmatch(batch)):
        raise DeclarationError(f"{where}.batch", "is a path on the service, e.g. /visits:batch")
    return Endpoint(
        path,
        batch,
        _path(f"{where}.items", str(table.get("items", "items"))),
        _path(f"{where}.total", str(table.get("total", "total"))),
    )


def _optional_field_name(where: str, value: Any) -> str | None:
    if value is not None and not (isinstance(value, str) and _FIELD.fullmatch(value)):
        raise DeclarationError(where, "must be a camelCase field name")
    return value


def _field(where: str, name: str, spec: Any, web: bool) -> FieldDecl:
    if not _FIELD.fullmatch(name):
        raise DeclarationError(where, "a field name is camelCase letters and digits")
    spec = _table(where, spec)
    located = ("path", "param") if web else ("column",)
    _known(where, spec, (*located, "type", "personal", "read"))
    kind = spec.get("type")
    if web and kind is None:
        raise DeclarationError(
            f"{where}.type", f"is required: a web service has no catalogue ({', '.join(SCALARS)})"
        )
    if kind is not None and kind not in SCALARS:
        raise DeclarationError(f"{where}.type", f"{kind!r} is not one of {', '.join(SCALARS)}")
    personal = spec.get("personal", False)
    if not isinstance(personal, bool):
        raise DeclarationError(f"{where}.personal", "must be true or false")
    read = None if "read" not in spec else _roles(f"{where}.read", spec["read"])
    if not web:
        column = _identifier(f"{where}.column", str(spec.get("column", name)))
        return FieldDecl(name, column, kind, personal, read)
    column = _path(f"{where}.path", str(spec.get("path", name)))
    param = spec.get("param", None if "." in column else column)
    if param is not None and not (isinstance(param, str) and _IDENTIFIER.fullmatch(param)):
        raise DeclarationError(f"{where}.param", "is a query parameter name (letters, digits, _)")
    if param in ("after", "limit"):
        raise DeclarationError(f"{where}.param", f"`{param}` is Padu's own paging parameter")
    return FieldDecl(name, column, kind, personal, read, param)


def _link(where: str, name: str, spec: Any, fields: set[str]) -> LinkDecl:
    if not _FIELD.fullmatch(name) or name in fields:
        raise DeclarationError(where, "a link is a new camelCase field name")
    spec = _table(where, spec)
    _known(where, spec, ("to", "by", "reverse"))
    to = _text(where, spec, "to")
    if to not in LINK_TARGETS:
        raise DeclarationError(f"{where}.to", f"links to one of {', '.join(LINK_TARGETS)}")
    by = _text(where, spec, "by")
    if by not in fields:
        raise DeclarationError(f"{where}.by", f"{by!r} is not one of the type's fields")
    reverse = _optional_field_name(f"{where}.reverse", spec.get("reverse"))
    return LinkDecl(name, to, by, reverse)


def _rows(where: str, value: Any, fields: set[str], read: frozenset[Role]) -> dict[Role, str]:
    """Each reading role's row rule; citizens and caseworkers see none unless declared."""
    given = _table(where, value)
    rows: dict[Role, str] = {}
    for role in read:
        default = "all" if role in (Role.ADMIN, Role.DASHBOARD) else "none"
        rule = given.get(role.value, default)
        if rule not in ROW_RULES and rule not in fields:
            raise DeclarationError(
                f"{where}.{role.value}", f"is 'all', 'none' or a field of the type, not {rule!r}"
            )
        rows[role] = str(rule)
    for extra in set(given) - {role.value for role in read}:
        raise DeclarationError(f"{where}.{extra}", "names a role that may not read the type")
    return rows


def _roles(where: str, value: Any) -> frozenset[Role]:
    names = _names(where, value)
    unknown = [n for n in names if n not in _ROLES]
    if unknown:
        raise DeclarationError(where, f"{unknown[0]!r} is not one of {', '.join(_ROLES)}")
    return frozenset(_ROLES[n] for n in names)


def _names(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DeclarationError(where, "must be a list of names")
    return value


def _table(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DeclarationError(where, "must be a table")
    return value


def _text(where: str, table: Mapping[str, Any], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise DeclarationError(f"{where}.{key}", "is required (a non-empty string)")
    return value


def _identifier(where: str, value: str) -> str:
    """A table or column name, safe to quote into SQL (letters, digits, _)."""
    if not _IDENTIFIER.fullmatch(value):
        raise DeclarationError(where, f"{value!r} is not a plain table or column name")
    return value


def _path(where: str, value: str) -> str:
    """A JSON path: member names joined by dots (e.g. ``puskesmas.nama``)."""
    if not _PATH.fullmatch(value):
        raise DeclarationError(where, f"{value!r} is not a JSON path like member.member")
    return value


def _known(where: str, table: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for unknown in sorted(set(table) - set(keys)):
        raise DeclarationError(f"{where}.{unknown}", f"is not a known key ({', '.join(keys)})")
