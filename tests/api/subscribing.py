"""Speaking graphql-transport-ws to a Padu on a real port: sockets, documents, changes.

Shared by the subscription tests (the server and the sockets are fixtures in conftest.py):
Padu runs under uvicorn and the tests speak the protocol with the ``websockets`` client.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection

from padu.principal import Role
from tests.conftest import Served
from tests.data import SITI

DELIVERY_SECONDS = 1.0  # the bound: an event within one second of the change
QUIET_SECONDS = 0.4
CAP = 3

CHANGES = """subscription($f: ServiceRequestChangeFilter) { serviceRequestChanged(filter: $f) {
  kind status previousStatus requestId request { ticketNumber status district { code } } } }"""
COUNTERS = """subscription($f: DashboardFilter) { dashboardCounters(filter: $f) {
  total backlog resolved overdue slaCompliance } }"""
SUBMIT = """mutation($input: SubmitServiceRequestInput!) { submitServiceRequest(input: $input) {
  errors { code message } serviceRequest { id } } }"""
ADVANCE = """mutation($id: ID!, $status: ServiceRequestStatus!) {
  updateServiceRequestStatus(id: $id, status: $status) { errors { code message } } }"""
RESOLVE = """mutation($id: ID!) { resolveServiceRequest(id: $id, resolution: "Selesai") {
  errors { code message } serviceRequest { status } } }"""


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = 0

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self.ids += 1
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": str(self.ids), "type": "subscribe",
                                       "payload": payload}))  # fmt: skip
        return str(self.ids)

    async def receive(self, timeout: float = DELIVERY_SECONDS) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(frame, str)  # graphql-transport-ws speaks in text frames
        message: dict[str, Any] = json.loads(frame)
        return message

    async def silent(self) -> bool:
        """Nothing arrives for a while."""
        try:
            await self.receive(QUIET_SECONDS)
        except TimeoutError:
            return True
        return False


async def listening(live: Served) -> None:
    """Wait until the subscriptions just made are registered with the feed."""
    await asyncio.sleep(0.2)


async def submit(live: Served, village: str, as_: tuple[Role, str] = (Role.CITIZEN, SITI)) -> str:
    body = await live.ask(
        SUBMIT,
        {"input": {"category": "COMPLAINT", "title": "Jalan berlubang",
                   "description": "Di depan sekolah.", "villageCode": village}},
        as_,
    )  # fmt: skip
    assert body["data"]["submitServiceRequest"]["errors"] == [], body
    request_id: str = body["data"]["submitServiceRequest"]["serviceRequest"]["id"]
    return request_id
