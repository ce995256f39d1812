"""Resolvers for write results: mutation payloads, sync status, outbox deliveries."""

from __future__ import annotations

from padu.loaders.service_requests import ServiceRequestByIdLoader
from padu.loaders.sync import SyncBySubjectLoader
from padu.mutations.common import Payload
from padu.resolvers.info import Info
from padu.resolvers.pagination import CursorKind, connection, page_request
from padu.schema.pagination import Connection
from padu.sources.learning import Enrollment
from padu.sources.outbox import Delivery, SyncSummary
from padu.sources.service_requests import ServiceRequest

DELIVERY_CURSOR = CursorKind[Delivery]("delivery", (int,), lambda d: (d.id,))


async def payload_service_request(root: Payload, info: Info) -> ServiceRequest | None:
    request_id = root.subject_id("serviceRequest")
    if request_id is None:
        return None
    return await info.context.loaders[ServiceRequestByIdLoader].load(request_id)


async def payload_enrollment(root: Payload, info: Info) -> Enrollment | None:
    enrolment_id = root.subject_id("enrollment")
    if enrolment_id is None:
        return None
    found = await info.context.sources.learning.enrollments_by_id([enrolment_id])
    return found[0] if found else None


async def request_sync(root: ServiceRequest, info: Info) -> SyncSummary:
    subject = f"serviceRequest:{root.id}"
    found = await info.context.loaders[SyncBySubjectLoader].load(subject)
    return found or SyncSummary(subject, 0, 0, None)


def sync_state(root: SyncSummary) -> str:
    return "PENDING" if root.pending_effects else "SYNCED"


async def deliveries(
    info: Info, failing: bool = False, first: int | None = 20, after: str | None = None
) -> Connection[Delivery]:
    request = page_request(info, first, after, DELIVERY_CURSOR)
    outbox = info.context.sources.state.outbox
    items = await outbox.list_deliveries(["pending"], request.limit, request.after_part(), failing)

    async def count() -> int:
        return await outbox.count_deliveries(["pending"], failing)

    return connection(items, request, DELIVERY_CURSOR, count)
