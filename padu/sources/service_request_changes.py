"""Live changes of service requests: triggers in the source, one LISTEN connection, fan-out.

The service-request database announces every created request, assignment and status change
with ``NOTIFY`` from a trigger on ``permohonan`` (installed idempotently at start-up). Each
Padu process holds one connection that ``LISTEN``s and hands every change to any number of
subscribers, each through its own bounded queue. A subscriber too slow to keep up is told so
and dropped rather than let memory grow. When the listening connection is lost it is opened
again; subscribers are told of the gap, since changes made meanwhile were not heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from padu.background import Background
from padu.config import SourceConfig
from padu.lookup_enum import LookupEnum
from padu.sources.service_requests import RequestStatus, ServiceCategory

log = logging.getLogger("padu.sources.changes")
T = TypeVar("T")

CHANNEL = "padu_permohonan"
QUEUE_SIZE = 1000
RECONNECT_SECONDS = 1.0

# Idempotent: functions and triggers are replaced, under a lock so that several workers
# starting at once do not collide. One notification per kind of change in a row update.
FEED_SQL = f"""
SELECT pg_advisory_xact_lock(hashtext('{CHANNEL}'));

CREATE OR REPLACE FUNCTION padu_permohonan_berubah() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    jenis text;
    jenis_list text[] := ARRAY[]::text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        jenis_list := ARRAY['created'];
    ELSE
        IF NEW.nip_petugas IS DISTINCT FROM OLD.nip_petugas THEN
            jenis_list := array_append(jenis_list, 'assigned');
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            jenis_list := array_append(jenis_list, 'status_changed');
        END IF;
    END IF;
    FOREACH jenis IN ARRAY jenis_list LOOP
        PERFORM pg_notify('{CHANNEL}', json_build_object(
            'kind', jenis,
            'id', NEW.id_permohonan,
            'status', NEW.status,
            'previous_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
            'category', NEW.kode_kategori,
            'district', NEW.kode_kecamatan,
            'village', NEW.kode_kelurahan,
            'assignee', NEW.nip_petugas,
            'requester', NEW.nik_pemohon,
            'at', clock_timestamp()
        )::text);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER padu_permohonan_berubah
    AFTER INSERT OR UPDATE OF status, nip_petugas ON permohonan
    FOR EACH ROW EXECUTE FUNCTION padu_permohonan_berubah();
"""


class ChangeKind(LookupEnum):
    """What happened to a request."""

    CREATED = "created"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"


@dataclass(frozen=True, slots=True)
class RequestChange:
    """One change of one request, as the trigger announced it."""

    kind: ChangeKind
    request_id: int
    status: RequestStatus
    previous_status: RequestStatus | None
    category: ServiceCategory
    district_code: str
    village_code: str
    assignee_nip: str | None
    requester_nik: str
    at: datetime
    serial: int = 0  # the feed's generation once heard: later changes have higher ones


def parse_change(payload: str) -> RequestChange:
    data = json.loads(payload)
    return RequestChange(
        kind=ChangeKind(data["kind"]),
        request_id=int(data["id"]),
        status=RequestStatus(data["status"]),
        previous_status=None
        if data["previous_status"] is None
        else RequestStatus(data["previous_status"]),
        category=ServiceCategory(data["category"]),
        district_code=data["district"],
        village_code=data["village"],
        assignee_nip=data["assignee"],
        requester_nik=data["requester"],
        at=datetime.fromisoformat(data["at"]),
    )


class FellBehind(Exception):
    """The subscriber did not take its changes fast enough; its stream ends."""


GAP = object()  # put on every queue when changes may have been missed (listener reconnected)
Item = RequestChange | object


class ChangeFeed(Background):
    """One LISTEN connection to the service-request database, fanned out to subscribers."""

    task_name = "padu-change-feed"

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        self.config = config
        self.dsn = dsn
        self._subscribers: set[asyncio.Queue[Item]] = set()
        self._listening = asyncio.Event()
        self.generation = 0  # how many changes (and gaps) have been heard
        self._counts: dict[Hashable, tuple[int, asyncio.Future[Any]]] = {}

    async def _install(self, connection: asyncpg.Connection) -> None:
        async with connection.transaction():
            await connection.execute(FEED_SQL)

    async def ready(self, timeout: float) -> bool:
        """Whether the feed is listening (waiting up to ``timeout`` seconds)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout)
        return self._listening.is_set()

    async def _run(self) -> None:
        first = True
        while True:
            lost = asyncio.Event()
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self.dsn,
                    timeout=self.config.connect_timeout,
                    server_settings={"application_name": "padu:service_requests:changes"},
                )
                await self._install(connection)
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._heard)
                self._listening.set()
                if not first:
                    self._publish(GAP)
                log.info("listening for service-request changes")
                first = False
                await lost.wait()
                log.warning("service-request change feed lost its connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # down, refused, no rights: try again shortly
                log.warning("service-request change feed unavailable: %s", exc)
            finally:
                self._listening.clear()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)
            await asyncio.sleep(RECONNECT_SECONDS)

    def _heard(self, connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            change = parse_change(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed service-request change notification")
            return
        self._publish(change)

    def _publish(self, item: Item) -> None:
        self.generation += 1
        if isinstance(item, RequestChange):
            item = replace(item, serial=self.generation)
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                self._subscribers.discard(queue)
                queue.get_nowait()  # make room for the notice that ends the stream
                queue.put_nowait(FellBehind())

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Item]]:
        """A queue receiving every change (and GAP, or FellBehind last) while open."""
        queue: asyncio.Queue[Item] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def shared(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """``compute()``, run once for every caller asking for ``key`` since the last change.

        Subscribers woken by the same change (say, dashboards with the same filter and scope)
        wait for one count instead of each running their own.
        """
        running = self._counts.get(key)
        if running is None or running[0] < self.generation:
            future = asyncio.ensure_future(compute())
            running = (self.generation, future)
            self._counts[key] = running

            def forget(_: object, key: Hashable = key, running: object = running) -> None:
                if self._counts.get(key) is running:
                    del self._counts[key]

            future.add_done_callback(forget)
        result: T = await asyncio.shield(running[1])
        return result
