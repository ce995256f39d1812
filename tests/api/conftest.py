"""Fixtures of the API tests: a Padu serving subscriptions on a real port, and sockets to it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from websockets.asyncio.client import ClientConnection, connect

from padu.config import parse_config
from padu.principal import Role
from tests.api.subscribing import CAP, Socket
from tests.conftest import TEST_SETTINGS, Served, bearer, served


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
