"""Test databases: one per source system on a real PostgreSQL, loaded with tests/data.py.

The server is the embedded one (pgserver) unless PADU_TEST_DSN names another, e.g.
postgresql://postgres@127.0.0.1:5432/postgres.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
import pytest_asyncio
import uvicorn
from opentelemetry.sdk.trace.export import SpanExporter
from starlette.applications import Starlette

from padu.access.scopes import Scopes
from padu.app import create_app
from padu.auth import mint_dev_token
from padu.compiled import MISMATCHES
from padu.config import SOURCE_NAMES, Config, parse_config
from padu.loaders import Loaders
from padu.logs import install_redaction
from padu.principal import Principal, Role
from padu.serving import uvicorn_config
from padu.sources import Sources
from padu.sources.embedded import drop_database, ensure_database, start_embedded, with_database
from padu.sources.trace import SourceTrace, current_trace
from padu.view import PaduGraphQL
from tests.data import FIXTURES, PERSONAL, TEST_AUDIT_KEY, TEST_SECRET
from tests.padu_process import free_port

GraphQL = Callable[..., Awaitable[dict[str, Any]]]


async def eventually(
    check: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout: float = 15.0
) -> Any:
    """Poll ``check()`` until ``done(value)`` or the time is up; returns the last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if done(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


class _Collector(logging.Handler):
    """Keeps every formatted log line of the run."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs() -> Iterator[None]:
    """Fails the run if any log line written during the suite holds a resident's NIK, KK or name."""
    install_redaction()
    collector, root = _Collector(), logging.getLogger()
    previous = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(collector)
    root.setLevel(previous)
    leaked = [line for line in collector.lines for secret in PERSONAL if secret in line]
    assert not leaked, f"personal data in {len(leaked)} log line(s), e.g. {leaked[0]!r}"


@pytest.fixture(scope="session")
def server_dsn() -> str:
    """A DSN to the maintenance database of the server the tests use."""
    external = os.environ.get("PADU_TEST_DSN")
    if external:
        return external
    data_dir = Path(tempfile.mkdtemp(prefix="padu-test-")) / "postgres"
    return start_embedded(data_dir, delete_on_exit=True)


async def load_fixture(dsn: str, source: str) -> None:
    ddl = resources.files("padu.sources.demo").joinpath(f"{source}.sql").read_text()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(ddl)
        await conn.execute(FIXTURES[source])
    finally:
        await conn.close()


async def empty_databases(server_dsn: str, prefix: str = "padu_test") -> dict[str, str]:
    """A new, empty database for each source and for ``state``."""
    run = uuid.uuid4().hex[:8]
    result = {}
    for source in (*SOURCE_NAMES, "state"):
        name = f"{prefix}_{run}_{source}"
        await ensure_database(server_dsn, name)
        result[source] = with_database(server_dsn, name)
    return result


async def fresh_databases(server_dsn: str) -> dict[str, str]:
    """A new set of databases: the four sources with the fixed dataset and an empty state."""
    result = await empty_databases(server_dsn)
    for source, dsn in result.items():
        if source in FIXTURES:
            await load_fixture(dsn, source)
    return result


async def drop_databases(server_dsn: str, dsns: dict[str, str]) -> None:
    for dsn in dsns.values():
        await drop_database(server_dsn, urlsplit(dsn).path.lstrip("/"))


@pytest_asyncio.fixture(scope="session")
async def dsns(server_dsn: str) -> AsyncIterator[dict[str, str]]:
    """Databases shared by the read-only tests (nothing may write to them)."""
    created = await fresh_databases(server_dsn)
    yield created
    await drop_databases(server_dsn, created)


TEST_SETTINGS = {
    "padu": {"region": "36.71"},
    # Every query runs compiled and on the standard executor, compared (padu.compiled).
    "server": {"executor": "verify"},
    "auth": {"hs256_secret": TEST_SECRET},
    "audit": {"hash_key": TEST_AUDIT_KEY},
}


@pytest.fixture(autouse=True)
def compiled_matches_standard() -> Iterator[None]:
    """Fails a test whose queries answered differently compiled and on the standard executor."""
    MISMATCHES.clear()
    yield
    assert not MISMATCHES, f"compiled execution differs from standard: {MISMATCHES[0]}"


@pytest.fixture(scope="session")
def config() -> Config:
    return parse_config(TEST_SETTINGS, "test.toml", {})


def bearer(config: Config, role: Role, subject: str, unit: str | None = None) -> dict[str, str]:
    """An Authorization header for ``role``/``subject``, signed with the test secret."""
    token = mint_dev_token(config.auth, config.state_dir, role, subject, unit=unit)
    return {"Authorization": f"Bearer {token}"}


ADMIN_ID = "admin@padu.test"


@pytest_asyncio.fixture(scope="session")
async def sources(config: Config, dsns: dict[str, str]) -> AsyncIterator[Sources]:
    started = Sources.create(config, dsns)
    await started.start()
    await started.state.migrate()
    yield started
    await started.stop()


@pytest.fixture
def trace() -> SourceTrace:
    """A fresh round-trip trace, current for the test."""
    fresh = SourceTrace()
    token = current_trace.set(fresh)
    yield fresh
    current_trace.reset(token)


def admin_scopes(sources: Sources) -> Scopes:
    """Row scopes of an admin: every row."""
    return Scopes(Principal(Role.ADMIN, ADMIN_ID), sources)


@pytest.fixture
def loaders(sources: Sources) -> Loaders:
    return Loaders(sources, admin_scopes(sources))


@asynccontextmanager
async def serving(
    config: Config, dsns: dict[str, str], spans: SpanExporter | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to a running Padu app (lifespan included) over ``dsns``; its trace spans
    (with ``[tracing] enabled``) go to ``spans``."""
    app = create_app(config, dsns, spans)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://padu.test") as http:
            yield http


@asynccontextmanager
async def on_a_port(
    config: Config, dsns: dict[str, str], spans: SpanExporter | None = None
) -> AsyncIterator[str]:
    """Padu under uvicorn on a free local port (WebSockets and browsers need a real one)."""
    port = free_port()
    app = create_app(config, dsns, spans)
    settings = uvicorn_config(config, app, host="127.0.0.1", port=port, log_level="warning")
    address = f"127.0.0.1:{port}"
    async with uvicorn_serving(settings):
        APPS[address] = app
        try:
            yield address
        finally:
            del APPS[address]


APPS: dict[str, Starlette] = {}  # the app served at each address, for tests that look inside


@asynccontextmanager
async def uvicorn_serving(settings: uvicorn.Config) -> AsyncIterator[None]:
    """uvicorn serving with ``settings`` in this event loop, from started until the block ends."""
    server = uvicorn.Server(settings)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn did not start"
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await serving


@dataclass
class Served:
    """Padu on a real local port over fresh test databases, and an HTTP client to it."""

    address: str
    config: Config
    dsns: dict[str, str]
    http: httpx.AsyncClient

    @property
    def http_url(self) -> str:
        return f"http://{self.address}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.address}/graphql"

    @property
    def view(self) -> PaduGraphQL:
        """The GraphQL endpoint of the app served (in this process)."""
        view: PaduGraphQL = APPS[self.address].state.graphql
        return view

    async def ask(
        self, query: str, variables: dict[str, Any], as_: tuple[Role, str]
    ) -> dict[str, Any]:
        return await poster(self.http, self.config)(query, variables, as_)


@asynccontextmanager
async def served(
    server_dsn: str, config: Config, spans: SpanExporter | None = None
) -> AsyncIterator[Served]:
    """``on_a_port`` over fresh databases (dropped afterwards)."""
    dsns = await fresh_databases(server_dsn)
    try:
        async with (
            on_a_port(config, dsns, spans) as address,
            httpx.AsyncClient(base_url=f"http://{address}") as http,
        ):
            yield Served(address, config, dsns, http)
    finally:
        await drop_databases(server_dsn, dsns)


@pytest_asyncio.fixture(scope="session")
async def client(config: Config, dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to Padu over the test databases."""
    async with serving(config, dsns) as http:
        yield http


def poster(client: httpx.AsyncClient, config: Config) -> GraphQL:
    """POST a GraphQL operation (traced) as ``as_`` (default: an admin); return the JSON body.

    ``as_`` is (role, subject) or None for an anonymous caller.
    """
    admin = (Role.ADMIN, ADMIN_ID)

    async def run(
        query: str,
        variables: dict[str, Any] | None = None,
        as_: tuple[Role, str] | None = admin,
    ) -> dict[str, Any]:
        headers = {"X-Padu-Trace": "1"}
        if as_ is not None:
            headers.update(bearer(config, *as_))
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def gql(client: httpx.AsyncClient, config: Config) -> GraphQL:
    """``poster`` on the shared test app."""
    return poster(client, config)


def node_id(type_name: str, key: object) -> str:
    """The global id Padu gives ``type_name``'s entity ``key`` under the test audit key."""
    from padu.resolvers.pagination import cursor_seal

    plain = f"{type_name}:{key}".encode()
    return cursor_seal(TEST_AUDIT_KEY.encode()).seal("node", plain)


def node_key(value: str) -> str:
    """The key inside a global id Padu gave under the test audit key (e.g. a request's number)."""
    from padu.resolvers.pagination import cursor_seal

    plain = cursor_seal(TEST_AUDIT_KEY.encode()).open("node", value).decode()
    return plain.partition(":")[2]
