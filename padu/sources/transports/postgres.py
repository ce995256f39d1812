"""PostgreSQL through asyncpg: one pool per source; the server cancels slow statements."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg

from padu.config import SourceConfig
from padu.sources.transports.base import NO_WRITE_KEYS, Faulty, NoConnection, TimedOut, Unreachable
from padu.sources.transports.sql import SqlTransport

log = logging.getLogger("padu.sources")

# Errors that mean "the source is unreachable or broken", not "the query is wrong".
_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


@contextmanager
def _lost_if_closed(connection: asyncpg.Connection) -> Iterator[None]:
    """Report a connection the server closed as broken (Unreachable), not as asyncpg's bug.

    asyncpg reports a connection the server closed while it sat idle in the pool (e.g.
    ``pg_terminate_backend``, a restart) as an InternalClientError when it is next used.
    """
    try:
        yield
    except asyncpg.InternalClientError:
        if not connection.is_closed():
            raise
        raise Unreachable() from None


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing more to undo when a connection goes back to the pool.

    asyncpg rolls back a transaction left open and forgets listeners before calling this; its
    default then sends ``RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()``, one
    more round trip per use. Padu changes no session state on pooled connections: settings
    come with the connection (``server_settings``, ``command_timeout``), locks are
    transaction-scoped (``pg_advisory_xact_lock``), and LISTEN has its own connection.
    """


class PostgresTransport(SqlTransport):
    """A source in PostgreSQL; rows are asyncpg records, parameters ``$1, $2, ...``."""

    kind = "postgres"

    def __init__(self, config: SourceConfig, target: str) -> None:
        super().__init__(config, target)
        self._pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        options: dict[str, Any] = {
            "max_size": self.config.pool_max,
            "timeout": self.config.connect_timeout,
            # asyncpg cancels a statement on the server when this expires.
            "command_timeout": self.config.statement_timeout,
            "server_settings": {"application_name": f"padu:{self.config.name}"},
            "reset": _keep_session,
        }
        try:
            self._pool = await asyncpg.create_pool(
                self.target, min_size=self.config.pool_min, **options
            )
        except (TimeoutError, *_UNAVAILABLE) as exc:
            log.warning(
                "source %s unreachable at start-up (%s); will retry on use", self.config.name, exc
            )
            self._pool = await asyncpg.create_pool(self.target, min_size=0, **options)

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        return self.started(self._pool)

    def busy(self) -> bool:
        pool = self.pool
        full: bool = pool.get_size() >= pool.get_max_size()
        return full and pool.get_idle_size() == 0

    def in_use(self) -> int:
        pool = self._pool
        return 0 if pool is None else pool.get_size() - pool.get_idle_size()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; waiting for one is bounded by ``connect_timeout``."""
        try:
            connection = await self.pool.acquire(timeout=self.config.connect_timeout)
        except TimeoutError:
            raise NoConnection() from None
        try:
            yield connection
        finally:
            await self.pool.release(connection)

    async def fetch(self, query: str, args: Sequence[Any]) -> list[asyncpg.Record]:
        try:
            async with self.connection() as connection:
                with _lost_if_closed(connection):
                    rows: list[asyncpg.Record] = await connection.fetch(query, *args)
        except TimeoutError:
            limit = self.config.statement_timeout
            raise TimedOut(f"did not answer within {limit:g}s") from None
        except _UNAVAILABLE as exc:
            log.info("source %s: connection failed: %s", self.config.name, exc)
            raise Unreachable() from None
        return rows

    async def fetch_dicts(self, query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in await self.fetch(query, args)]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self.connection() as connection:
                with _lost_if_closed(connection):
                    async with connection.transaction():
                        yield connection
        except TimeoutError:
            raise TimedOut("did not complete the write in time") from None
        except _UNAVAILABLE as exc:
            log.warning("source %s unavailable during a write: %s", self.config.name, exc)
            raise Unreachable() from None

    async def claim(self, connection: asyncpg.Connection, key: str) -> bool:
        try:
            claimed = await connection.fetchval(
                "INSERT INTO padu_tulisan (kunci) VALUES ($1) "
                "ON CONFLICT (kunci) DO NOTHING RETURNING kunci",
                key,
            )
        except asyncpg.UndefinedTableError:
            raise Faulty(NO_WRITE_KEYS) from None
        return claimed is not None

    async def applied(self, key: str) -> bool:
        try:
            rows = await self.fetch("SELECT 1 FROM padu_tulisan WHERE kunci = $1", (key,))
        except asyncpg.UndefinedTableError:
            raise Faulty(NO_WRITE_KEYS) from None
        return bool(rows)
