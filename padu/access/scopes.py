"""The rows a caller may see in each source, derived once per request from the principal.

Scopes become SQL ``WHERE`` conditions in the sources, so lists and totals are right and
nothing out of scope leaves a database. Scopes that depend on another source (an officer
sees the residents of their own requests) cost one extra round trip, made once per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from padu.principal import Principal, Role
from padu.sources import Sources
from padu.sources.performance import ALL_OFFICERS, OfficerScope
from padu.sources.population import ALL_RESIDENTS, ResidentScope
from padu.sources.service_requests import ALL_REQUESTS, RequestScope

T = TypeVar("T")

NOBODY = ()  # an empty allow-list: the role sees no rows of that kind


class Scopes:
    """Row scopes of one request; each is computed on first use and then reused."""

    def __init__(self, principal: Principal, sources: Sources) -> None:
        self.principal = principal
        self.sources = sources
        self._cache: dict[str, asyncio.Future[object]] = {}

    async def _once(self, name: str, compute: Callable[[], Awaitable[T]]) -> T:
        if name not in self._cache:
            self._cache[name] = asyncio.ensure_future(compute())
        return await self._cache[name]  # type: ignore[return-value]

    @property
    def unrestricted(self) -> bool:
        return self.principal.role in (Role.ADMIN, Role.DASHBOARD)

    @property
    def sees_as(self) -> tuple[object, ...]:
        """Callers with equal ``sees_as`` see exactly the same rows and fields: the role decides
        the field policy, and the subject (and token unit) the rows of every role that is not
        unrestricted. Subscribers equal in this share one execution per event."""
        principal = self.principal
        if self.unrestricted or principal.anonymous:
            return (principal.role,)
        return (principal.role, principal.subject, principal.unit)

    async def unit(self) -> str | None:
        """The unit of an officer or supervisor, from their e-Kinerja record."""

        async def lookup() -> str | None:
            if self.principal.subject is None:
                return None
            # The caller's own record decides their rights, so it is read unscoped.
            found = await self.sources.performance.officers_by_nip(
                [self.principal.subject], ALL_OFFICERS
            )
            return found[0].unit.code if found else None

        return await self._once("unit", lookup)

    async def staff(self) -> tuple[str, ...]:
        """NIPs whose work the caller oversees: themselves, or a supervisor's whole unit."""

        async def lookup() -> tuple[str, ...]:
            role, subject = self.principal.role, self.principal.subject
            if role is Role.OFFICER and subject is not None:
                return (subject,)
            if role is Role.SUPERVISOR:
                unit = await self.unit()
                if unit is not None:
                    return tuple(await self.sources.performance.nips_of_unit(unit))
            return NOBODY

        return await self._once("staff", lookup)

    async def requests(self) -> RequestScope:
        if self.unrestricted:
            return ALL_REQUESTS
        if self.principal.role is Role.CITIZEN:
            return RequestScope(requester=self.principal.subject)
        return RequestScope(assignees=await self.staff())

    async def residents(self) -> ResidentScope:
        if self.unrestricted:
            return ALL_RESIDENTS
        if self.principal.role is Role.CITIZEN:
            return ResidentScope(family_of=self.principal.subject)

        async def requesters() -> ResidentScope:
            scope = await self.requests()
            if scope.assignees == NOBODY:
                return ResidentScope(niks=NOBODY)
            niks = await self.sources.service_requests.requesters(scope)
            return ResidentScope(niks=tuple(niks))

        return await self._once("residents", requesters)

    async def officers(self) -> OfficerScope:
        """Officers the caller may see: their own staff (themselves, or a supervisor's unit) and
        whoever is assigned to, or acted on, a request the caller sees."""
        if self.unrestricted:
            return ALL_OFFICERS

        async def involved() -> OfficerScope:
            role, subject = self.principal.role, self.principal.subject
            requests = await self.requests()
            if requests.assignees == NOBODY:
                worked: tuple[str, ...] = NOBODY
            else:
                worked = tuple(await self.sources.service_requests.officers_involved(requests))
            unit = await self.unit() if role is Role.SUPERVISOR else None
            own = (subject,) if role is Role.OFFICER and subject else NOBODY
            return OfficerScope(nips=tuple(sorted({*own, *worked})), unit_code=unit)

        return await self._once("officers", involved)

    async def learners(self) -> tuple[str, ...] | None:
        """NIPs whose enrolments the caller may see; None means all."""
        return None if self.unrestricted else await self.staff()
