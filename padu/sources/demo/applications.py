"""Demo data of declared applications: bundled SQL per dialect, over the demo residents.

An application shipped as configuration only names its demo (``[applications.NAME] demo``);
its data is one SQL script per dialect in ``demo/applications/``, which reads the residents'
NIKs from a table ``padu_penduduk`` the seeder copies into the application's database first
(a real application holds its own copy of the NIKs it serves). Each script is deterministic.

An application behind a web service (``kind = "http"``) keeps its data in its own database;
its bundled demo service (``demo/`` in the repository, started by ``make run``) takes the
residents' NIKs at ``POST /demo/seed`` and makes its deterministic data from them, so Padu
seeds it over HTTP like any client would.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from importlib import resources

import asyncmy
import asyncpg
import httpx

from padu.config import SourceConfig
from padu.sources.application import effective_kind
from padu.sources.transports.http import auth_headers
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


SEED_PATH = "/demo/seed"


async def seed_web_application(
    source: SourceConfig, population_dsn: str, *, only_if_empty: bool, wait: float = 15.0
) -> int | None:
    """Seed a demo web service with the demo residents; the number of records it then holds.

    The service may still be starting beside Padu, so it is awaited up to ``wait`` seconds.
    With ``only_if_empty`` a service already holding data is left alone (None is returned).
    Raises ``OSError`` naming the service when it cannot be reached or refuses.
    """
    web = source.web
    if web is None:
        raise ValueError(f"source {source.name} is not a web service")
    async with httpx.AsyncClient(
        base_url=web.url, headers=auth_headers(web), timeout=source.statement_timeout + 30
    ) as client:
        held = await _held(client, source.name, wait)
        if only_if_empty and held:
            return None
        niks = await residents(population_dsn)
        answer = await client.post(SEED_PATH, json={"residents": niks})
        if answer.status_code != 200:
            raise OSError(
                f"the {source.name} demo service refused its seed (HTTP {answer.status_code})"
            )
    count = _count(answer)
    log.info(
        "seeded the %s demo service over %d residents: %d records", source.name, len(niks), count
    )
    return count


async def _held(client: httpx.AsyncClient, name: str, wait: float) -> int:
    deadline = time.monotonic() + wait
    while True:
        try:
            answer = await client.get(SEED_PATH)
        except httpx.TransportError:
            if time.monotonic() >= deadline:
                raise OSError(
                    f"the {name} demo service at {client.base_url} is not running"
                ) from None
            await asyncio.sleep(0.2)
            continue
        if answer.status_code != 200:
            raise OSError(
                f"the {name} demo service answered HTTP {answer.status_code} at {SEED_PATH}"
            )
        return _count(answer)


def _count(answer: httpx.Response) -> int:
    try:
        body = answer.json()
        return int(next(v for v in body.values() if isinstance(v, int)))
    except (ValueError, AttributeError, StopIteration):
        raise OSError("the demo service answered its seed in an unknown shape") from None
