"""A TCP proxy in front of a PostgreSQL server that a test can take down and bring back."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs, urlsplit, urlunsplit


class Proxy:
    """Listens on 127.0.0.1 and forwards to the server of ``dsn`` (TCP or Unix socket)."""

    def __init__(self, dsn: str, delay: float = 0.0) -> None:
        self.upstream = urlsplit(dsn)
        self.delay = delay  # seconds added before each piece of the server's answers
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    @property
    def dsn(self) -> str:
        """The upstream DSN, rerouted through the proxy."""
        user = self.upstream.username or "postgres"
        netloc = f"{user}@127.0.0.1:{self.port}"
        return urlunsplit(("postgresql", netloc, self.upstream.path, "", ""))

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        socket_dir = parse_qs(self.upstream.query).get("host", [None])[0]
        if socket_dir:
            port = self.upstream.port or 5432
            return await asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{port}")
        return await asyncio.open_connection(self.upstream.hostname, self.upstream.port or 5432)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await self._open_upstream()
        except OSError:
            writer.close()
            return
        self._links |= {writer, up_writer}

        async def pipe(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, delay: float = 0.0
        ) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    if delay:
                        await asyncio.sleep(delay)
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer, self.delay))
        self._links -= {writer, up_writer}

    async def start(self) -> None:
        """Accept connections (again), on the same port as before once it has one."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a crashed server would."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for link in list(self._links):
            link.close()
        self._links.clear()
        if server is not None:
            await server.wait_closed()
