"""Resolvers for residents and families."""

from __future__ import annotations

from padu.loaders.population import (
    FamilyByNumberLoader,
    ResidentByNikLoader,
    ResidentsByFamilyLoader,
)
from padu.region import District, Village
from padu.resolvers import region
from padu.resolvers.info import Info
from padu.resolvers.pagination import CursorKind, list_connection, page_request
from padu.schema.inputs import ResidentFilter
from padu.schema.pagination import Connection
from padu.schema.scalars import NIK
from padu.sources import population as records

RESIDENT_CURSOR = CursorKind[records.Resident]("resident", (str,), lambda r: (r.nik,))


async def resident(info: Info, nik: NIK) -> records.Resident | None:
    return await info.context.loaders[ResidentByNikLoader].load(nik)


async def residents(
    info: Info,
    filter: ResidentFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> Connection[records.Resident]:
    request = page_request(info, first, after, RESIDENT_CURSOR)
    where = records.ResidentFilter(
        district_code=filter.district_code if filter else None,
        village_code=filter.village_code if filter else None,
        name=filter.name if filter else None,
    )
    source = info.context.sources.population
    position = request.after_part()
    scope = await info.context.scopes.residents()
    return await list_connection(
        info,
        request,
        RESIDENT_CURSOR,
        page=lambda: source.list_residents(where, request.limit, position, scope),
        counted_page=lambda: source.page_residents(where, request.limit, position, scope),
    )


async def resident_family(root: records.Resident, info: Info) -> records.Family | None:
    return await info.context.loaders[FamilyByNumberLoader].load(root.family_card_number)


async def family_head(root: records.Family, info: Info) -> records.Resident | None:
    # Found among the members, so `head` and `members` together cost one round trip.
    members = await info.context.loaders[ResidentsByFamilyLoader].load(root.number)
    return next((m for m in members if m.nik == root.head_nik), None)


async def family_members(root: records.Family, info: Info) -> list[records.Resident]:
    return await info.context.loaders[ResidentsByFamilyLoader].load(root.number)


def address_village(root: records.Address, info: Info) -> Village:
    return region.village_by_code(info, root.village_code)


def address_district(root: records.Address, info: Info) -> District:
    return region.district_by_code(info, root.district_code)
