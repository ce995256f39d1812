"""Fixtures of the API tests: a Padu serving subscriptions on a real port, sockets to it, and
a headless Chromium (Debian's ``chromium``) for the pages."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright
from websockets.asyncio.client import ClientConnection, connect

from padu.config import Config, parse_config
from padu.principal import Role
from tests.api.subscribing import CAP, Socket
from tests.conftest import TEST_SETTINGS, Served, bearer, served

# Flags for a sandboxed, offline machine (see the env notes): no GPU, no Google services.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest_asyncio.fixture(scope="module")
async def live(server_dsn: str) -> AsyncIterator[Served]:
    config = parse_config({**TEST_SETTINGS, "limits": {"max_subscriptions": CAP}}, "test.toml", {})
    async with served(server_dsn, config) as padu:
        yield padu


@pytest_asyncio.fixture
async def sockets(live: Served) -> AsyncIterator[Any]:
    opened: list[ClientConnection] = []

    async def open_as(as_: tuple[Role, str] | None) -> Socket:
        ws = await connect(live.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        opened.append(ws)
        init: dict[str, Any] = {"type": "connection_init"}
        if as_ is not None:
            init["payload"] = bearer(live.config, *as_)
        await ws.send(json.dumps(init))
        socket_ = Socket(ws)
        assert (await socket_.receive())["type"] == "connection_ack"
        return socket_

    yield open_as
    for ws in opened:
        await ws.close()


def chromium() -> str:
    found = os.environ.get("PADU_CHROMIUM") or shutil.which("chromium")
    found = found or shutil.which("chromium-browser")
    if found is None:
        reason = "needs Debian's chromium (`make test` installs it; or set PADU_CHROMIUM)"
        if os.environ.get("PADU_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest_asyncio.fixture(scope="module")
async def site(server_dsn: str, config: Config) -> AsyncIterator[Served]:
    """Padu on a real port over fresh databases, for one module's browser tests."""
    async with served(server_dsn, config) as padu:
        yield padu


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    opened = await context.new_page()
    yield opened
    await context.close()
