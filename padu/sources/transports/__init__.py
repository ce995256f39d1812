"""One transport per engine kind; ``[sources.NAME] kind`` picks one from ``TRANSPORTS``.

A new kind is one ``Transport`` subclass and one entry here (and its name in
``padu.config.SOURCE_KINDS``, which validates configuration before any transport loads).
"""

from __future__ import annotations

from padu.config import SourceConfig
from padu.sources.transports.base import Transport
from padu.sources.transports.http import HttpTransport
from padu.sources.transports.mysql import MysqlTransport
from padu.sources.transports.postgres import PostgresTransport
from padu.sources.transports.sql import SqlTransport

TRANSPORTS: dict[str, type[Transport]] = {
    PostgresTransport.kind: PostgresTransport,
    MysqlTransport.kind: MysqlTransport,
    HttpTransport.kind: HttpTransport,
}


def transport_for(config: SourceConfig, target: str) -> Transport:
    """The transport of ``config.kind`` to ``target`` (a DSN, or a base URL for http)."""
    return TRANSPORTS[config.kind](config, target)


__all__ = ["TRANSPORTS", "SqlTransport", "Transport", "transport_for"]
