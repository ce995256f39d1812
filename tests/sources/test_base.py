"""Source.fetch guards (unreachable and slow sources), Where and like_pattern."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from padu.config import SourceConfig
from padu.errors import SourceTimeout, SourceUnavailable
from padu.sources.base import Source, Where, like_pattern
from padu.sources.trace import SourceCount, SourceTrace

# Port 1 on the loopback interface: nothing listens there, so connecting is refused at once.
CLOSED_PORT_DSN = "postgresql://postgres@127.0.0.1:1/x"


class Probe(Source):
    """A bare source, to exercise the base class on its own."""

    name = "probe"


def probe_config(*, pool_min: int = 0, statement_timeout: float = 10.0) -> SourceConfig:
    return SourceConfig(
        name="probe",
        dsn=None,
        pool_min=pool_min,
        pool_max=1,
        connect_timeout=0.5,
        statement_timeout=statement_timeout,
    )


async def start(probes: list[Source], dsn: str, config: SourceConfig) -> Probe:
    probe = Probe(config, dsn)
    await probe.start()
    probes.append(probe)
    return probe


@pytest.mark.parametrize("pool_min", [0, 1], ids=["lazy-pool", "down-at-start-up"])
async def test_unreachable_source_raises_source_unavailable(
    started: list[Source], pool_min: int
) -> None:
    # Start-up does not fail when the source is down; the first query does.
    probe = await start(started, CLOSED_PORT_DSN, probe_config(pool_min=pool_min))

    with pytest.raises(SourceUnavailable) as raised:
        await probe.fetch("SELECT 1")

    error = raised.value
    assert type(error) is SourceUnavailable
    assert error.extensions == {"code": "SOURCE_UNAVAILABLE", "source": "probe"}
    assert str(error) == "The probe source system could not be reached; its fields are null."
    # The driver's error (with host and port) is neither chained nor shown.
    assert error.__cause__ is None
    assert error.__suppress_context__


@pytest_asyncio.fixture
async def silent_dsn() -> AsyncIterator[str]:
    """A DSN to a TCP server that accepts connections and never answers."""

    async def wait_for_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(wait_for_close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"postgresql://postgres@127.0.0.1:{port}/x"
    server.close()
    await server.wait_closed()


async def test_connect_timeout_is_not_reported_as_the_statement_timeout(
    started: list[Source], silent_dsn: str
) -> None:
    config = SourceConfig(
        name="probe", dsn=None, pool_min=0, pool_max=1, connect_timeout=0.2, statement_timeout=5
    )
    probe = await start(started, silent_dsn, config)

    with pytest.raises(SourceUnavailable) as raised:
        await probe.fetch("SELECT 1")

    # Gave up after the 0.2 s connect timeout; no query ran, let alone for 5 s.
    assert "within 5s" not in str(raised.value)


async def test_query_slower_than_statement_timeout_raises_source_timeout(
    started: list[Source], dsns: dict[str, str], trace: SourceTrace
) -> None:
    probe = await start(started, dsns["population"], probe_config(statement_timeout=0.3))

    with pytest.raises(SourceTimeout) as raised:
        await probe.fetch("SELECT pg_sleep(2)")

    error = raised.value
    assert isinstance(error, SourceUnavailable)
    assert error.extensions == {"code": "SOURCE_TIMEOUT", "source": "probe"}
    assert str(error) == "The probe source system did not answer within 0.3s; its fields are null."
    assert error.__cause__ is None
    # The pool's connection is usable again after the cancelled query.
    rows = await probe.fetch("SELECT 1 AS one")
    assert [dict(r) for r in rows] == [{"one": 1}]
    assert trace.counts == {"probe": SourceCount(round_trips=1, rows=1)}


async def test_fetch_counts_one_round_trip_and_its_rows(
    started: list[Source], dsns: dict[str, str], trace: SourceTrace
) -> None:
    probe = await start(started, dsns["population"], probe_config())

    rows = await probe.fetch("SELECT n FROM generate_series(1, $1::int) AS n", 3)
    latency = await probe.ping()

    assert [r["n"] for r in rows] == [1, 2, 3]
    assert latency > 0
    assert trace.counts == {"probe": SourceCount(round_trips=2, rows=4)}


async def test_fetch_before_start_is_a_programming_error() -> None:
    probe = Probe(probe_config(), CLOSED_PORT_DSN)

    with pytest.raises(RuntimeError, match=r"^source probe is not started$"):
        await probe.fetch("SELECT 1")


def test_where_without_conditions_is_true() -> None:
    where = Where()

    assert where.sql == "TRUE"
    assert where.args == []


def test_where_numbers_parameters_in_order_of_use() -> None:
    where = Where()
    where.add(f"a = {where.param('x')}")
    where.add("b IS NOT NULL")
    where.add(f"(c, d) < ({where.param(1)}, {where.param(2)})")

    assert where.param(10) == "$4"
    assert where.sql == "a = $1 AND b IS NOT NULL AND (c, d) < ($2, $3)"
    assert where.args == ["x", 1, 2, 10]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("Budi", "%budi%"),
        ("50%", "%50\\%%"),
        ("a_b", "%a\\_b%"),
        ("c:\\x", "%c:\\\\x%"),
    ],
)
def test_like_pattern_lowers_and_escapes_wildcards(text: str, pattern: str) -> None:
    assert like_pattern(text) == pattern
