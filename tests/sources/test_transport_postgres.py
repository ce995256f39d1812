"""The postgres transport through Source, the same checks as the other SQL kind's: portable
SQL, statements cancelled on the server, the breaker, keyed writes and retried reads."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from padu.config import SourceConfig
from padu.errors import SourceTimeout, SourceUnavailable
from padu.sources.base import AlreadyApplied, Source
from padu.sources.breaker import Circuit
from padu.sources.embedded import drop_database, ensure_database, with_database
from padu.sources.trace import SourceCount, SourceTrace
from padu.sources.transports.postgres import PostgresTransport

SCHEMA = """
CREATE TABLE pasien (nik char(16) PRIMARY KEY, nama text NOT NULL, umur int NOT NULL);
INSERT INTO pasien VALUES
    ('3671010101900001', 'Siti Aminah', 34), ('3671010101900002', 'Budi 100%', 51);
CREATE TABLE padu_tulisan (kunci varchar(200) PRIMARY KEY, waktu timestamptz DEFAULT now());
"""


class Clinic(Source):
    """A declared-application-like source on PostgreSQL."""

    name = "clinic"


def clinic_config(
    *, statement_timeout: float = 5.0, breaker_failures: int = 5, breaker_cooldown: float = 5.0
) -> SourceConfig:
    return SourceConfig(
        name="clinic",
        dsn=None,
        pool_min=0,
        pool_max=1,
        connect_timeout=1.0,
        statement_timeout=statement_timeout,
        breaker_failures=breaker_failures,
        breaker_cooldown=breaker_cooldown,
    )


@pytest_asyncio.fixture(scope="module")
async def dsn(server_dsn: str) -> AsyncIterator[str]:
    name = f"padu_test_{uuid.uuid4().hex[:8]}_clinic"
    await ensure_database(server_dsn, name)
    created = with_database(server_dsn, name)
    connection = await asyncpg.connect(created)
    try:
        await connection.execute(SCHEMA)
    finally:
        await connection.close()
    yield created
    await drop_database(server_dsn, name)


@pytest_asyncio.fixture
async def clinic(dsn: str) -> AsyncIterator[Source]:
    source = Clinic(clinic_config(), dsn)
    await source.start()
    yield source
    await source.stop()


async def test_the_transport_of_a_postgres_source_is_asyncpg(clinic: Source) -> None:
    assert isinstance(clinic.transport, PostgresTransport)
    assert clinic.pool is clinic.transport.pool


async def test_portable_sql_gives_dicts_in_one_round_trip(
    clinic: Source, trace: SourceTrace
) -> None:
    rows = await clinic.fetch_dicts(
        "SELECT nama, umur FROM pasien WHERE nama LIKE '%100%' AND umur BETWEEN $1 AND $1 + $2",
        50,
        5,
    )

    assert rows == [{"nama": "Budi 100%", "umur": 51}]
    assert trace.counts == {"clinic": SourceCount(round_trips=1, rows=1)}


async def test_a_timed_out_statement_is_cancelled_on_the_server(dsn: str) -> None:
    clinic = Clinic(clinic_config(statement_timeout=0.3), dsn)
    await clinic.start()
    try:
        with pytest.raises(SourceTimeout, match=r"did not answer within 0\.3s"):
            await clinic.fetch("SELECT pg_sleep(5) AS tidur")
        still = await clinic.fetch(
            "SELECT count(*) AS n FROM pg_stat_activity "
            "WHERE query LIKE '%pg_sleep(5) AS tidur%' AND pid <> pg_backend_pid()"
        )
    finally:
        await clinic.stop()

    assert [dict(r) for r in still] == [{"n": 0}]


async def test_breaker_opens_after_failures_and_closes_after_cooldown(dsn: str) -> None:
    config = clinic_config(statement_timeout=0.2, breaker_failures=2, breaker_cooldown=0.4)
    clinic = Clinic(config, dsn)
    await clinic.start()
    try:
        for _ in range(2):
            with pytest.raises(SourceTimeout):
                await clinic.fetch("SELECT pg_sleep(1)")
        with pytest.raises(SourceUnavailable, match=r"is failing; calls paused \(circuit open"):
            await clinic.fetch("SELECT 1")
        assert clinic.breaker.state is Circuit.OPEN

        await asyncio.sleep(0.45)
        assert [r["n"] for r in await clinic.fetch("SELECT 7 AS n")] == [7]
        assert clinic.breaker.state is Circuit.CLOSED
    finally:
        await clinic.stop()


async def test_a_keyed_write_happens_once(clinic: Source) -> None:
    nik = "3671010101900003"

    async with clinic.write("daftar-1") as connection:
        await connection.execute("INSERT INTO pasien VALUES ($1, 'Dewi', 28)", nik)
    with pytest.raises(AlreadyApplied):
        async with clinic.write("daftar-1") as connection:
            await connection.execute("UPDATE pasien SET umur = 99 WHERE nik = $1", nik)

    assert await clinic.fetch_dicts("SELECT umur FROM pasien WHERE nik = $1", nik) == [{"umur": 28}]
    assert await clinic.applied("daftar-1") is True
    assert await clinic.applied("daftar-2") is False


async def test_a_read_on_a_broken_connection_is_tried_again(
    clinic: Source, dsn: str, trace: SourceTrace
) -> None:
    [first] = await clinic.fetch("SELECT pg_backend_pid() AS pid")
    killer = await asyncpg.connect(dsn)
    try:  # as a server restart would
        await killer.execute("SELECT pg_terminate_backend($1)", first["pid"])
    finally:
        await killer.close()

    [second] = await clinic.fetch("SELECT pg_backend_pid() AS pid")

    assert second["pid"] != first["pid"]
    assert trace.counts == {"clinic": SourceCount(round_trips=2, rows=2)}
    assert clinic.breaker.state is Circuit.CLOSED


async def test_an_unstarted_or_wrong_kind_of_source_says_so(dsn: str) -> None:
    clinic = Clinic(clinic_config(), dsn)

    with pytest.raises(RuntimeError, match=r"^source clinic is not started$"):
        await clinic.fetch("SELECT 1")
    with pytest.raises(TypeError, match=r"^source clinic is postgres, not http$"):
        await clinic.get("/anything")


async def test_timing_is_measured_by_ping(clinic: Source, trace: SourceTrace) -> None:
    started = time.perf_counter()
    latency = await clinic.ping()

    assert 0 < latency <= (time.perf_counter() - started) * 1000
    assert trace.counts == {"clinic": SourceCount(round_trips=1, rows=1)}


async def test_a_read_costs_one_statement_and_a_failed_write_leaves_no_transaction(
    clinic: Source,
) -> None:
    """Giving a connection back to the pool sends nothing (no RESET round trip), and a write
    that failed inside its transaction still leaves the next user a clean connection."""
    async with clinic.pool.acquire() as connection:
        before = connection._protocol.queries_count
    for _ in range(3):
        await clinic.fetch("SELECT 1")
    async with clinic.pool.acquire() as connection:  # the pool holds one connection
        assert connection._protocol.queries_count - before == 3
    with pytest.raises(asyncpg.UniqueViolationError):
        async with clinic.transaction() as connection:
            await connection.execute("INSERT INTO pasien VALUES ('3671010101900001', 'x', 1)")
    async with clinic.pool.acquire() as connection:
        assert not connection.is_in_transaction()
        assert await connection.fetchval("SELECT 1") == 1  # not an aborted transaction
