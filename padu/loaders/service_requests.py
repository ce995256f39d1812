"""DataLoaders over the service-request system."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from padu.loaders.base import ByKeyLoader, ManyByKeyLoader, PageByParentLoader
from padu.sources.base import Ranked
from padu.sources.service_requests import (
    RequestEvent,
    RequestKey,
    RequestStatus,
    ServiceRequest,
    ServiceRequestsSource,
)


@dataclass(frozen=True, slots=True)
class RequestPageArgs:
    """Arguments of a per-parent ``serviceRequests`` list: filter, page size, cursor."""

    statuses: tuple[RequestStatus, ...] | None
    limit: int
    after: RequestKey | None


class ServiceRequestByIdLoader(ByKeyLoader[int, ServiceRequest]):
    """Service requests by id."""

    source: ServiceRequestsSource
    source_name = "service_requests"

    async def fetch(self, keys: Sequence[int]) -> Sequence[ServiceRequest]:
        return await self.source.requests_by_id(keys, await self.scopes.requests())

    def key_of(self, item: ServiceRequest) -> int:
        return item.id


class ServiceRequestByTicketLoader(ByKeyLoader[str, ServiceRequest]):
    """Service requests by ticket number (how other systems refer to them)."""

    source: ServiceRequestsSource
    source_name = "service_requests"

    async def fetch(self, keys: Sequence[str]) -> Sequence[ServiceRequest]:
        return await self.source.requests_by_ticket(keys, await self.scopes.requests())

    def key_of(self, item: ServiceRequest) -> str:
        return item.ticket_number


class _RequestsByPartyLoader(PageByParentLoader[str, RequestPageArgs, ServiceRequest]):
    party: Literal["resident", "assignee"]

    source: ServiceRequestsSource
    source_name = "service_requests"

    async def fetch(
        self, parents: Sequence[str], arguments: RequestPageArgs
    ) -> Sequence[Ranked[ServiceRequest]]:
        return await self.source.requests_by_party(
            self.party,
            parents,
            arguments.statuses,
            arguments.limit,
            arguments.after,
            await self.scopes.requests(),
        )


class ServiceRequestsByResidentLoader(_RequestsByPartyLoader):
    """A page of each resident's (NIK) requests, newest first."""

    party = "resident"

    def parent_of(self, item: ServiceRequest) -> str:
        return item.resident_nik


class ServiceRequestsByAssigneeLoader(_RequestsByPartyLoader):
    """A page of the requests assigned to each officer (NIP), newest first."""

    party = "assignee"

    def parent_of(self, item: ServiceRequest) -> str:
        assert item.assignee_nip is not None  # fetched by assignee, so always set
        return item.assignee_nip


class EventsByServiceRequestLoader(ManyByKeyLoader[int, RequestEvent]):
    """Each request's timeline, oldest first."""

    source: ServiceRequestsSource
    source_name = "service_requests"

    async def fetch(self, keys: Sequence[int]) -> Sequence[tuple[int, RequestEvent]]:
        return [(e.request_id, e) for e in await self.source.events_by_request(keys)]
