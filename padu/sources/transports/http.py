"""JSON web services through httpx: one client per source, its connections the pool.

Credentials come from configuration (a bearer token or an API-key header, usually
``${ENV_VAR}``). One request's answer is bounded by ``statement_timeout``, a free connection
by ``connect_timeout``. A 5xx or 429 answer and a broken connection are ``Unreachable`` (a
read may be tried again); 401 and 403 mean Padu's credentials are wrong; answers are checked
against the declared ``Shape`` before anything reads them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from padu.config import SourceConfig, WebServiceConfig
from padu.sources.transports.base import (
    AlreadyApplied,
    Faulty,
    NoConnection,
    TimedOut,
    Transport,
    Unreachable,
)
from padu.sources.transports.shape import Shape
from padu.tracing import with_traceparent

IDEMPOTENCY_HEADER = "Idempotency-Key"


def auth_headers(web: WebServiceConfig) -> dict[str, str]:
    if web.auth == "bearer" and web.token:
        return {"Authorization": f"Bearer {web.token}"}
    if web.auth == "api_key" and web.token:
        return {web.api_key_header: web.token}
    return {}


class HttpTransport(Transport):
    """A source that is a JSON web service; keys of per-key calls are URL-quoted."""

    kind = "http"
    retry_backoff = 0.1

    def __init__(self, config: SourceConfig, target: str) -> None:
        super().__init__(config, target)
        if config.web is None:
            raise ValueError(f"source {config.name} is http but has no web service settings")
        self.service = config.web
        self._client: httpx.AsyncClient | None = None
        self._in_flight = 0

    async def start(self) -> None:
        self._client = httpx.AsyncClient(
            base_url=self.target,
            headers=auth_headers(self.service),
            timeout=httpx.Timeout(
                self.config.statement_timeout,
                connect=self.config.connect_timeout,
                pool=self.config.connect_timeout,
            ),
            limits=httpx.Limits(
                max_connections=self.config.pool_max,
                max_keepalive_connections=self.config.pool_max,
            ),
        )

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        return self.started(self._client)

    def busy(self) -> bool:
        return self._in_flight >= self.config.pool_max

    def in_use(self) -> int:
        return self._in_flight

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One call; trouble reaching the service becomes the engine-neutral errors."""
        self._in_flight += 1
        try:
            response = await self.client.request(
                method, path, json=json, headers=with_traceparent(headers), params=params
            )
        except httpx.PoolTimeout:
            raise NoConnection() from None
        except httpx.ConnectTimeout:
            limit = self.config.connect_timeout
            raise Unreachable(f"accepted no connection within {limit:g}s") from None
        except httpx.TimeoutException:
            raise TimedOut(f"did not answer within {self.config.statement_timeout:g}s") from None
        except httpx.TransportError:
            raise Unreachable() from None
        finally:
            self._in_flight -= 1
        status = response.status_code
        if status >= 500 or status == 429:
            raise Unreachable(f"answered HTTP {status}")
        if status in (401, 403):
            raise Faulty(f"refused Padu's credentials (HTTP {status})")
        return response

    async def ping(self) -> float:
        started = time.perf_counter()
        await self.request("GET", self.service.health_path)
        return (time.perf_counter() - started) * 1000

    async def get(self, path: str) -> Any | None:
        """The JSON answer to GET ``path``; None for 404."""
        response = await self.request("GET", path)
        if response.status_code == 404:
            return None
        return _json(_accepted(response, "a read"))

    async def read(
        self, path: str, *, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        """The JSON answer of one read: GET with ``params``, or POST of ``body`` (a search).

        The path must exist: a 404 means the configuration names a path the service lacks.
        """
        response = await self.request(
            "GET" if body is None else "POST", path, params=params, json=body
        )
        if response.status_code == 404:
            raise Faulty(f"has no {path} (HTTP 404)")
        return _json(_accepted(response, "a read"))

    async def one(
        self, key: str, shape: Shape, item_path: str | None = None
    ) -> dict[str, Any] | None:
        """The object with ``key`` (GET on ``item_path``), None when the service has none."""
        path = item_path or self.service.item_path
        if path is None:
            raise ValueError(f"source {self.config.name} has no item_path")
        answer = await self.get(path.format(key=quote(str(key), safe="")))
        return None if answer is None else shape.object(answer)

    async def batch(
        self, keys: Sequence[str], shape: Shape, batch_path: str | None = None
    ) -> list[dict[str, Any] | None]:
        """The objects for ``keys`` in one POST ``{"keys": [...]}``, aligned, None where missing."""
        path = batch_path or self.service.batch_path
        if path is None:
            raise ValueError(f"source {self.config.name} has no batch_path")
        response = await self.request("POST", path, json={"keys": list(keys)})
        answer = _json(_accepted(response, "a batch read"))
        found = {str(item[shape.key]): item for item in shape.objects(answer)}
        return [found.get(str(key)) for key in keys]

    async def post(self, path: str, body: Any, key: str) -> Any:
        """POST ``body`` once under ``key`` (Idempotency-Key); 409 means it was applied before."""
        response = await self.request("POST", path, json=body, headers={IDEMPOTENCY_HEADER: key})
        if response.status_code == 409:
            raise AlreadyApplied(key)
        return _json(_accepted(response, "the write")) if response.content else None


def _accepted(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code >= 400:
        raise Faulty(f"refused {what} (HTTP {response.status_code})")
    return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise Faulty("answered malformed data (not JSON)") from None
