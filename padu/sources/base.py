"""What every source adapter shares: its transport, guarded round trips and paging SQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

import asyncpg

from padu.config import SourceConfig
from padu.sources.breaker import CircuitBreaker
from padu.sources.guard import Guard
from padu.sources.transports import SqlTransport, transport_for
from padu.sources.transports.base import AlreadyApplied as AlreadyApplied  # Source's interface
from padu.sources.transports.http import HttpTransport
from padu.sources.transports.postgres import PostgresTransport
from padu.sources.transports.shape import Shape

T = TypeVar("T")


class Source:
    """One source system: a plug-in over the transport of its configured kind.

    The transport (padu.sources.transports) knows the engine; the guard (padu.sources.guard)
    applies Padu's policy to every call. SQL kinds offer ``fetch`` (the engine's own
    placeholders and rows: asyncpg records for postgres, dicts for mysql), ``fetch_dicts``
    (portable ``$n`` SQL), ``transaction``, ``write`` and ``applied``; http offers ``get``,
    ``fetch_keys`` and ``post``.
    """

    name: ClassVar[str]

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        self.config = config
        self.dsn = dsn
        self.transport = transport_for(config, dsn)
        self.guard = Guard(self.name, config, self.transport)

    @property
    def breaker(self) -> CircuitBreaker:
        """The source's circuit breaker (``/healthz`` shows its state)."""
        return self.guard.breaker

    async def start(self) -> None:
        """Open the pool; a source that is down at start-up is retried on first use."""
        await self.transport.start()

    async def stop(self) -> None:
        await self.transport.stop()

    @property
    def pool(self) -> asyncpg.Pool:
        """The asyncpg pool of a postgres source (for LISTEN and locks the adapters take)."""
        if not isinstance(self.transport, PostgresTransport):
            raise TypeError(f"source {self.name} is {self.config.kind}, not postgres")
        return self.transport.pool

    @property
    def sql(self) -> SqlTransport:
        """The transport of a SQL kind (postgres, mysql)."""
        if not isinstance(self.transport, SqlTransport):
            raise TypeError(f"source {self.name} is {self.config.kind}: it takes no SQL")
        return self.transport

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        """Run one read as one counted round trip; connection trouble becomes SourceUnavailable.

        Waiting for a connection is bounded by ``connect_timeout`` and the statement by
        ``statement_timeout`` (cancelled on the server when it expires). A read that fails
        on a broken connection is retried (``retries``, default once); writes never are.
        """
        sql = self.sql
        return await self.guard.run(
            lambda: sql.fetch(query, args), read=True, rows=len, statement=query
        )

    async def fetch_dicts(self, query: str, *args: Any) -> list[dict[str, Any]]:
        """``fetch`` for portable SQL (``$1, $2, ...`` on every SQL kind), rows as dicts."""
        sql = self.sql
        return await self.guard.run(
            lambda: sql.fetch_dicts(query, args), read=True, rows=len, statement=query
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """One transaction, counted as one round trip; connection trouble is SourceUnavailable."""
        sql = self.sql
        async with self.guard.held(), sql.transaction() as connection:
            yield connection

    @asynccontextmanager
    async def write(self, key: str) -> AsyncIterator[Any]:
        """A transaction for one keyed write.

        The key goes into ``padu_tulisan`` in the same transaction, so the write happens at
        most once: a second attempt with the key raises AlreadyApplied and changes nothing.
        """
        async with self.transaction() as connection:
            if not await self.sql.claim(connection, key):
                raise AlreadyApplied(key)
            yield connection

    async def applied(self, key: str) -> bool:
        """Whether the keyed write ``key`` was committed here."""
        sql = self.sql
        return await self.guard.run(lambda: sql.applied(key), read=True, rows=int)

    async def ping(self) -> float:
        """Round-trip latency to the source in milliseconds; raises SourceUnavailable if down."""
        return await self.guard.run(self.transport.ping, read=True, rows=lambda _: 1)

    @property
    def web(self) -> HttpTransport:
        """The transport of an http source."""
        if not isinstance(self.transport, HttpTransport):
            raise TypeError(f"source {self.name} is {self.config.kind}, not http")
        return self.transport

    async def get(self, path: str) -> Any | None:
        """The JSON answer to GET ``path`` as one counted round trip; None for 404."""
        web = self.web
        return await self.guard.run(
            lambda: web.get(path), read=True, rows=_answered, statement="GET"
        )

    async def fetch_keys(
        self, keys: Sequence[str], shape: Shape, *, path: str | None = None
    ) -> list[dict[str, Any] | None]:
        """The objects for ``keys``, aligned (None where missing), each checked against ``shape``.

        One batch call (one round trip) where the service has a batch path, retried only if
        the batch is marked safe; else one GET per key (one round trip each), at most
        ``max_concurrent`` in flight. ``path`` overrides the configured batch or item path.
        """
        web = self.web
        batch = "{key}" not in path if path else web.service.batch_path is not None
        if batch:
            return await self.guard.run(
                lambda: web.batch(keys, shape, path),
                read=web.service.batch_safe,
                rows=_found,
                statement=f"POST {path or web.service.batch_path}",
            )
        in_flight = asyncio.Semaphore(web.service.max_concurrent)

        async def one(key: str) -> dict[str, Any] | None:
            async with in_flight:
                return await self.guard.run(
                    lambda: web.one(key, shape, path),
                    read=True,
                    rows=_answered,
                    statement=f"GET {path or web.service.item_path}",
                )

        answers = await asyncio.gather(*(one(key) for key in keys), return_exceptions=True)
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return cast(list[dict[str, Any] | None], answers)

    async def post(self, path: str, body: Any, *, key: str) -> Any:
        """One keyed write (never retried); AlreadyApplied if the service had ``key`` before."""
        web = self.web
        return await self.guard.run(
            lambda: web.post(path, body, key), read=False, rows=_answered, statement=f"POST {path}"
        )


def _answered(answer: Any) -> int:
    return int(answer is not None)


def _found(answers: list[dict[str, Any] | None]) -> int:
    return sum(map(_answered, answers))


@dataclass(frozen=True, slots=True)
class Ranked(Generic[T]):
    """A row of a paged list: the item, its parent's total, and whether it is on the page."""

    item: T
    total: int
    in_page: bool


class Where:
    """A WHERE clause built from only the conditions a request uses, with numbered parameters.

    Optional filters written as ``$1 IS NULL OR col = $1`` defeat PostgreSQL's generic plans;
    building the clause from the filters actually given keeps every statement index-friendly.
    """

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.args: list[Any] = []

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, condition: str) -> None:
        self.conditions.append(condition)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "TRUE"


def like_pattern(text: str) -> str:
    """A case-insensitive 'contains' pattern for LIKE, with the user's wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_per_parent(
    *,
    columns: str,
    tables: str,
    parent: str,
    where: Where,
    after: str | None,
    order: str,
    limit: int,
) -> str:
    """One statement returning the first ``limit`` rows after ``after`` for every parent.

    Each row carries ``total``, the parent's row count under ``where`` (cursor ignored), and
    ``in_page``. A parent whose rows all lie before the cursor still gets one row, with
    ``in_page`` false, so its total is known.
    """
    position = after or "TRUE"
    return f"""
        SELECT * FROM (
            SELECT {columns},
                   {position} AS in_page,
                   count(*) OVER (PARTITION BY {parent}) AS total,
                   count(*) FILTER (WHERE {position}) OVER (PARTITION BY {parent}) AS remaining,
                   row_number() OVER (PARTITION BY {parent}, {position} ORDER BY {order}) AS n
            FROM {tables}
            WHERE {where.sql}
        ) s
        WHERE (in_page AND n <= {where.param(limit)}) OR (remaining = 0 AND n = 1)
        ORDER BY n
    """


def ranked(rows: list[asyncpg.Record], make: Callable[[asyncpg.Record], T]) -> list[Ranked[T]]:
    """Records of a ``page_per_parent`` statement, with their parent's total and page flag."""
    return [Ranked(make(r), int(r["total"]), r["in_page"]) for r in rows]


def page_with_total(
    *, columns: str, tables: str, where: Where, after: str | None, order: str, limit: int
) -> str:
    """One statement returning a single list's page after ``after`` and its total under ``where``.

    The count runs once beside an index-ordered, limited page; an empty page still yields one
    row (its columns null) that carries the total.
    """
    position = f"AND {after}" if after else ""
    return f"""
        SELECT counted.total, page.*
        FROM (SELECT count(*) AS total FROM {tables} WHERE {where.sql}) counted
        LEFT JOIN LATERAL (
            SELECT {columns}, row_number() OVER (ORDER BY {order}) AS n
            FROM {tables}
            WHERE {where.sql} {position}
            ORDER BY {order}
            LIMIT {where.param(limit)}
        ) page ON TRUE
        ORDER BY page.n
    """


def counted_page(
    rows: list[asyncpg.Record], make: Callable[[asyncpg.Record], T]
) -> tuple[list[T], int]:
    """The items and total of a ``page_with_total`` statement."""
    return [make(r) for r in rows if r["n"] is not None], int(rows[0]["total"])
