"""Where each source lives: its configured DSN, or a database in the embedded server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import asyncpg

from padu.config import SOURCE_NAMES, Config
from padu.declared.declaration import ApplicationDecl
from padu.sources.embedded import ensure_database, start_embedded, with_database

log = logging.getLogger("padu.hosting")


def embedded_database(source: str) -> str:
    """Name of a source's database inside the embedded server."""
    return f"padu_{source}"


async def source_dsns(config: Config) -> dict[str, str]:
    """A DSN for every source and for ``state``, creating embedded databases when needed."""
    every = {**config.sources, "state": config.state}
    dsns = {name: s.target for name, s in every.items() if s.target is not None}
    embedded = [name for name, s in every.items() if s.embedded]
    if embedded:
        data_dir = config.state_dir / "postgres"
        log.info("embedded PostgreSQL in %s hosts: %s", data_dir, ", ".join(embedded))
        admin = await asyncio.to_thread(start_embedded, data_dir)
        for name in embedded:
            await ensure_database(admin, embedded_database(name))
            dsns[name] = with_database(admin, embedded_database(name))
    return dsns


async def unseeded(config: Config, dsns: Mapping[str, str]) -> list[str]:
    """Embedded core sources that hold no demo data yet."""
    from padu.sources.demo import is_seeded

    return [
        name
        for name, s in config.sources.items()
        if name in SOURCE_NAMES and s.embedded and not await is_seeded(dsns[name], name)
    ]


async def unseeded_applications(config: Config, dsns: Mapping[str, str]) -> list[ApplicationDecl]:
    """Declared applications with bundled demo data, hosted embedded, whose tables are missing."""
    missing = []
    for app in config.applications:
        if app.demo is None or not config.sources[app.source].embedded:
            continue
        connection = await asyncpg.connect(dsns[app.source])
        try:
            found = await connection.fetchval("SELECT to_regclass($1)", app.types[0].table)
        finally:
            await connection.close()
        if found is None:
            missing.append(app)
    return missing
