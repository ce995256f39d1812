"""A declaration checked against its source's catalogue, and each field's GraphQL type read there.

At start-up every declared table must exist with every declared column, and a type declared
for a field must be one its column can hold; otherwise start-up stops with the file, the key
and the reason. A field declared without a type takes its column's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Protocol, cast

from padu.config import Config, ConfigError
from padu.declared.declaration import ApplicationDecl, TypeDecl
from padu.errors import SourceUnavailable
from padu.sources.application_web import MalformedAnswer
from padu.sources.transports.base import Faulty

log = logging.getLogger("padu.declared")

# What each family of SQL column types may be read as, the first being the default.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "int": ("Int", "ID", "Float", "String"),
    "bigint": ("ID", "String", "Float"),  # beyond GraphQL's 32-bit Int
    "float": ("Float", "String"),
    "text": ("String", "ID", "NIK", "NIP"),
    "date": ("Date", "String"),
    "datetime": ("DateTime", "String"),
    "bool": ("Boolean",),
}
_SQL_TYPES = {
    "smallint": "int", "integer": "int", "int": "int", "mediumint": "int", "tinyint": "int",
    "bigint": "bigint",
    "numeric": "float", "decimal": "float", "real": "float", "double precision": "float",
    "double": "float", "float": "float",
    "text": "text", "character varying": "text", "varchar": "text", "character": "text",
    "char": "text", "mediumtext": "text", "longtext": "text", "tinytext": "text",
    "date": "date",
    "timestamp with time zone": "datetime", "timestamp without time zone": "datetime",
    "timestamp": "datetime", "datetime": "datetime",
    "boolean": "bool",
}  # fmt: skip


class CatalogueSource(Protocol):
    """What the check asks of a SQL source: the columns of one of its tables, by type."""

    async def columns(self, table: str) -> dict[str, str]: ...


class SampledSource(Protocol):
    """What the check asks of a web service: one item of a type's list, checked."""

    async def sample(self, declared: TypeDecl) -> None: ...


async def field_kinds(
    config: Config, sources: Mapping[str, CatalogueSource | SampledSource]
) -> dict[tuple[str, str], str]:
    """Each declared field's GraphQL scalar name, keyed by (type, field), checked at the source.

    A SQL source's catalogue must hold every table and column; a web service's sample answer
    must fit every declared field (its types are all declared: it has no catalogue).
    """
    kinds: dict[tuple[str, str], str] = {}
    for app in config.applications:
        source = sources[app.source]
        try:
            for declared in app.types:
                if declared.endpoint is not None:
                    await _sampled(config, app, declared, cast(SampledSource, source))
                    kinds.update(_as_declared(declared))
                    continue
                columns = await cast(CatalogueSource, source).columns(declared.table)
                kinds.update(_checked(config, app, declared, columns))
        except SourceUnavailable as down:
            kinds.update(_unchecked(config, app, down))
    return kinds


def _unchecked(
    config: Config, app: ApplicationDecl, down: SourceUnavailable
) -> dict[tuple[str, str], str]:
    """A source down at start-up: served as declared (its fields are null until it is back),
    if every field declares its type; else there is nothing to serve it by."""
    known = declared_kinds([app])
    if known is None:
        raise ConfigError(
            config.file,
            f"applications.{app.name}.source",
            f"{down} Fields without a declared type need its catalogue: declare their types "
            "or start Padu once the source is up",
        )
    log.warning("%s; serving application %s as declared, unchecked", down, app.name)
    return known


async def _sampled(
    config: Config, app: ApplicationDecl, declared: TypeDecl, source: SampledSource
) -> None:
    """Stop start-up when the service's sample answer does not fit the declaration."""
    where = f"applications.{app.name}.types.{declared.name}"
    try:
        await source.sample(declared)
    except MalformedAnswer as bad:
        key = f"{where}.fields.{bad.field}.path" if bad.field else f"{where}.endpoint"
        raise ConfigError(config.file, key, f"source {app.source} {bad.reason}") from None
    except Faulty as refused:
        credentials = "credentials" in (refused.reason or "")
        key = f"sources.{app.source}.token" if credentials else f"{where}.endpoint"
        raise ConfigError(config.file, key, f"source {app.source} {refused.reason}") from None


def _as_declared(declared: TypeDecl) -> dict[tuple[str, str], str]:
    return {(declared.name, f.name): f.type or "String" for f in declared.fields}


def _checked(
    config: Config, app: ApplicationDecl, declared: TypeDecl, columns: Mapping[str, str]
) -> dict[tuple[str, str], str]:
    where = f"applications.{app.name}.types.{declared.name}"
    if not columns:
        reason = f"source {app.source} has no table `{declared.table}`"
        if app.demo is not None and config.sources[app.source].embedded:
            reason += (
                f" yet: its bundled demo data ({app.demo}) is loaded by the first `make run` "
                "(or `padu seed`)"
            )
        raise ConfigError(config.file, f"{where}.table", reason)
    kinds = {}
    for field in declared.fields:
        key = f"{where}.fields.{field.name}"
        column_type = columns.get(field.column)
        if column_type is None:
            raise ConfigError(
                config.file, key, f"table `{declared.table}` has no column `{field.column}`"
            )
        family = _FAMILIES.get(_SQL_TYPES.get(column_type, ""), ("String",))
        if field.type is None:
            # The key is an ID (opaque to clients) wherever its column allows.
            keyed = field.name == declared.key and "ID" in family
            kinds[(declared.name, field.name)] = "ID" if keyed else family[0]
        elif field.type in family:
            kinds[(declared.name, field.name)] = field.type
        else:
            raise ConfigError(
                config.file,
                f"{key}.type",
                f"column `{field.column}` is {column_type}, which cannot be read as {field.type} "
                f"(it can be {', '.join(family)})",
            )
    return kinds


def declared_kinds(apps: Sequence[ApplicationDecl]) -> dict[tuple[str, str], str] | None:
    """Each field's type as declared, when every field declares one (no catalogue needed)."""
    kinds = {(t.name, f.name): f.type for app in apps for t in app.types for f in t.fields}
    if any(kind is None for kind in kinds.values()):
        return None
    return {key: kind for key, kind in kinds.items() if kind is not None}
