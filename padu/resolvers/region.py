"""Resolvers over the bundled region table (no source system involved)."""

from __future__ import annotations

from padu.region import District, Region, Village
from padu.resolvers.info import Info


def region(info: Info) -> Region:
    return info.context.config.region


def region_district(root: Region, code: str) -> District | None:
    return root.district(code)


def region_village(root: Region, code: str) -> Village | None:
    return root.village(code)


def village_district(root: Village, info: Info) -> District:
    return district_by_code(info, root.district_code)


def district_by_code(info: Info, code: str) -> District:
    """The district, or a bare one named by its code when it is outside the region table."""
    return info.context.config.region.district(code) or District(code=code, name=code)


def village_by_code(info: Info, code: str) -> Village:
    """The village, or a bare one named by its code when it is outside the region table."""
    found = info.context.config.region.village(code)
    return found or Village(code=code, name=code, district_code=code.rsplit(".", 1)[0])
