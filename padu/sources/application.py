"""The source of a declared application: a plain plug-in of its configured kind.

It has no adapter of its own: its types' statements (``padu.sources.application_sql``) run
through the transport, guarded, counted and timed like every source's reads, and its
catalogue tells ``padu.declared.catalogue`` what its tables hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from padu.config import SourceConfig
from padu.sources.application_sql import Statement
from padu.sources.base import Source

_POSTGRES_DSN = ("postgresql://", "postgres://")
# Each engine's catalogue: the columns of one table of the current database.
_COLUMNS = {
    "postgres": "SELECT column_name AS name, data_type AS type FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = $1",
    "mysql": "SELECT column_name AS name, data_type AS type FROM information_schema.columns "
    "WHERE table_schema = DATABASE() AND table_name = %s",
}


class ApplicationSource(Source):
    """A declared application's source; its name is the configured one.

    It serves ``padu.loaders.declared``: the rows of one statement of its types.
    """

    @property
    def kind(self) -> str:
        """The engine it runs on (postgres, mysql or http)."""
        return self.config.kind

    async def columns(self, table: str) -> dict[str, str]:
        """Column name → SQL type (lower case) of ``table``; empty when there is no such table."""
        rows = await self.fetch(_COLUMNS[self.kind], table)
        # MariaDB names the catalogue's columns in capitals, PostgreSQL in lower case.
        return {
            str(r.get("name", r.get("NAME"))): str(r.get("type", r.get("TYPE"))).lower()
            for r in rows
        }

    async def rows(self, statement: Statement) -> Sequence[Mapping[str, Any]]:
        rows: Sequence[Mapping[str, Any]] = await self.fetch(statement.sql, *statement.args)
        return rows


def effective_kind(kind: str, target: str) -> str:
    """The engine a source really runs on: a mysql source with no DSN is hosted, like the
    core ones, in the embedded PostgreSQL."""
    if kind == "mysql" and target.startswith(_POSTGRES_DSN):
        return "postgres"
    return kind


def application_source(config: SourceConfig, target: str) -> ApplicationSource:
    """The plug-in for ``config`` reached at ``target`` (a DSN, or a web service's URL)."""
    named = type(f"{config.name.title()}Source", (ApplicationSource,), {"name": config.name})
    source: ApplicationSource = named(
        replace(config, kind=effective_kind(config.kind, target)), target
    )
    return source
