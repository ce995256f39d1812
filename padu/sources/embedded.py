"""The embedded PostgreSQL (PyPI ``pgserver``) that hosts every source configured without a DSN."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> str:
    """Start (or reuse) the embedded server in ``data_dir``; return a DSN to its ``postgres`` db.

    The server stops when the last process using it exits.
    """
    with warnings.catch_warnings():
        # pgserver falls back to /tmp when XDG_RUNTIME_DIR is unset, and says so at import.
        warnings.simplefilter("ignore", UserWarning)
        from pgserver import get_server  # type: ignore[attr-defined]

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server: Any = get_server(data_dir, cleanup_mode="delete" if delete_on_exit else "stop")
    return str(server.get_uri())


def with_database(dsn: str, database: str) -> str:
    """Return ``dsn`` pointed at another database on the same server."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + database))


async def ensure_database(admin_dsn: str, database: str) -> bool:
    """Create ``database`` on the server behind ``admin_dsn`` unless it exists; True if created."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{database}"')
        return True
    finally:
        await conn.close()


async def drop_database(admin_dsn: str, database: str) -> None:
    """Drop ``database`` (closing its other connections first)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()
