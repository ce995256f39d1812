"""The mysql transport against the machine's MariaDB: rows, timeouts stopped on the server,
the breaker, unreachable servers, keyed writes and retried reads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncmy
import pytest
import pytest_asyncio

from padu.config import SourceConfig
from padu.errors import SourceTimeout, SourceUnavailable
from padu.sources.base import AlreadyApplied, Source
from padu.sources.breaker import Circuit
from padu.sources.trace import SourceCount, SourceTrace
from padu.sources.transports.base import NO_WRITE_KEYS, TimedOut
from padu.sources.transports.mysql import WRITE_KEYS_TABLE, MysqlTransport
from tests.sources.mariadb import admin, execute, fresh_database

PATIENTS = """
CREATE TABLE pasien (nik CHAR(16) PRIMARY KEY, nama VARCHAR(100) NOT NULL, umur INT NOT NULL)
"""
SEED = """
INSERT INTO pasien VALUES
    ('3671010101900001', 'Siti Aminah', 34), ('3671010101900002', 'Budi 100%', 51)
"""


class Clinic(Source):
    """A declared-application-like source on MariaDB."""

    name = "clinic"


def clinic_config(**overrides: float) -> SourceConfig:
    settings: dict[str, float] = {
        "pool_min": 0, "pool_max": 2, "connect_timeout": 1.0, "statement_timeout": 5.0,
    }  # fmt: skip
    settings.update(overrides)
    return SourceConfig(
        name="clinic",
        dsn=None,
        kind="mysql",
        pool_min=int(settings["pool_min"]),
        pool_max=int(settings["pool_max"]),
        connect_timeout=settings["connect_timeout"],
        statement_timeout=settings["statement_timeout"],
        breaker_failures=int(settings.get("breaker_failures", 5)),
        breaker_cooldown=settings.get("breaker_cooldown", 5.0),
    )


@pytest_asyncio.fixture(scope="module")
async def dsn() -> AsyncIterator[str]:
    async with fresh_database(PATIENTS, SEED, WRITE_KEYS_TABLE) as created:
        yield created


async def start(started: list[Source], dsn: str, config: SourceConfig) -> Source:
    source = Clinic(config, dsn)
    await source.start()
    started.append(source)
    return source


async def running(query: str) -> list[dict[str, object]]:
    """Statements on the server whose text contains ``query`` (from any connection)."""
    connection = await admin()
    try:
        return await execute(
            connection,
            "SELECT id, info FROM information_schema.PROCESSLIST "
            f"WHERE info LIKE '%{query}%' AND info NOT LIKE '%PROCESSLIST%'",
        )
    finally:
        await connection.ensure_closed()


async def gone(query: str, within: float = 1.0) -> bool:
    """Whether no statement containing ``query`` runs on the server within ``within`` seconds."""
    deadline = time.monotonic() + within
    while await running(query):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_reads_are_dicts_counted_one_round_trip_each(
    started: list[Source], dsn: str, trace: SourceTrace
) -> None:
    clinic = await start(started, dsn, clinic_config())

    native = await clinic.fetch("SELECT nik, nama FROM pasien WHERE umur > %s ORDER BY nik", 40)
    # Portable SQL: numbered parameters (one used twice), and a literal % left alone.
    portable = await clinic.fetch_dicts(
        "SELECT nama, umur FROM pasien WHERE nama LIKE '%100%' AND umur BETWEEN $1 AND $1 + $2",
        50,
        5,
    )
    latency = await clinic.ping()

    assert native == [{"nik": "3671010101900002", "nama": "Budi 100%"}]
    assert portable == [{"nama": "Budi 100%", "umur": 51}]
    assert latency > 0
    assert trace.counts == {"clinic": SourceCount(round_trips=3, rows=3)}


async def test_the_server_stops_a_statement_at_the_timeout(
    started: list[Source], dsn: str, trace: SourceTrace
) -> None:
    clinic = await start(started, dsn, clinic_config(statement_timeout=0.5))

    began = time.monotonic()
    with pytest.raises(SourceTimeout) as raised:
        await clinic.fetch("SELECT SLEEP(5) AS tidur")
    waited = time.monotonic() - began

    error = raised.value
    assert error.extensions == {"code": "SOURCE_TIMEOUT", "source": "clinic"}
    assert str(error) == "The clinic source system did not answer within 0.5s; its fields are null."
    assert error.__cause__ is None
    assert 0.45 < waited < 1.5
    assert await gone("SLEEP(5) AS tidur")
    # The connection is usable again: the server stopped the statement, not the connection.
    assert await clinic.fetch("SELECT 1 AS satu") == [{"satu": 1}]
    assert trace.counts == {"clinic": SourceCount(round_trips=1, rows=1)}


class Unlimited(MysqlTransport):
    """A server that does not limit statements itself (as MySQL does not limit writes)."""

    async def _limit(self, connection: asyncmy.Connection) -> None:
        return None


async def test_the_client_kills_a_statement_the_server_does_not_stop(dsn: str) -> None:
    transport = Unlimited(clinic_config(statement_timeout=0.4), dsn)
    await transport.start()
    try:
        began = time.monotonic()
        fetching = asyncio.create_task(transport.fetch("SELECT SLEEP(5) AS lambat", ()))
        await asyncio.sleep(0.2)
        assert len(await running("SLEEP(5) AS lambat")) == 1  # it really ran on the server
        with pytest.raises(TimedOut, match=r"^did not answer within 0\.4s$"):
            await fetching
        assert time.monotonic() - began < 1.5
        # KILL QUERY went out before the timeout was reported: the server is already idle.
        assert await running("SLEEP(5) AS lambat") == []
        assert await transport.fetch("SELECT 2 AS dua", ()) == [{"dua": 2}]
    finally:
        await transport.stop()


async def test_unreachable_server_is_source_unavailable(started: list[Source]) -> None:
    clinic = await start(started, "mysql://root@127.0.0.1:1/none", clinic_config())

    with pytest.raises(SourceUnavailable) as raised:
        await clinic.fetch("SELECT 1")

    error = raised.value
    assert type(error) is SourceUnavailable
    assert error.extensions == {"code": "SOURCE_UNAVAILABLE", "source": "clinic"}
    assert str(error) == "The clinic source system could not be reached; its fields are null."
    assert error.__cause__ is None
    assert error.__suppress_context__


async def test_breaker_opens_after_failures_and_closes_after_cooldown(
    started: list[Source], dsn: str
) -> None:
    config = clinic_config(statement_timeout=0.2, breaker_failures=2, breaker_cooldown=0.5)
    clinic = await start(started, dsn, config)

    for _ in range(2):
        with pytest.raises(SourceTimeout):
            await clinic.fetch("SELECT SLEEP(1)")
    with pytest.raises(SourceUnavailable, match=r"is failing; calls paused \(circuit open"):
        await clinic.fetch("SELECT 1")
    assert clinic.breaker.state is Circuit.OPEN

    await asyncio.sleep(0.6)
    assert await clinic.fetch("SELECT 3 AS tiga") == [{"tiga": 3}]
    assert clinic.breaker.state is Circuit.CLOSED


async def test_a_query_error_is_the_query_s_and_does_not_trip_the_breaker(
    started: list[Source], dsn: str
) -> None:
    clinic = await start(started, dsn, clinic_config(breaker_failures=1))

    with pytest.raises(asyncmy.errors.MySQLError) as raised:
        await clinic.fetch("SELECT no_such_column FROM pasien")

    assert raised.value.args[0] == 1054  # the driver's own error: a mistake in the SQL
    assert clinic.breaker.state is Circuit.CLOSED


async def keys_written(dsn: str, key: str) -> list[dict[str, object]]:
    connection = await admin()
    try:
        database = dsn.rsplit("/", 1)[1]
        return await execute(
            connection, f"SELECT kunci FROM {database}.padu_tulisan WHERE kunci = '{key}'"
        )
    finally:
        await connection.ensure_closed()


async def test_a_keyed_write_happens_once(
    started: list[Source], dsn: str, trace: SourceTrace
) -> None:
    clinic = await start(started, dsn, clinic_config())
    nik = "3671010101900003"

    async with clinic.write("daftar-1") as connection, connection.cursor() as cursor:
        await cursor.execute("INSERT INTO pasien VALUES (%s, 'Dewi', 28)", (nik,))
    with pytest.raises(AlreadyApplied):
        async with clinic.write("daftar-1") as connection, connection.cursor() as cursor:
            await cursor.execute("UPDATE pasien SET umur = 99 WHERE nik = %s", (nik,))

    assert await clinic.fetch("SELECT umur FROM pasien WHERE nik = %s", nik) == [{"umur": 28}]
    assert await clinic.applied("daftar-1") is True
    assert await clinic.applied("daftar-2") is False
    assert await keys_written(dsn, "daftar-1") == [{"kunci": "daftar-1"}]
    # The write, the read and the two checks; the refused write, like any failed call, is not.
    assert trace.counts == {"clinic": SourceCount(round_trips=4, rows=2)}


async def test_a_failed_write_keeps_neither_its_rows_nor_its_key(
    started: list[Source], dsn: str
) -> None:
    clinic = await start(started, dsn, clinic_config(statement_timeout=0.3))
    nik = "3671010101900004"

    with pytest.raises(SourceTimeout):
        async with clinic.write("daftar-lambat") as connection, connection.cursor() as cursor:
            await cursor.execute("INSERT INTO pasien VALUES (%s, 'Eko', 40)", (nik,))
            await cursor.execute("SELECT SLEEP(2)")  # the server stops the write's statement

    assert await clinic.fetch("SELECT nik FROM pasien WHERE nik = %s", nik) == []
    assert await clinic.applied("daftar-lambat") is False


async def test_a_database_without_write_keys_says_so(started: list[Source]) -> None:
    async with fresh_database(PATIENTS) as bare:
        clinic = await start(started, bare, clinic_config())

        with pytest.raises(SourceUnavailable) as applied:
            await clinic.applied("x")
        with pytest.raises(SourceUnavailable) as written:
            async with clinic.write("x"):
                pass

    for raised in (applied, written):
        assert (
            str(raised.value) == f"The clinic source system {NO_WRITE_KEYS}; its fields are null."
        )
    assert clinic.breaker.state is Circuit.CLOSED


async def test_a_read_on_a_broken_connection_is_tried_again(
    started: list[Source], dsn: str, trace: SourceTrace
) -> None:
    clinic = await start(started, dsn, clinic_config(pool_max=1))
    [first] = await clinic.fetch("SELECT CONNECTION_ID() AS id")
    connection = await admin()
    try:
        await execute(connection, f"KILL CONNECTION {first['id']}")  # as a server restart would
    finally:
        await connection.ensure_closed()

    [second] = await clinic.fetch("SELECT CONNECTION_ID() AS id")

    assert second["id"] != first["id"]
    assert trace.counts == {"clinic": SourceCount(round_trips=2, rows=2)}
    assert clinic.breaker.state is Circuit.CLOSED


async def test_a_full_pool_is_busy_not_down(started: list[Source], dsn: str) -> None:
    clinic = await start(started, dsn, clinic_config(pool_max=1, connect_timeout=0.2))

    async with clinic.transaction():
        with pytest.raises(SourceUnavailable, match=r"gave no connection within 0\.2s, all busy"):
            await clinic.fetch("SELECT 1")

    assert clinic.breaker.state is Circuit.CLOSED
