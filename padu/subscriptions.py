"""GraphQL over WebSocket (graphql-transport-ws): sign-in, caps, coded errors, audit.

The caller signs in with ``{"Authorization": "Bearer <token>"}`` in ``connection_init``
(browsers cannot set headers on a WebSocket); the token is checked exactly as on HTTP, and a
bad one closes the connection with 4403 and the reason. A caller holds at most
``max_connections_per_caller`` connections (4429 past it) and each at most
``max_subscriptions`` operations. Every event is sent only after the personal data it carries
is in the audit log, and its errors carry Padu's codes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import orjson
from graphql import GraphQLError, get_operation_ast, parse
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    NextMessage,
    SubscribeMessage,
)
from strawberry.types.execution import PreExecutionError

from padu.auth import Unauthenticated
from padu.context import Context
from padu.metrics import SUBSCRIPTIONS
from padu.persisted import PersistedRefusal
from padu.principal import by_address
from padu.subscription_share import FELL_BEHIND, INCREMENTAL, Ended, Event, share_key
from padu.tracing import event as traced_event

if TYPE_CHECKING:
    from strawberry.schema.schema import StreamResult

    from padu.view import PaduGraphQL

CLOSE_REASON_BYTES = 120  # a WebSocket close reason holds at most 123 bytes


def bearer_of(params: dict[str, Any]) -> str | None:
    """The Authorization value of a ``connection_init`` payload (any key case)."""
    for key, value in params.items():
        if key.lower() == "authorization":
            if not isinstance(value, str):
                raise Unauthenticated("`Authorization` in connection_init must be a string")
            return value
    return None


def operation_name(query: str, given: str | None) -> str | None:
    """The name of the operation run: the one asked for, or the document's only one."""
    if given is not None:
        return given
    try:
        operation = get_operation_ast(parse(query))
    except GraphQLError:
        return None
    return None if operation is None or operation.name is None else operation.name.value


class TextFrames(ASGIWebSocketAdapter):
    """Sends each message as a text frame, as graphql-transport-ws requires (browsers cannot
    parse the binary frames Strawberry sends for an encoder returning bytes, like Padu's)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        await self.send_text(orjson.dumps(message).decode())

    async def send_text(self, frame: str) -> None:
        try:
            await self.ws.send_text(frame)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class PaduTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's graphql-transport-ws handler with Padu's sign-in, limits and errors."""

    view: PaduGraphQL
    websocket: TextFrames
    expiry: asyncio.Task[None] | None = None
    caller = ""  # the key this connection counts under in view.connections

    async def handle(self) -> None:
        caller = by_address(self._host())
        if not self.view.connections.take(caller):
            await self._too_many()
            return
        self.caller = caller
        try:
            await super().handle()
        finally:
            self.view.connections.release(self.caller)

    def _host(self) -> str | None:
        client = self.websocket.ws.client
        return None if client is None else client.host

    async def _too_many(self) -> None:
        cap = self.view.connections.cap
        reason = f"Too many connections: at most {cap} per caller; close one first"
        await self.websocket.close(code=4429, reason=reason)

    async def _count_as(self, caller: str) -> bool:
        """Count this connection under ``caller`` from now on; False (and closed) at the cap."""
        if caller == self.caller:
            return True
        if not self.view.connections.take(caller):
            await self._too_many()
            return False
        self.view.connections.release(self.caller)
        self.caller = caller
        return True

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload") or {}
        if isinstance(payload, dict) and not self.connection_init_received:
            try:
                principal = await self.view.authenticator.authenticate(bearer_of(payload))
            except Unauthenticated as exc:
                reason = f"Unauthenticated: {exc}".encode()[:CLOSE_REASON_BYTES]
                await self.websocket.close(code=4403, reason=reason.decode(errors="ignore"))
                return
            if not await self._count_as(principal.caller(self._host())):
                return
            self.view.sign_in(self.context, principal)
            if principal.expires_at is not None:
                self.expiry = asyncio.create_task(self._close_at(principal.expires_at))
        await super().handle_connection_init(message)

    async def _close_at(self, expires_at: float) -> None:
        """A connection lives no longer than the token that signed it in."""
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        reason = "Unauthenticated: the token expired; connect again with a fresh one"
        await self.websocket.close(code=4403, reason=reason)

    async def shutdown(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # Persisted operations hold over WebSocket too: by hash, and in trusted mode only the
        # manifest's documents (padu.persisted).
        payload = message.get("payload")
        if isinstance(payload, dict) and self.connection_acknowledged:
            try:
                query = self.view.persisted.query(payload.get("query"), payload.get("extensions"))
            except PersistedRefusal as refused:
                error = {"message": refused.message, "extensions": {"code": refused.code}}
                message_ = {"id": message["id"], "type": "error", "payload": [error]}
                await self.send_message(cast("ErrorMessage", message_))
                return
            if query is not None:
                payload["query"] = query
        cap = self.view.config.limits.max_subscriptions
        if self.connection_acknowledged and len(self.operations) >= cap:
            error = {
                "message": f"At most {cap} operations may be open on one connection; "
                "complete one before subscribing again.",
                "extensions": {"code": "SUBSCRIPTION_LIMIT", "limit": cap},
            }
            refusal = {"id": message["id"], "type": "error", "payload": [error]}
            await self.send_message(cast("ErrorMessage", refusal))
            return
        await super().handle_subscribe(message)

    async def _handle_pre_execution_error(
        self, operation: Operation[Context, None], result: PreExecutionError
    ) -> None:
        assert result.errors
        if self._get_pre_execution_close_reason(result.errors[0]):
            await super()._handle_pre_execution_error(operation, result)
            return
        errors = [self.view.format(self.context, e) for e in result.errors]
        message = {"id": operation.id, "type": "error", "payload": errors}
        await operation.send_operation_message(cast("ErrorMessage", message))

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """A subscription joins the stream shared by callers who would get the same events
        (``padu.subscription_share``); queries and mutations run alone, as Strawberry runs them."""
        shared = self.view.shared
        replays = shared.plan(operation.query, operation.operation_name)
        if replays is None:
            await super().run_operation(operation)
            return
        name = operation_name(operation.query, operation.operation_name)
        sees_as = self.context.scopes.sees_as
        key = share_key(operation.query, operation.operation_name, operation.variables, sees_as)
        start = self._start(operation)
        SUBSCRIPTIONS.inc()
        try:
            async with shared.join(key, replays, self._stream_context, start) as events:
                while not isinstance(item := await events.get(), Ended):
                    await self._send_event(operation, item, name)
            if isinstance(item.reason, PreExecutionError):
                await self._handle_pre_execution_error(operation, item.reason)
                return
            if item.reason == INCREMENTAL:
                await self._reject_incremental_delivery(operation)
                return
            if item.reason == FELL_BEHIND:
                await self._fell_behind(operation)
                return
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        finally:
            SUBSCRIPTIONS.dec()

    def _stream_context(self) -> Context:
        """The context a shared stream executes in: this caller's view of the data, its own
        audit trail (whose reads each subscriber's task audits for its own caller)."""
        return self.view.context_for(self.context.scopes.principal, self.context.connection_params)

    def _start(
        self, operation: Operation[Context, None]
    ) -> Callable[[Context], Awaitable[StreamResult]]:
        async def start(context: Context) -> StreamResult:
            return await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )

        return start

    async def _send_event(
        self, operation: Operation[Context, None], event: Event, name: str | None
    ) -> None:
        """Audit the event for this connection's caller, then send it."""
        with traced_event(name, self.context.scopes.principal.role.value):
            await self._audit_and_send(operation, event, name)

    async def _audit_and_send(
        self, operation: Operation[Context, None], event: Event, name: str | None
    ) -> None:
        context = self.context
        entries = event.noted.entries_for(context.scopes.principal, context.request_id, name)
        refusal = await self.view.audited(context, entries)
        if operation.completed or operation.id not in self.operations:
            return
        if refusal is None and event.encoded is not None:
            tag = orjson.dumps(operation.id).decode()
            frame = f'{{"id":{tag},"type":"next","payload":{event.encoded}}}'
            await self.websocket.send_text(frame)
            return
        payload = refusal or self.view.payload(context, event.result)
        message = {"id": operation.id, "type": "next", "payload": payload}
        await operation.send_operation_message(cast("NextMessage", message))

    async def _fell_behind(self, operation: Operation[Context, None]) -> None:
        error = {
            "message": "Events arrived faster than this subscription read them, so it ended; "
            "subscribe again (and read the current state with a query).",
            "extensions": {"code": "SUBSCRIPTION_FELL_BEHIND"},
        }
        message = {"id": operation.id, "type": "error", "payload": [error]}
        await operation.send_operation_message(cast("ErrorMessage", message))
