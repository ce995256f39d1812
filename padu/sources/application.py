"""The source of a declared application: a plain plug-in of its configured kind.

It has no adapter of its own. It answers two questions about any declared type, the same on
every kind: ``page`` (one list's page and total) and ``pages`` (the first page of many
parents' lists at once). On SQL kinds they are the type's statements
(``padu.sources.application_sql``); on a web service, its list and batch calls
(``padu.sources.application_web``). Either way each call runs through the guard, counted and
timed like every source's reads. A SQL source's catalogue tells ``padu.declared.catalogue``
what its tables hold; a web service's sample answer is checked against the declaration.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from padu.config import SourceConfig
from padu.declared.declaration import TypeDecl
from padu.errors import SourceUnavailable
from padu.sources.application_sql import DIALECTS, IN_PAGE, TOTAL, Statement, Statements
from padu.sources.application_web import Record, WebType
from padu.sources.base import Ranked, Source
from padu.sources.transports.base import NoConnection, TimedOut, Unreachable

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

    It serves ``padu.loaders.declared``: pages of its types' records.
    """

    def __init__(self, config: SourceConfig, target: str) -> None:
        super().__init__(config, target)
        self._statements: dict[str, Statements] = {}
        self._readers: dict[str, WebType] = {}
        self.zone = ZoneInfo(config.timezone)

    def _record(self, row: Mapping[str, Any], names: Sequence[str]) -> Record:
        """A row's values by field name; a time without a zone is in the source's ``timezone``."""
        record = {n: row[n] for n in names}
        for name, value in record.items():
            if isinstance(value, datetime) and value.tzinfo is None:
                record[name] = value.replace(tzinfo=self.zone)
        return record

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

    def statements(self, declared: TypeDecl) -> Statements:
        """``declared``'s statements in this source's dialect, written once per type."""
        made = self._statements.get(declared.name)
        if made is None or made.declared is not declared:
            made = self._statements[declared.name] = Statements(declared, DIALECTS[self.kind])
        return made

    async def page(
        self, declared: TypeDecl, equal: Mapping[str, Any], after: Any | None, limit: int
    ) -> tuple[list[Record], int]:
        """The first ``limit`` records after ``after`` meeting ``equal``, and how many meet it."""
        records = await self.rows(self.statements(declared).page(equal, after, limit))
        total = int(records[0][TOTAL]) if records else 0
        names = [f.name for f in declared.fields]
        page = [self._record(r, names) for r in records if r[declared.order] is not None]
        return page, total

    async def pages(
        self,
        declared: TypeDecl,
        parent: str,
        parents: Sequence[Any],
        equal: Mapping[str, Any],
        after: Any | None,
        limit: int,
    ) -> list[Ranked[Record]]:
        """Every parent's first ``limit`` records after ``after``, each with its parent's total
        (a parent with records, none on the page, gets one record not on it, for the total)."""
        statement = self.statements(declared).page_per_parent(parent, parents, equal, after, limit)
        names = [f.name for f in declared.fields]
        return [
            Ranked(self._record(r, names), int(r[TOTAL]), bool(r[IN_PAGE]))
            for r in await self.rows(statement)
        ]


class WebApplicationSource(ApplicationSource):
    """A declared application behind a JSON web service (``kind = "http"``)."""

    def reader(self, declared: TypeDecl) -> WebType:
        """``declared``'s requests and answers, made once per type."""
        made = self._readers.get(declared.name)
        if made is None or made.declared is not declared:
            made = self._readers[declared.name] = WebType(declared)
        return made

    async def columns(self, table: str) -> dict[str, str]:
        raise TypeError(f"source {self.name} is a web service: it has no catalogue")

    async def page(
        self, declared: TypeDecl, equal: Mapping[str, Any], after: Any | None, limit: int
    ) -> tuple[list[Record], int]:
        reader, web = self.reader(declared), self.web

        async def call() -> tuple[list[Record], int]:
            answer = await web.read(reader.endpoint.path, params=reader.query(equal, after, limit))
            return reader.listed(answer)

        return await self.guard.run(
            call, read=True, rows=lambda listed: len(listed[0]), statement=reader.list_call
        )

    async def pages(
        self,
        declared: TypeDecl,
        parent: str,
        parents: Sequence[Any],
        equal: Mapping[str, Any],
        after: Any | None,
        limit: int,
    ) -> list[Ranked[Record]]:
        """One batch call where the service has one; else one list call per parent, at most
        ``max_concurrent`` in flight."""
        reader, web = self.reader(declared), self.web
        if not parents:
            return []
        if reader.endpoint.batch is not None:
            batch = reader.endpoint.batch

            async def call() -> dict[str, tuple[list[Record], int]]:
                body = reader.search(parent, parents, equal, after, limit)
                return reader.grouped(await web.read(batch, body=body))

            found = await self.guard.run(call, read=True, rows=_items, statement=reader.search_call)
        else:
            in_flight = asyncio.Semaphore(web.service.max_concurrent)

            async def one(key: Any) -> tuple[list[Record], int]:
                async with in_flight:
                    return await self.page(declared, {**equal, parent: key}, after, limit)

            answers = await asyncio.gather(*(one(key) for key in parents))
            found = {str(key): answer for key, answer in zip(parents, answers, strict=True)}
        ranked: list[Ranked[Record]] = []
        for key in parents:
            items, total = found.get(str(key), ([], 0))
            ranked.extend(Ranked(item, total, True) for item in items[:limit])
            if not items and total:  # all before the cursor: carry the total alone
                empty: Record = {f.name: None for f in declared.fields}
                ranked.append(Ranked({**empty, parent: key}, total, False))
        return ranked

    async def sample(self, declared: TypeDecl) -> None:
        """Check one item of ``declared``'s list against its declaration (at start-up).

        Raises MalformedAnswer naming the field that does not fit, SourceUnavailable when the
        service cannot be asked, Faulty when it refuses (a wrong path or credentials).
        """
        reader = self.reader(declared)
        try:
            answer = await self.web.read(reader.endpoint.path, params=reader.query({}, None, 1))
        except (Unreachable, TimedOut, NoConnection) as down:
            raise SourceUnavailable(self.name, down.reason or "could not be reached") from None
        reader.listed(answer)


def _items(groups: Mapping[str, tuple[list[Record], int]]) -> int:
    return sum(len(items) for items, _ in groups.values())


def effective_kind(kind: str, target: str) -> str:
    """The engine a source really runs on: a mysql source with no DSN is hosted, like the
    core ones, in the embedded PostgreSQL."""
    if kind == "mysql" and target.startswith(_POSTGRES_DSN):
        return "postgres"
    return kind


def application_source(config: SourceConfig, target: str) -> ApplicationSource:
    """The plug-in for ``config`` reached at ``target`` (a DSN, or a web service's URL)."""
    base = WebApplicationSource if config.kind == "http" else ApplicationSource
    named = type(f"{config.name.title()}Source", (base,), {"name": config.name})
    source: ApplicationSource = named(
        replace(config, kind=effective_kind(config.kind, target)), target
    )
    return source
