"""The GraphQL endpoint: per-request context, error codes, round-trip traces, the playground."""

from __future__ import annotations

import hmac
import json
import re
import uuid
from datetime import date
from importlib import resources
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestProtocol
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from padu import playground
from padu.access.audit import AuditTrail
from padu.access.policy import Viewer
from padu.access.scopes import Scopes
from padu.auth import Authenticator, Unauthenticated
from padu.config import GATEWAY_SECRET_HEADER, Config
from padu.connections import OpenConnections
from padu.context import Context
from padu.declared.report import playground_example
from padu.dispatcher import Dispatcher
from padu.errors import PaduError
from padu.fairness import Turns
from padu.graphql_errors import format_error, refusal
from padu.loaders import Loaders
from padu.persisted import PersistedQueries, PersistedRefusal
from padu.prepared import PreparedQueries
from padu.principal import ANONYMOUS, Principal
from padu.response_cap import capped_json
from padu.sources import Sources
from padu.sources.performance import ALL_OFFICERS, OfficerFilter
from padu.sources.population import ALL_RESIDENTS, ResidentFilter
from padu.sources.service_request_changes import ChangeFeed
from padu.sources.state import AuditEntry
from padu.sources.trace import current_trace
from padu.subscription_share import SharedSubscriptions
from padu.subscriptions import PaduTransportWS, TextFrames
from padu.writes import Writes

TRACE_HEADER = "x-padu-trace"
GRAPHQL_RESPONSE = "application/graphql-response+json"


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _from_gateway(scope: Scope, secret: str) -> bool:
    """Whether the request carries the gateway's secret (compared in constant time)."""
    wanted = GATEWAY_SECRET_HEADER.encode()
    given = next((v for k, v in scope.get("headers", ()) if k == wanted), b"")
    return hmac.compare_digest(given, secret.encode())


def _request_id(given: str | None) -> str:
    """The caller's X-Request-Id when it is a plain token, else a fresh one."""
    return given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


# The code of each status Strawberry refuses a request with before any GraphQL runs.
_REFUSAL_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
_OPERATION_KEYS = {"query": str, "operationName": str, "variables": dict, "extensions": dict}
_JSON_KINDS = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _kind(value: object) -> str:
    """How a JSON value is named in a refusal."""
    if value is None:
        return "null"
    return _JSON_KINDS.get(type(value), "an array" if isinstance(value, list) else "an object")


def _check_operation(operation: object, where: str) -> None:
    """Raise a 400 unless ``operation`` is a GraphQL-over-HTTP request object."""
    if not isinstance(operation, dict):
        raise HTTPException(400, f"{where} must be a JSON object, not {_kind(operation)}")
    for key, kind in _OPERATION_KEYS.items():
        value = operation.get(key)
        if value is not None and not isinstance(value, kind):
            expected = "a string" if kind is str else "an object"
            raise HTTPException(
                400, f"`{key}` of {where} must be {expected} or null, not {_kind(value)}"
            )


class PaduGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP, and subscriptions over WebSocket, for Padu."""

    graphql_transport_ws_handler_class = PaduTransportWS
    websocket_adapter_class = TextFrames

    def __init__(
        self,
        schema: strawberry.Schema,
        config: Config,
        sources: Sources,
        authenticator: Authenticator,
        audit_key: bytes,
        dispatcher: Dispatcher,
        changes: ChangeFeed,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if config.development else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=None,  # PaduTransportWS applies the limit
        )
        self.config = config
        self.sources = sources
        self.authenticator = authenticator
        self.audit_key = audit_key
        self.dispatcher = dispatcher
        self.changes = changes
        self.turns = Turns(config.limits)  # per-caller turns and pool shares (padu.fairness)
        self.connections = OpenConnections(config.limits.max_connections_per_caller)
        self.shared = SharedSubscriptions(schema)  # one execution per event for like subscribers
        self.persisted = PersistedQueries(config.persisted_queries)  # documents named by hash
        self.prepared = PreparedQueries(self)  # queries validated before skip the general path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate first: a bad token is a 401 before any GraphQL work."""
        secret = self.config.federation.gateway_secret
        if secret is not None and not _from_gateway(scope, secret):
            await self._not_from_gateway(scope, receive, send)
            return
        if scope["type"] == "http":
            header = Request(scope).headers.get("authorization")
            try:
                principal = await self.authenticator.authenticate(header)
            except Unauthenticated as exc:
                challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                await refusal(401, "UNAUTHENTICATED", str(exc), challenge)(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
            await self.turns.serve(principal, scope, receive, send, self._answer)
            return
        await super().__call__(scope, receive, send)

    async def _not_from_gateway(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            "This subgraph answers only its federation gateway: the request lacks the "
            "gateway's X-Padu-Gateway-Secret; send it through the gateway"
        )
        if scope["type"] == "websocket":
            await WebSocket(scope, receive, send).close(code=4403, reason="Not from the gateway")
            return
        await refusal(403, "FORBIDDEN", message)(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """orjson: it refuses invalid UTF-8 and nesting past 1,024 levels with a JSONDecodeError
        (the standard library's decoder raised UnicodeDecodeError and RecursionError)."""
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A request body (or GET's variables): a JSON object, or an array for a batch."""
        try:
            parsed = self.decode_json(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"The request is not valid UTF-8 JSON: {exc}") from None
        if not isinstance(parsed, dict | list):
            raise HTTPException(
                400, f"The request must be a JSON object (or an array of them), not {_kind(parsed)}"
            )
        return parsed

    def _validate_batch_request(
        self, request_data: list[Any], protocol: GraphQLRequestProtocol
    ) -> None:
        """As Strawberry's, and each operation of the batch is a request object."""
        if not request_data:
            raise HTTPException(400, "A batch must hold at least one operation")
        super()._validate_batch_request(request_data, protocol)
        for index, operation in enumerate(request_data):
            _check_operation(operation, f"operation {index} of the batch")

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a GET naming its document by hash (``extensions`` and no ``query``)."""
        if "extensions" in request.query_params:
            return False
        return super().should_render_graphql_ide(request)

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """As Strawberry's, each operation's document found by ``padu.persisted``: as sent, or
        by its hash; a PersistedRefusal refuses the whole request (a batch too)."""
        parsed = await super().parse_http_body(request_adapter)
        for operation in parsed if isinstance(parsed, list) else [parsed]:
            operation.query = self.persisted.query(operation.query, operation.extensions)
        return parsed

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request through Strawberry, its refusals as Padu's JSON errors."""
        request = Request(scope, receive)
        prepared = await self.prepared.answer(request)
        if prepared is not None:
            await prepared(scope, receive, send)
            return
        response: Response
        try:
            response = await self.run(request)
        except HTTPException as exc:
            # Strawberry answers these in plain text; clients get Padu's JSON errors.
            code = _REFUSAL_CODES.get(exc.status_code, "BAD_REQUEST")
            response = refusal(exc.status_code, code, exc.reason)
        except PersistedRefusal as exc:
            response = exc.response()
        await response(scope, receive, send)

    async def execute_operation(
        self, request: Request, request_adapter: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """As Strawberry's, but a mutation over GET is 405 Method Not Allowed (not 400), and a
        subscription over HTTP is told where subscriptions are served."""
        try:
            return await super().execute_operation(request, request_adapter, *args, **kwargs)
        except HTTPException as exc:
            cause = exc.__cause__
            if not isinstance(cause, InvalidOperationTypeError):
                raise
            if cause.operation_type is OperationType.SUBSCRIPTION:
                message = (
                    "Subscriptions are served over WebSocket (graphql-transport-ws) at "
                    "/graphql, not over HTTP"
                )
                raise HTTPException(400, message) from exc
            raise HTTPException(405, exc.reason) from exc

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        principal: Principal = getattr(request.state, "principal", ANONYMOUS)
        context = self.context_for(principal, request_id=request.headers.get("x-request-id"))
        current_trace.set(context.trace)
        request.state.padu = context
        request.state.padu_response = response
        if isinstance(response, Response):
            response.headers["X-Request-Id"] = context.request_id
        return context

    def context_for(
        self,
        principal: Principal,
        connection_params: dict[str, object] | None = None,
        request_id: str | None = None,
    ) -> Context:
        """A fresh context for ``principal`` (a request's, or a shared subscription stream's)."""
        request_id = _request_id(request_id)
        return Context(
            config=self.config,
            sources=self.sources,
            request_id=request_id,
            changes=self.changes,
            connection_params=connection_params,
            **self._per_caller(principal, request_id),
        )

    def _per_caller(self, principal: Principal, request_id: str) -> dict[str, Any]:
        """The parts of a context that follow from who the caller is."""
        scopes = Scopes(principal, self.sources)
        return {
            "loaders": Loaders(self.sources, scopes),
            "viewer": Viewer(principal),
            "scopes": scopes,
            "audit": AuditTrail(self.audit_key, principal, request_id),
            "writes": Writes(self.sources, principal, self.dispatcher.wake),
        }

    def sign_in(self, context: Context, principal: Principal) -> None:
        """Make a WebSocket connection's context the signed-in caller's."""
        for name, value in self._per_caller(principal, context.request_id).items():
            setattr(context, name, value)

    async def audited(self, context: Context, entries: list[AuditEntry]) -> dict[str, Any] | None:
        """Write ``entries`` (what an answer processed) to the audit log; the error to send
        instead of the answer if that fails."""
        if not entries:
            return None
        try:
            await self.sources.state.append_audit(entries)
        except PaduError:
            # Fail closed: personal data that cannot be recorded is not sent.
            message = (
                "The audit log could not be written, so no personal data is returned; "
                "try again shortly."
            )
            extensions = {"code": "AUDIT_UNAVAILABLE", "requestId": context.request_id}
            return {"data": None, "errors": [{"message": message, "extensions": extensions}]}
        return None

    def format(self, context: Context, error: GraphQLError) -> dict[str, Any]:
        return format_error(
            error, production=not self.config.development, request_id=context.request_id
        )

    def payload(self, context: Context, result: ExecutionResult) -> dict[str, Any]:
        """One subscription event's payload: its errors with Padu's codes."""
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [self.format(context, e) for e in result.errors]
        return payload

    def encode_json(self, data: object) -> bytes:
        return capped_json(data, self.config.limits.max_response_bytes)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """As Strawberry's, with the media type the client accepted (GraphQL over HTTP)."""
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type:
            response.headers["content-type"] = sub_response.media_type
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        context: Context = request.state.padu
        refusal = await self.audited(context, context.audit.entries(context.operation_name))
        if refusal is not None:
            return refusal  # type: ignore[return-value]
        response: dict[str, Any] = {"data": result.data}
        rejected = result.data is None and any(e.path is None for e in result.errors or ())
        if rejected:
            # Refused before execution (syntax, validation, variables): no data at all.
            del response["data"]
        if GRAPHQL_RESPONSE in request.headers.get("accept", ""):
            sub_response: Response = request.state.padu_response
            sub_response.media_type = GRAPHQL_RESPONSE
            if rejected:
                sub_response.status_code = 400
        if result.errors:
            response["errors"] = [self.format(context, e) for e in result.errors]
        if self.config.development and request.headers.get(TRACE_HEADER) == "1":
            response["extensions"] = {"sources": context.trace.as_extension()}
        return response  # type: ignore[return-value]

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """The playground (development only), served whole by Padu: no CDN (padu.playground)."""
        return playground.render(await self._examples())

    async def _examples(self) -> dict[str, str]:
        """Example operations, filled with a real district, NIK and NIP where sources answer."""
        variables: dict[str, str] = {}
        try:
            residents = await self.sources.population.list_residents(
                ResidentFilter(), 1, None, ALL_RESIDENTS
            )
            officers = await self.sources.performance.list_officers(
                OfficerFilter(), 1, None, ALL_OFFICERS
            )
        except PaduError:  # the playground still opens when a source is down
            residents, officers = [], []
        if residents:
            variables["nik"] = residents[0].nik
        if officers:
            variables["nip"] = officers[0].nip
        year = date.today().year
        district = self.config.region.districts[0].code if self.config.region.districts else ""
        village = self.config.region.villages[0].code if self.config.region.villages else ""
        core = resources.files("padu").joinpath("playground.graphql").read_text(encoding="utf-8")
        query = (
            (core + playground_example(self.config.applications))
            .replace("__YEAR__", str(year))
            .replace("__PREVIOUS_YEAR__", str(year - 1))
            .replace("__DISTRICT__", district)
            .replace("__VILLAGE__", village)
            .replace("__NIK__", variables.get("nik", "NIK"))
            .replace("__NIP__", variables.get("nip", "NIP"))
        )
        return {
            "query": query,
            "variables": json.dumps(variables, indent=2),
            "headers": json.dumps({"X-Padu-Trace": "1"}, indent=2),
        }
