"""Deterministic, realistic demo data for the four source systems, bulk-loaded with COPY.

Everything is a function of the region, the scale, the seed and ``as_of``: the same inputs give
byte-identical data. Names and streets come from Faker's ``id_ID`` vocabulary, drawn with our own
seeded ``random.Random`` streams (never the global one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import asyncpg
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from padu.config import SOURCE_NAMES
from padu.region import Region
from padu.sources.demo import learning, performance, population, service_requests
from padu.sources.demo.performance import predicate
from padu.sources.demo.service_requests import CATEGORIES, Category
from padu.sources.demo.world import SCALES, Chunk, Scale, Table, World

__all__ = [
    "CATEGORIES",
    "SCALES",
    "Category",
    "Scale",
    "SeedReport",
    "is_seeded",
    "predicate",
    "seed",
]

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

    def __str__(self) -> str:
        return "\n".join(
            f"{source} ({self.seconds.get(source, 0.0):.1f}s): "
            + ", ".join(f"{table} {count:,}" for table, count in tables.items())
            for source, tables in self.rows.items()
        )


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
    unknown = set(dsns) - set(SOURCE_NAMES)
    if unknown:
        raise ValueError(f"unknown demo sources {sorted(unknown)}; expected some of {SOURCE_NAMES}")
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
    async with AsyncExitStack() as stack:
        connections: dict[str, asyncpg.Connection] = {}
        for source, dsn in dsns.items():
            connections[source] = connection = await asyncpg.connect(dsn)
            stack.push_async_callback(connection.close)
            await stack.enter_async_context(connection.transaction())
            report.rows[source] = dict.fromkeys((t.name for t in _TABLES[source]), 0)
        bar = stack.enter_context(
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                disable=not progress,
            )
        )
        tasks: dict[str, TaskID] = {}
        for source, generate in phases:
            started = time.perf_counter()
            if source in connections:
                await _reset(connections[source], source)
            for table, rows in generate():
                if table.source not in connections or not rows:
                    continue
                await connections[table.source].copy_records_to_table(
                    table.name, records=rows, columns=table.columns
                )
                report.rows[table.source][table.name] += len(rows)
                if table.name not in tasks:
                    tasks[table.name] = bar.add_task(
                        f"{table.source}.{table.name}", total=_expected(scale, table)
                    )
                bar.advance(tasks[table.name], len(rows))
            if source in connections:
                report.seconds[source] = time.perf_counter() - started
            for task in bar.tasks:
                if task.total is None:
                    bar.update(task.id, total=task.completed)
        for source, connection in connections.items():
            started = time.perf_counter()
            await _finish(connection, source)
            report.seconds[source] += time.perf_counter() - started
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
    # padu_tulisan holds the keys of Padu's writes: stale after a reseed.
    names = ", ".join([*(t.name for t in _TABLES[source]), "padu_tulisan"])
    await connection.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    ddl = resources.files("padu.sources.demo").joinpath(f"{source}.sql").read_text("utf-8")
    await connection.execute(ddl)


async def _finish(connection: asyncpg.Connection, source: str) -> None:
    """Move sequences past the ids we wrote and refresh planner statistics."""
    for table in _TABLES[source]:
        if table.serial:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{table.serial}'), "
                f"max({table.serial})) FROM {table.name}"
            )
    await connection.execute("ANALYZE " + ", ".join(t.name for t in _TABLES[source]))


def _expected(scale: Scale, table: Table) -> int | None:
    """Row count a progress bar can aim for, where the scale fixes it."""
    return {
        "penduduk": scale.residents,
        "permohonan": scale.service_requests,
        "pegawai": scale.officers,
        "mdl_course": scale.courses,
    }.get(table.name)
