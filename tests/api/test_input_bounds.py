"""Every input is bounded before it is parsed: header sizes, read time, WebSocket messages,
connections per caller and per worker; and a client that goes away costs one log line.

Padu runs under uvicorn on a real port with the production settings (padu.serving) and small
limits, and the tests speak raw HTTP over sockets or WebSocket with the ``websockets`` client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from padu.config import Config, ConfigError, parse_config
from padu.principal import Role
from tests.conftest import (
    ADMIN_ID,
    TEST_SETTINGS,
    bearer,
    drop_databases,
    eventually,
    fresh_databases,
    on_a_port,
)
from tests.data import AGUS
from tests.padu_process import Padu, write_config

BODY_LIMIT = 4096
HEADER_LIMIT = 4096
VALUE_LIMIT = 1024
READ_TIMEOUT = 1.0
KEEP_ALIVE = 1
PER_CALLER = 3
SLACK = 1.0  # seconds a loaded machine may add to a timer
QUERY = {"query": "{ region { code } }"}
ANSWER = {"data": {"region": {"code": "36.71"}}}
PROTOCOL = ["graphql-transport-ws"]

HTTP_LIMITS = {
    "max_body_bytes": BODY_LIMIT,
    "max_header_bytes": HEADER_LIMIT,
    "max_header_value_bytes": VALUE_LIMIT,
    "read_timeout_seconds": READ_TIMEOUT,
    "keep_alive_seconds": KEEP_ALIVE,
}
BOUNDED = {
    **TEST_SETTINGS,
    "http": HTTP_LIMITS,
    "limits": {"max_connections_per_caller": PER_CALLER},
}


@pytest.fixture(scope="module")
def bounded_config() -> Config:
    return parse_config(BOUNDED, "test.toml", {})


@pytest_asyncio.fixture(scope="module")
async def address(bounded_config: Config, dsns: dict[str, str]) -> AsyncIterator[str]:
    async with on_a_port(bounded_config, dsns) as served_at:
        yield served_at


@pytest_asyncio.fixture
async def own_address(bounded_config: Config, dsns: dict[str, str]) -> AsyncIterator[str]:
    """A server of the test's own, whose connection counts no other test touched."""
    async with on_a_port(bounded_config, dsns) as served_at:
        yield served_at


class Raw:
    """One plain TCP connection to Padu, speaking HTTP/1.1 by hand."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, address: str) -> Raw:
        host, port = address.split(":")
        return cls(*await asyncio.open_connection(host, int(port)))

    async def send(self, data: bytes) -> bool:
        """Write ``data``; False once the server has closed the connection."""
        try:
            self.writer.write(data)
            await self.writer.drain()
        except ConnectionError:
            return False
        return not self.reader.at_eof()

    async def answer(self, timeout: float) -> tuple[int, dict[str, str], Any]:
        """The status, headers and JSON body of the server's next answer."""
        async with asyncio.timeout(timeout):
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *lines = head.decode().strip().split("\r\n")
            headers = dict(line.lower().split(": ", 1) for line in lines)
            body = await self.reader.readexactly(int(headers["content-length"]))
        return int(status_line.split()[1]), headers, json.loads(body)

    async def closed_within(self, timeout: float) -> bool:
        """Whether the server closes the connection (reads reach EOF) within ``timeout``."""
        try:
            await asyncio.wait_for(self.reader.read(-1), timeout)
        except TimeoutError:
            return False
        return True

    def abort(self) -> None:
        """Drop the connection at once, as a client whose network failed."""
        self.writer.transport.abort()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@pytest_asyncio.fixture
async def raw_to() -> AsyncIterator[Callable[[str], Awaitable[Raw]]]:
    """Opens Raw connections to an address; closes them after the test."""
    opened: list[Raw] = []

    async def open_(address: str) -> Raw:
        opened.append(await Raw.open(address))
        return opened[-1]

    yield open_
    for raw in opened:
        await raw.close()


RawTo = Callable[[str], Awaitable[Raw]]


def refusal(body: Any, code: str) -> str:
    [error] = body["errors"]
    assert body == {"errors": [{"message": error["message"], "extensions": {"code": code}}]}
    message: str = error["message"]
    return message


def request_head(extra: str = "", content_length: int | None = None) -> bytes:
    length = "" if content_length is None else f"Content-Length: {content_length}\r\n"
    return (
        f"POST /graphql HTTP/1.1\r\nHost: padu.test\r\nContent-Type: application/json\r\n"
        f"{length}{extra}\r\n"
    ).encode()


# --- request heads: size --------------------------------------------------------------------


async def test_a_header_streamed_past_the_limit_is_refused_before_it_ends(
    address: str, raw_to: RawTo
) -> None:
    raw = await raw_to(address)
    answer = asyncio.create_task(raw.answer(timeout=10))
    await raw.send(b"POST /graphql HTTP/1.1\r\nHost: padu.test\r\nAuthorization: Bearer ")
    sent, chunk = 0, b"a" * 256
    # A client that would stream a header of 4 MB, a little at a time, until answered.
    while sent < 4_000_000 and not answer.done() and await raw.send(chunk):
        sent += len(chunk)
        await asyncio.sleep(0.002)
    status, headers, body = await answer
    assert (status, headers["content-type"], headers["connection"]) == (
        431,
        "application/json",
        "close",
    )
    assert refusal(body, "HEADERS_TOO_LARGE") == (
        f"The request headers are larger than {HEADER_LIMIT} bytes, the limit; "
        "send fewer or shorter headers."
    )
    # Cut off within a few reads past the limit, not after the 4 MB.
    assert sent < 4 * HEADER_LIMIT


async def test_an_oversized_authorization_header_is_431_before_the_token_is_read(
    address: str, bounded_config: Config
) -> None:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        token = {"Authorization": "Bearer " + "a" * VALUE_LIMIT}  # one byte over
        response = await http.post("/graphql", json=QUERY, headers=token)
        assert response.status_code == 431  # not 401: the token was never parsed
        assert refusal(response.json(), "HEADERS_TOO_LARGE") == (
            f"The Authorization header is longer than {VALUE_LIMIT} bytes, the limit; "
            "send a shorter one."
        )
        at_limit = {"X-Padding": "a" * VALUE_LIMIT, **bearer(bounded_config, Role.ADMIN, ADMIN_ID)}
        assert (await http.post("/graphql", json=QUERY, headers=at_limit)).json() == ANSWER
        # Each header under the limit, together over it.
        many = {f"X-Padding-{n}": "a" * (VALUE_LIMIT - 100) for n in range(5)}
        response = await http.post("/graphql", json=QUERY, headers=many)
        assert response.status_code == 431
        assert "request headers are larger than 4096 bytes" in refusal(
            response.json(), "HEADERS_TOO_LARGE"
        )


async def test_a_websocket_handshake_with_oversized_headers_is_refused(address: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            f"ws://{address}/graphql",
            subprotocols=PROTOCOL,  # type: ignore[arg-type]
            additional_headers={"Authorization": "Bearer " + "a" * 4 * VALUE_LIMIT},
        )
    assert refused.value.response.status_code == 431
    refusal(json.loads(refused.value.response.body or b""), "HEADERS_TOO_LARGE")


# --- slow clients -----------------------------------------------------------------------------


async def dribble(raw: Raw, data: bytes, every: float) -> None:
    """Send ``data`` one byte at a time, as a slow-loris client does, until closed."""
    for byte in data:
        if not await raw.send(bytes([byte])):
            return
        await asyncio.sleep(every)


@pytest.mark.parametrize("part", ["head", "body"])
async def test_a_request_sent_a_byte_at_a_time_is_closed_at_the_read_timeout(
    address: str, raw_to: RawTo, part: str
) -> None:
    raw = await raw_to(address)
    body = json.dumps(QUERY).encode()
    head = request_head(content_length=len(body))
    if part == "body":
        await raw.send(head)
        head, body = b"", body
    started = time.monotonic()
    sender = asyncio.create_task(dribble(raw, head + body, every=0.2))
    status, _, answer = await raw.answer(timeout=READ_TIMEOUT + SLACK)
    elapsed = time.monotonic() - started
    sender.cancel()
    assert status == 408
    assert refusal(answer, "REQUEST_TIMEOUT") == (
        "The request did not arrive within 1 seconds; send it again, whole."
    )
    assert READ_TIMEOUT - 0.1 <= elapsed <= READ_TIMEOUT + SLACK


async def test_a_connection_that_sends_nothing_is_closed_at_the_read_timeout(
    address: str, raw_to: RawTo
) -> None:
    raw = await raw_to(address)
    started = time.monotonic()
    # Closed without an answer: it asked nothing (a browser's preconnected socket, say).
    assert await asyncio.wait_for(raw.reader.read(-1), READ_TIMEOUT + SLACK) == b""
    assert time.monotonic() - started >= READ_TIMEOUT - 0.1


async def test_an_idle_keep_alive_connection_is_closed(address: str, raw_to: RawTo) -> None:
    raw = await raw_to(address)
    body = json.dumps(QUERY).encode()
    await raw.send(request_head(content_length=len(body)) + body)
    assert (await raw.answer(timeout=5))[::2] == (200, ANSWER)
    # Kept alive for keep_alive_seconds, then closed (uvicorn's default would be 5 s).
    assert await raw.closed_within(KEEP_ALIVE + SLACK)


async def test_requests_sent_whole_are_answered(address: str, raw_to: RawTo) -> None:
    raw = await raw_to(address)
    body = json.dumps(QUERY).encode()
    for _ in range(3):  # on one keep-alive connection
        await raw.send(request_head(content_length=len(body)) + body)
        assert (await raw.answer(timeout=5))[::2] == (200, ANSWER)
        await asyncio.sleep(READ_TIMEOUT / 2)  # idle between requests does not count
    raw.abort()


# --- WebSocket ---------------------------------------------------------------------------------


async def opened(address: str) -> ClientConnection:
    ws_url = f"ws://{address}/graphql"
    return await connect(ws_url, subprotocols=PROTOCOL, max_size=None)  # type: ignore[arg-type]


async def signed_in(ws: ClientConnection, headers: dict[str, str]) -> dict[str, Any]:
    """Send connection_init with ``headers``; the server's answer."""
    await ws.send(json.dumps({"type": "connection_init", "payload": headers}))
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return answer


async def close_of(ws: ClientConnection) -> tuple[int, str]:
    """The code and reason the server closed ``ws`` with."""
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_a_websocket_message_over_the_body_limit_closes_the_socket_unread(
    address: str, bounded_config: Config
) -> None:
    token = bearer(bounded_config, Role.ADMIN, ADMIN_ID)
    ws = await opened(address)
    flood = json.dumps({"type": "connection_init", "payload": {**token, "x": "a" * 15_000_000}})
    with pytest.raises(ConnectionClosed):
        await ws.send(flood)
        await asyncio.wait_for(ws.recv(), 5)  # never an ack
    assert ws.close_code == 1009  # message too big
    # Under the limit, the same sign-in is acknowledged.
    ws = await opened(address)
    padded = {**token, "x": "a" * (BODY_LIMIT - 1000)}
    assert await signed_in(ws, padded) == {"type": "connection_ack"}
    await ws.close()


async def test_websocket_connections_are_capped_per_caller(
    own_address: str, bounded_config: Config
) -> None:
    admin = bearer(bounded_config, Role.ADMIN, ADMIN_ID)
    mine = [await opened(own_address) for _ in range(PER_CALLER)]
    for ws in mine:
        assert await signed_in(ws, admin) == {"type": "connection_ack"}
    one_more = await opened(own_address)
    await one_more.send(json.dumps({"type": "connection_init", "payload": admin}))
    assert await close_of(one_more) == (
        4429,
        f"Too many connections: at most {PER_CALLER} per caller; close one first",
    )
    # Another caller is not affected.
    other = await opened(own_address)
    officer = bearer(bounded_config, Role.OFFICER, AGUS)
    assert await signed_in(other, officer) == {"type": "connection_ack"}
    # Closing one gives its place back (once the server's handler has ended).
    await mine.pop().close()

    async def sign_in_again() -> tuple[ClientConnection, dict[str, Any] | int]:
        ws = await opened(own_address)
        try:
            return ws, await signed_in(ws, admin)
        except ConnectionClosed as closed:
            return ws, closed.rcvd.code if closed.rcvd else 0

    again, answer = await eventually(sign_in_again, lambda result: result[1] != 4429, 5)
    assert answer == {"type": "connection_ack"}
    for ws in [*mine, other, again]:
        await ws.close()


async def test_connections_not_signed_in_are_capped_per_address(
    own_address: str, bounded_config: Config
) -> None:
    waiting = [await opened(own_address) for _ in range(PER_CALLER)]
    refused = await opened(own_address)  # accepted, then closed at once
    assert await close_of(refused) == (
        4429,
        f"Too many connections: at most {PER_CALLER} per caller; close one first",
    )
    # Signing in moves a connection from its address to its caller, freeing a place (done
    # before the acknowledgement is sent).
    assert await signed_in(waiting[0], bearer(bounded_config, Role.ADMIN, ADMIN_ID)) == {
        "type": "connection_ack"
    }
    anonymous = await opened(own_address)
    assert await signed_in(anonymous, {}) == {"type": "connection_ack"}
    for ws in [*waiting, anonymous]:
        await ws.close()


# --- connections per worker -------------------------------------------------------------------


async def test_past_max_connections_requests_get_a_json_503(
    dsns: dict[str, str], raw_to: RawTo
) -> None:
    config = parse_config({**TEST_SETTINGS, "http": {"max_connections": 2}}, "test.toml", {})
    async with on_a_port(config, dsns) as served_at:
        idle = [await raw_to(served_at) for _ in range(2)]
        await asyncio.sleep(0.1)
        busy = await raw_to(served_at)
        body = json.dumps(QUERY).encode()
        await busy.send(request_head(content_length=len(body)) + body)
        status, headers, answer = await busy.answer(timeout=5)
        assert (status, headers["retry-after"]) == (503, "1")
        assert refusal(answer, "SERVER_BUSY") == (
            "The server is at its connection limit; try again in a moment."
        )
        with pytest.raises(InvalidStatus) as upgrade:
            await opened(served_at)
        assert upgrade.value.response.status_code == 503
        for raw in idle:
            raw.abort()
        async with httpx.AsyncClient(base_url=f"http://{served_at}") as http:
            # Served again once the server has seen the idle connections go.
            response = await eventually(
                lambda: http.post("/graphql", json=QUERY), lambda r: r.status_code != 503, 5
            )
            assert response.json() == ANSWER


# --- clients that go away ---------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def every_log_record() -> Iterator[list[logging.LogRecord]]:
    """Records of all loggers, uvicorn's included (they do not propagate to the root)."""
    handler = _Records()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def test_a_client_that_goes_away_costs_one_short_line_and_no_traceback(
    address: str, bounded_config: Config, raw_to: RawTo
) -> None:
    admin = bearer(bounded_config, Role.ADMIN, ADMIN_ID)
    with every_log_record() as records:
        # An HTTP client gone before its body arrived.
        raw = await raw_to(address)
        await raw.send(request_head(content_length=1000) + b'{"query": "{ reg')
        await asyncio.sleep(0.2)
        raw.abort()
        # One gone while its answer is being made.
        raw = await raw_to(address)
        body = json.dumps({"query": "{ residents(first: 50) { edges { node { nik } } } }"})
        auth = f"Authorization: {admin['Authorization']}\r\n"
        await raw.send(request_head(auth, len(body)) + body.encode())
        await asyncio.sleep(0.02)  # the request has arrived; its answer is being made
        raw.abort()
        # A WebSocket client gone with a subscription open.
        ws = await opened(address)
        assert await signed_in(ws, admin) == {"type": "connection_ack"}
        subscribe = {"query": "subscription { serviceRequestChanged { kind } }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        await asyncio.sleep(0.2)
        ws.transport.abort()
        await asyncio.sleep(0.5)
    tracebacks = [r for r in records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
    went_away = [r.getMessage() for r in records if r.name == "padu.http"]
    assert went_away == ["client went away before its request arrived: POST /graphql"]


# --- padu serve ----------------------------------------------------------------------------------


async def test_padu_serve_applies_the_same_limits(
    server_dsn: str, tmp_path: Path, raw_to: RawTo
) -> None:
    """The command serves under uvloop with the settings the tests use (padu.serving)."""
    dsns = await fresh_databases(server_dsn)
    config = write_config(tmp_path, dsns, dsns["performance"])
    limits = [f"{key} = {value}" for key, value in HTTP_LIMITS.items()]
    config.write_text(config.read_text() + "\n[http]\n" + "\n".join(limits) + "\n")
    padu = Padu(config)
    try:
        await padu.ready()
        address = f"127.0.0.1:{padu.port}"
        slow = await raw_to(address)
        sender = asyncio.create_task(dribble(slow, request_head(), every=0.2))
        assert (await slow.answer(timeout=READ_TIMEOUT + SLACK))[0] == 408
        sender.cancel()
        large = await raw_to(address)
        # A head that never ends: only the protocol's count can refuse it.
        await large.send(b"GET / HTTP/1.1\r\nX-Padding: " + b"a" * 2 * HEADER_LIMIT)
        assert (await large.answer(timeout=5))[0] == 431
        ws = await opened(address)
        with pytest.raises(ConnectionClosed):
            await ws.send("a" * 2 * BODY_LIMIT)
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1009
    finally:
        padu.kill()
        await drop_databases(server_dsn, dsns)


# --- configuration -----------------------------------------------------------------------------


def test_a_header_value_limit_above_the_header_limit_is_a_configuration_error() -> None:
    settings = {"http": {"max_header_bytes": 2048, "max_header_value_bytes": 4096}}
    with pytest.raises(ConfigError) as error:
        parse_config(settings, "padu.toml", {})
    assert str(error.value) == (
        "padu.toml: http.max_header_value_bytes: must not exceed max_header_bytes (2048), got 4096"
    )
