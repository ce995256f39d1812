"""Demo data of declared applications: bundled SQL per dialect, over the demo residents.

An application shipped as configuration only names its demo (``[applications.NAME] demo``);
its data is one SQL script per dialect in ``demo/applications/``, which reads the residents'
NIKs from a table ``padu_penduduk`` the seeder copies into the application's database first
(a real application holds its own copy of the NIKs it serves). Each script is deterministic.
"""

from __future__ import annotations

import logging
import re
from importlib import resources

import asyncmy
import asyncpg

from padu.sources.application import effective_kind
from padu.sources.transports.mysql import connect_options

log = logging.getLogger("padu.demo")
_COMMENT = re.compile(r"^\s*--.*$", re.MULTILINE)


def script(demo: str, dialect: str) -> str:
    """The bundled demo script ``demo`` for ``dialect`` (postgres or mysql)."""
    folder = resources.files("padu.sources.demo").joinpath("applications")
    path = folder.joinpath(f"{demo}.{dialect}.sql")
    if not path.is_file():
        raise ValueError(f"no bundled demo data `{demo}` for {dialect}")
    return path.read_text(encoding="utf-8")


async def residents(population_dsn: str) -> list[str]:
    """The demo residents' NIKs, in NIK order."""
    connection = await asyncpg.connect(population_dsn)
    try:
        return [r["nik"] for r in await connection.fetch("SELECT nik FROM penduduk ORDER BY nik")]
    finally:
        await connection.close()


async def seed_application(demo: str, kind: str, dsn: str, population_dsn: str) -> int:
    """(Re)create the demo ``demo`` in the database at ``dsn``; the residents it was given."""
    dialect = effective_kind(kind, dsn)
    text = script(demo, dialect)
    niks = await residents(population_dsn)
    if dialect == "postgres":
        await _postgres(dsn, text, niks)
    else:
        await _mysql(dsn, text, niks)
    log.info("seeded demo %s (%s) over %d residents", demo, dialect, len(niks))
    return len(niks)


async def _postgres(dsn: str, text: str, niks: list[str]) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await connection.execute("CREATE TEMPORARY TABLE padu_penduduk (nik char(16))")
            await connection.copy_records_to_table("padu_penduduk", records=[(n,) for n in niks])
            await connection.execute(text)
    finally:
        await connection.close()


async def _mysql(dsn: str, text: str, niks: list[str]) -> None:
    connection = await asyncmy.connect(**connect_options(dsn))
    try:
        async with connection.cursor() as cursor:
            await cursor.execute("CREATE TEMPORARY TABLE padu_penduduk (nik char(16))")
            await cursor.executemany("INSERT INTO padu_penduduk VALUES (%s)", [(n,) for n in niks])
            for statement in _COMMENT.sub("", text).split(";"):
                if statement.strip():
                    await cursor.execute(statement)
        await connection.commit()
    finally:
        await connection.ensure_closed()
