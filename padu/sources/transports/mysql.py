"""MySQL and MariaDB through asyncmy: one pool per source; slow statements stopped on the server.

Parameters are ``%s`` (the driver's format style; a literal ``%`` is written ``%%``);
``fetch_dicts`` takes portable ``$n`` SQL instead (padu.sources.transports.sql). Rows are
dicts. A statement is limited twice: by the server (MariaDB's ``max_statement_time``, MySQL's
``max_execution_time``, set per connection), and by the client a moment later, which then
sends ``KILL QUERY`` from another connection so the server stops working for nobody.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncmy
from asyncmy.connection import Connection
from asyncmy.cursors import DictCursor
from asyncmy.errors import IntegrityError, InterfaceError, MySQLError

from padu.config import SourceConfig
from padu.sources.transports.base import NO_WRITE_KEYS, Faulty, NoConnection, TimedOut, Unreachable
from padu.sources.transports.sql import SqlTransport, numbered_to_format

log = logging.getLogger("padu.sources")

# Statement stopped: by max_statement_time (MariaDB 1969), max_execution_time (MySQL 3024),
# or KILL QUERY (1317).
_TIMED_OUT = {1969, 3024, 1317}
# Cannot connect, connection lost or refused, server going away, wrong credentials or database.
_UNREACHABLE = {1040, 1044, 1045, 1049, 1053, 1927, 2002, 2003, 2005, 2006, 2013, 2055, 4031}
_NO_SUCH_TABLE = 1146
_DUPLICATE_KEY = 1062
# The client waits this much longer than the server's limit, so the server's cleaner stop
# (which keeps the connection) normally comes first.
CLIENT_GRACE = 0.25

WRITE_KEYS_TABLE = """
CREATE TABLE IF NOT EXISTS padu_tulisan (
    kunci VARCHAR(200) NOT NULL PRIMARY KEY,
    waktu TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE = InnoDB
"""


def connect_options(dsn: str) -> dict[str, Any]:
    """asyncmy's connection arguments from ``mysql://user:password@host:port/database``."""
    url = urlsplit(dsn)
    return {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 3306,
        "user": unquote(url.username or ""),
        "password": unquote(url.password or ""),
        "database": unquote(url.path.lstrip("/")) or None,
    }


def _code(error: MySQLError) -> int | None:
    code = error.args[0] if error.args else None
    return code if isinstance(code, int) else None


class MysqlTransport(SqlTransport):
    """A source in MySQL or MariaDB; rows are dicts, parameters ``%s``."""

    kind = "mysql"

    def __init__(self, config: SourceConfig, target: str) -> None:
        super().__init__(config, target)
        self.options = {**connect_options(target), "connect_timeout": config.connect_timeout}
        self._pool: asyncmy.Pool | None = None
        self._limited: weakref.WeakSet[Connection] = weakref.WeakSet()
        self._killers: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        options = {**self.options, "maxsize": self.config.pool_max, "autocommit": True}
        try:
            with self._translated():
                self._pool = await asyncmy.create_pool(minsize=self.config.pool_min, **options)
        except Unreachable:
            log.warning("source %s unreachable at start-up; will retry on use", self.config.name)
            self._pool = await asyncmy.create_pool(minsize=0, **options)

    async def stop(self) -> None:
        if self._pool is not None:
            self._pool.close()
            await self._pool.wait_closed()
            self._pool = None
        for killer in list(self._killers):
            await killer

    @property
    def pool(self) -> asyncmy.Pool:
        return self.started(self._pool)

    def busy(self) -> bool:
        pool = self.pool
        full: bool = pool.size >= pool.maxsize
        return full and pool.freesize == 0

    def in_use(self) -> int:
        pool = self._pool
        return 0 if pool is None else int(pool.size - pool.freesize)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """The driver's errors as the engine-neutral ones; errors of the query pass."""
        try:
            yield
        except (OSError, InterfaceError) as exc:
            log.info("source %s: connection failed: %s", self.config.name, exc)
            raise Unreachable() from None
        except MySQLError as exc:
            code = _code(exc)
            if code in _TIMED_OUT:
                limit = self.config.statement_timeout
                raise TimedOut(f"did not answer within {limit:g}s") from None
            if code in _UNREACHABLE:
                log.info("source %s: connection failed: %s", self.config.name, exc)
                raise Unreachable() from None
            if code == _NO_SUCH_TABLE and "padu_tulisan" in str(exc):
                raise Faulty(NO_WRITE_KEYS) from None
            raise

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled connection with the server's statement limit set; waiting is bounded."""
        with self._translated():
            try:
                connection = await asyncio.wait_for(
                    self.pool.acquire(), self.config.connect_timeout
                )
            except TimeoutError:
                raise NoConnection() from None
        try:
            with self._translated():
                await self._limit(connection)
                yield connection
        finally:
            self.pool.release(connection)

    async def _limit(self, connection: Connection) -> None:
        """Have the server stop this connection's statements after ``statement_timeout``."""
        if connection in self._limited:
            return
        seconds = self.config.statement_timeout
        if "MariaDB" in connection.get_server_info():
            setting = f"SET SESSION max_statement_time = {seconds:.3f}"
        else:  # MySQL limits SELECTs only, in milliseconds
            setting = f"SET SESSION max_execution_time = {round(seconds * 1000)}"
        async with connection.cursor() as cursor:
            await cursor.execute(setting)
        self._limited.add(connection)

    async def run(
        self, connection: Connection, query: str, args: Sequence[Any]
    ) -> list[dict[str, Any]]:
        """One statement's rows, limited in time on both sides."""
        thread = connection.thread_id()
        try:
            async with connection.cursor(DictCursor) as cursor:
                await asyncio.wait_for(
                    cursor.execute(query, tuple(args)),
                    self.config.statement_timeout + CLIENT_GRACE,
                )
                return list(await cursor.fetchall())
        except TimeoutError:
            await self._kill(thread)
            limit = self.config.statement_timeout
            raise TimedOut(f"did not answer within {limit:g}s") from None
        except asyncio.CancelledError:  # the caller went away: stop the server's work too
            killer = asyncio.create_task(self._kill(thread))
            self._killers.add(killer)
            killer.add_done_callback(self._killers.discard)
            raise

    async def _kill(self, thread: int) -> None:
        """Stop connection ``thread``'s statement from a connection of its own."""
        try:
            killer = await asyncmy.connect(**self.options)
            try:
                async with killer.cursor() as cursor:
                    await cursor.execute(f"KILL QUERY {int(thread)}")
            finally:
                await killer.ensure_closed()
        except (OSError, MySQLError) as exc:
            log.warning("source %s: could not stop a slow statement: %s", self.config.name, exc)

    async def fetch(self, query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        async with self.connection() as connection:
            return await self.run(connection, query, args)

    async def fetch_dicts(self, query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        return await self.fetch(*numbered_to_format(query, args))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.connection() as connection:
            with self._translated():
                await connection.begin()
            try:
                yield connection
            except BaseException:
                # A connection that broke cannot roll back; the pool drops it, and the server
                # rolls back a transaction whose connection is gone.
                with suppress(OSError, MySQLError):
                    await connection.rollback()
                raise
            with self._translated():
                await connection.commit()

    async def claim(self, connection: Connection, key: str) -> bool:
        try:
            await self.run(connection, "INSERT INTO padu_tulisan (kunci) VALUES (%s)", (key,))
        except IntegrityError as exc:
            if _code(exc) == _DUPLICATE_KEY:
                return False
            raise
        return True

    async def applied(self, key: str) -> bool:
        rows = await self.fetch("SELECT 1 FROM padu_tulisan WHERE kunci = %s", (key,))
        return bool(rows)
