"""Deterministic, realistic demo data for the four source systems, bulk-loaded with COPY.

Everything is a function of the region, the scale, the seed and ``as_of``: the same inputs give
byte-identical data. Names and streets come from Faker's ``id_ID`` vocabulary, drawn with our own
seeded ``random.Random`` streams (never the global one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import asyncpg
from rich.progress import Progress, TaskID

from padu.region import Region
from padu.sources.demo import learning, performance, population, service_requests
from padu.sources.demo.performance import predicate
from padu.sources.demo.service_requests import CATEGORIES, Category
from padu.sources.demo.world import SCALES, Chunk, Row, Scale, Table, World

__all__ = [
    "CATEGORIES",
    "SCALES",
    "SOURCES",
    "Category",
    "Scale",
    "SeedReport",
    "is_seeded",
    "predicate",
    "seed",
]

SOURCES = ("population", "service_requests", "performance", "learning")
"""The demo source systems, each in its own database."""

_TABLES: dict[str, tuple[Table, ...]] = {
    "population": population.TABLES,
    "service_requests": service_requests.TABLES,
    "performance": performance.TABLES,
    "learning": learning.TABLES,
}
_MAIN_TABLE = {
    "population": "penduduk",
    "service_requests": "permohonan",
    "performance": "pegawai",
    "learning": "mdl_user",
}


@dataclass(frozen=True)
class SeedReport:
    """Rows written per table of each source, and seconds spent per source.

    A phase's seconds include rows it writes to another source: e-Kinerja credits for resolved
    requests are counted under ``performance`` rows but ``service_requests`` time.
    """

    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


async def seed(
    dsns: Mapping[str, str],
    region: Region,
    scale: Scale,
    *,
    seed: int = 20261123,
    as_of: date | None = None,
    progress: bool = False,
) -> SeedReport:
    """(Re)create the demo schema of each source in ``dsns`` and fill it with generated data.

    Sources missing from ``dsns`` are generated but not written, so the ones that are written
    stay consistent with a full run. Each source is loaded in one transaction: a failed run
    leaves the previous contents in place.
    """
    unknown = set(dsns) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown demo sources {sorted(unknown)}; expected some of {SOURCES}")
    world = World(region, scale, seed, as_of or date.today())
    crew = performance.staff(world)
    requesters = population.Requesters()
    # Order matters: officers come first (requests credit them), and the population run
    # collects the residents who then file requests.
    phases: tuple[tuple[str, Callable[[], Iterator[Chunk]]], ...] = (
        ("performance", lambda: performance.generate(world, crew)),
        ("population", lambda: population.generate(world, requesters)),
        ("service_requests", lambda: service_requests.generate(world, requesters, crew)),
        ("learning", lambda: learning.generate(world, crew)),
    )
    report = SeedReport()
    connections: dict[str, asyncpg.Connection] = {}
    try:
        for source, dsn in dsns.items():
            connections[source] = await asyncpg.connect(dsn)
            await connections[source].execute("BEGIN")
            report.rows[source] = {t.name: 0 for t in _TABLES[source]}
        with Progress(disable=not progress) as bar:
            tasks: dict[str, TaskID] = {}
            for source, generate in phases:
                started = time.perf_counter()
                if source in connections:
                    await _reset(connections[source], source)
                for table, rows in generate():
                    connection = connections.get(table.source)
                    if connection is None or not rows:
                        continue
                    await _copy(connection, table, rows)
                    report.rows[table.source][table.name] += len(rows)
                    if table.name not in tasks:
                        tasks[table.name] = bar.add_task(
                            f"{table.source}.{table.name}", total=_expected(scale, table),
                        )
                    bar.advance(tasks[table.name], len(rows))
                if source in connections:
                    report.seconds[source] = time.perf_counter() - started
        for source, connection in connections.items():
            started = time.perf_counter()
            await _finish(connection, source)
            report.seconds[source] += time.perf_counter() - started
    finally:
        for connection in connections.values():
            await connection.close()
    return report


async def is_seeded(dsn: str, source: str) -> bool:
    """True when ``source``'s main table exists in the database at ``dsn`` and has rows."""
    table = _MAIN_TABLE[source]
    connection = await asyncpg.connect(dsn)
    try:
        if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            return False
        return bool(await connection.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"))
    finally:
        await connection.close()


async def _reset(connection: asyncpg.Connection, source: str) -> None:
    names = ", ".join(t.name for t in _TABLES[source])
    await connection.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    ddl = resources.files("padu.sources.demo").joinpath(f"{source}.sql").read_text("utf-8")
    await connection.execute(ddl)


async def _copy(connection: asyncpg.Connection, table: Table, rows: list[Row]) -> None:
    await connection.copy_records_to_table(table.name, records=rows, columns=table.columns)


async def _finish(connection: asyncpg.Connection, source: str) -> None:
    """Move sequences past the ids we wrote, refresh planner statistics and commit."""
    for table in _TABLES[source]:
        if table.serial:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{table.serial}'), "
                f"max({table.serial})) FROM {table.name}"
            )
    await connection.execute("ANALYZE " + ", ".join(t.name for t in _TABLES[source]))
    await connection.execute("COMMIT")


def _expected(scale: Scale, table: Table) -> int | None:
    """Row count a progress bar can aim for, where the scale fixes it."""
    return {
        "penduduk": scale.residents,
        "permohonan": scale.service_requests,
        "pegawai": scale.officers,
        "mdl_course": scale.courses,
    }.get(table.name)
