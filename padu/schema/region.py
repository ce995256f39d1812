"""The configured region, its districts (kecamatan) and villages (kelurahan/desa)."""

from __future__ import annotations

import strawberry

from padu.resolvers import region as resolve


@strawberry.type(description="A kelurahan or desa.")
class Village:
    code: str = strawberry.field(description="Kemendagri code, e.g. 36.71.01.1001.")
    name: str
    district: District = strawberry.field(resolver=resolve.village_district)


@strawberry.type(description="A kecamatan.")
class District:
    code: str = strawberry.field(description="Kemendagri code, e.g. 36.71.01.")
    name: str
    villages: list[Village]


@strawberry.type(description="The regency or city this Padu serves (configuration).")
class Region:
    code: str = strawberry.field(description="Kemendagri code, e.g. 36.71.")
    name: str
    districts: list[District]
    district: District | None = strawberry.field(resolver=resolve.region_district)
    village: Village | None = strawberry.field(resolver=resolve.region_village)
