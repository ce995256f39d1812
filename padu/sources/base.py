"""What every source adapter shares: its pool's lifecycle and counted, guarded round trips."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import asyncpg

from padu.config import SourceConfig
from padu.errors import SourceTimeout, SourceUnavailable
from padu.fairness import current_share
from padu.sources.breaker import CircuitBreaker, CircuitOpen
from padu.sources.trace import current_trace

log = logging.getLogger("padu.sources")
NO_WRITE_KEYS = (
    "has no padu_tulisan table, which Padu's writes need (demo data seeded by an older Padu: "
    "run `padu seed` again)"
)
T = TypeVar("T")

# Errors that mean "the source is unreachable or broken", not "the query is wrong".
_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


class Source:
    """One source system reached through its own asyncpg pool."""

    name: ClassVar[str]

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        self.config = config
        self.dsn = dsn
        self._pool: asyncpg.Pool | None = None
        self.breaker = CircuitBreaker(config.breaker_failures, config.breaker_cooldown)

    async def start(self) -> None:
        """Open the pool; a source that is down at start-up is retried on first use."""
        options: dict[str, Any] = {
            "max_size": self.config.pool_max,
            "timeout": self.config.connect_timeout,
            "command_timeout": self.config.statement_timeout,
            "server_settings": {"application_name": f"padu:{self.name}"},
        }
        try:
            self._pool = await asyncpg.create_pool(
                self.dsn, min_size=self.config.pool_min, **options
            )
        except (TimeoutError, *_UNAVAILABLE) as exc:
            log.warning("source %s unreachable at start-up (%s); will retry on use", self.name, exc)
            self._pool = await asyncpg.create_pool(self.dsn, min_size=0, **options)

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"source {self.name} is not started")
        return self._pool

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection, within the calling caller's share of the pool (padu.fairness).

        Waiting for the share is the caller's own requests queueing behind each other, so it
        has no timeout of its own. Waiting for the pool is bounded by ``connect_timeout``: when
        every connection is busy that is load, not failure (SourceBusy, which the circuit
        breaker does not count); when the pool cannot even connect, the source is down.
        """
        share = current_share.get()
        async with share.slot(self.name, self.config.pool_max) if share else nullcontext():
            try:
                connection = await self.pool.acquire(timeout=self.config.connect_timeout)
            except TimeoutError:
                waited = f"gave no connection within {self.config.connect_timeout:g}s"
                if self._busy():
                    raise SourceBusy(self.name, f"{waited}, all busy; try again") from None
                raise SourceUnavailable(self.name, waited) from None
            try:
                yield connection
            finally:
                await self.pool.release(connection)

    def _busy(self) -> bool:
        """Whether every connection of the pool is open and in use."""
        pool = self.pool
        full: bool = pool.get_size() >= pool.get_max_size()
        return full and pool.get_idle_size() == 0

    @asynccontextmanager
    async def _guarded(self) -> AsyncIterator[None]:
        """Consult the circuit breaker before a call and tell it how the call went."""
        try:
            self.breaker.before_call()
        except CircuitOpen as resting:
            raise SourceUnavailable(
                self.name, f"is failing; calls paused ({resting}) before a new try"
            ) from None
        try:
            yield
        except SourceBusy:  # the pool was full: load, which says nothing of the source's health
            self.breaker.inconclusive()
            raise
        except SourceUnavailable:  # timeouts included: the source did not serve the call
            self.breaker.failed()
            raise
        except BaseException:  # the source answered (an error of the query or the caller)
            self.breaker.succeeded()
            raise
        self.breaker.succeeded()

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        """Run one read as one counted round trip; connection trouble becomes SourceUnavailable.

        Waiting for a connection is bounded by ``connect_timeout`` and the statement by
        ``statement_timeout`` (asyncpg cancels it on the server when it expires). A read
        that fails on a broken connection (e.g. after the server restarted) is retried once
        on a fresh one; reads change nothing, so that is safe. Writes are never retried here.
        """
        async with self._guarded():
            try:
                rows = await self._fetch_once(query, args)
            except _UNAVAILABLE as exc:
                log.info("source %s: retrying a read once after %s", self.name, type(exc).__name__)
                try:
                    rows = await self._fetch_once(query, args)
                except _UNAVAILABLE as again:
                    log.warning("source %s unavailable: %s", self.name, again)
                    raise SourceUnavailable(self.name) from None
        trace = current_trace.get()
        if trace is not None:
            trace.record(self.name, len(rows))
        return rows

    async def _fetch_once(self, query: str, args: tuple[Any, ...]) -> list[asyncpg.Record]:
        async with self._connection() as connection:
            try:
                rows: list[asyncpg.Record] = await connection.fetch(query, *args)
            except TimeoutError:
                limit = self.config.statement_timeout
                raise SourceTimeout(self.name, f"did not answer within {limit:g}s") from None
        return rows

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One transaction, counted as one round trip; connection trouble is SourceUnavailable."""
        async with self._guarded():
            try:
                async with self._connection() as connection, connection.transaction():
                    yield connection
            except TimeoutError:
                raise SourceTimeout(self.name, "did not complete the write in time") from None
            except _UNAVAILABLE as exc:
                log.warning("source %s unavailable during a write: %s", self.name, exc)
                raise SourceUnavailable(self.name) from None
        trace = current_trace.get()
        if trace is not None:
            trace.record(self.name, 0)

    @asynccontextmanager
    async def write(self, key: str) -> AsyncIterator[asyncpg.Connection]:
        """A transaction for one keyed write.

        The key goes into ``padu_tulisan`` in the same transaction, so the write happens at
        most once: a second attempt with the key raises AlreadyApplied and changes nothing.
        """
        async with self.transaction() as connection:
            try:
                claimed = await connection.fetchval(
                    "INSERT INTO padu_tulisan (kunci) VALUES ($1) "
                    "ON CONFLICT (kunci) DO NOTHING RETURNING kunci",
                    key,
                )
            except asyncpg.UndefinedTableError:
                raise SourceUnavailable(self.name, NO_WRITE_KEYS) from None
            if claimed is None:
                raise AlreadyApplied(key)
            yield connection

    async def applied(self, key: str) -> bool:
        """Whether the keyed write ``key`` was committed here."""
        try:
            rows = await self.fetch("SELECT 1 FROM padu_tulisan WHERE kunci = $1", key)
        except asyncpg.UndefinedTableError:
            raise SourceUnavailable(self.name, NO_WRITE_KEYS) from None
        return bool(rows)

    async def ping(self) -> float:
        """Round-trip latency to the source in milliseconds; raises SourceUnavailable if down."""
        started = time.perf_counter()
        await self.fetch("SELECT 1")
        return (time.perf_counter() - started) * 1000


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


class SourceBusy(SourceUnavailable):
    """Every connection of the source's pool stayed in use: Padu's load, not the source's fault."""


class AlreadyApplied(Exception):
    """A keyed write found its key: it was applied before, so it does nothing now."""
