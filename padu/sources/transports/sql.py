"""What the SQL transports share: reads, transactions, keyed writes and portable placeholders.

Portable SQL (for ``fetch_dicts``, which declared applications use) numbers its parameters
``$1, $2, ...`` as PostgreSQL does (and as ``padu.sources.base.Where`` writes them); each
transport rewrites them into its engine's own style. A ``$n`` inside a string literal is
not supported: values belong in parameters.
"""

from __future__ import annotations

import re
import time
from abc import abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from padu.sources.transports.base import Transport

_NUMBERED = re.compile(r"\$(\d+)")


def numbered_to_format(query: str, args: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
    """``$n`` placeholders as ``%s`` (MySQL's format style), the arguments in order of use.

    A parameter used twice is passed twice; a literal ``%`` is doubled, as the format style
    requires whenever arguments are given.
    """
    used: list[Any] = []

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(args):
            raise ValueError(f"${number} has no argument ({len(args)} given)")
        used.append(args[number - 1])
        return "%s"

    return _NUMBERED.sub(replace, query.replace("%", "%%")), tuple(used)


class SqlTransport(Transport):
    """A SQL engine's pool: reads, transactions and Padu's keyed writes (``padu_tulisan``)."""

    @abstractmethod
    async def fetch(self, query: str, args: Sequence[Any]) -> list[Any]:
        """The rows of one read, as the driver gives them; ``query`` in the engine's style."""

    @abstractmethod
    async def fetch_dicts(self, query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """The rows of one read as dicts; ``query`` in portable ``$n`` style."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """A pooled connection inside one transaction, committed when the block ends well."""

    @abstractmethod
    async def claim(self, connection: Any, key: str) -> bool:
        """Record ``key`` in ``padu_tulisan`` within the transaction; False if already there."""

    @abstractmethod
    async def applied(self, key: str) -> bool:
        """Whether ``key`` is recorded in ``padu_tulisan``."""

    async def ping(self) -> float:
        started = time.perf_counter()
        await self.fetch("SELECT 1", ())
        return (time.perf_counter() - started) * 1000
