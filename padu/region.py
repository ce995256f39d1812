"""The configured region's districts and villages, from the bundled Kemendagri code table."""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources


@dataclass(frozen=True)
class Village:
    """A kelurahan or desa (code like 36.71.01.1001)."""

    code: str
    name: str
    district_code: str


@dataclass(frozen=True)
class District:
    """A kecamatan (code like 36.71.01)."""

    code: str
    name: str
    villages: tuple[Village, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Region:
    """A regency or city (code like 36.71) with its districts and villages."""

    code: str
    name: str
    districts: tuple[District, ...]

    @cached_property
    def _districts_by_code(self) -> dict[str, District]:
        return {d.code: d for d in self.districts}

    @cached_property
    def _villages_by_code(self) -> dict[str, Village]:
        return {v.code: v for d in self.districts for v in d.villages}

    @property
    def villages(self) -> tuple[Village, ...]:
        return tuple(self._villages_by_code.values())

    def district(self, code: str) -> District | None:
        return self._districts_by_code.get(code)

    def village(self, code: str) -> Village | None:
        return self._villages_by_code.get(code)


class UnknownRegion(ValueError):
    """The code names no regency or city in the bundled table."""


def _rows(prefix: str) -> list[tuple[str, str]]:
    data = resources.files("padu").joinpath("data/wilayah.csv.gz").read_bytes()
    text = io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)), encoding="utf-8")
    return [
        (code, name)
        for code, name in csv.reader(text)
        if code == prefix[:-1] or code.startswith(prefix)
    ]


def load_region(code: str) -> Region:
    """Build the region for a Kemendagri regency/city code such as ``36.71``."""
    parts = code.split(".")
    if len(parts) != 2 or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise UnknownRegion(
            f"{code!r} is not a regency/city code; expected the form PP.KK, e.g. 36.71"
        )
    rows = _rows(code + ".")
    names = dict(rows)
    if code not in names:
        raise UnknownRegion(f"{code!r} is not in the Kemendagri code table")
    villages: dict[str, list[Village]] = {}
    for vcode, vname in rows:
        if vcode.count(".") == 3:
            dcode = vcode.rsplit(".", 1)[0]
            villages.setdefault(dcode, []).append(Village(vcode, vname, dcode))
    districts = tuple(
        District(dcode, dname, tuple(villages.get(dcode, ())))
        for dcode, dname in rows
        if dcode.count(".") == 2
    )
    return Region(code=code, name=names[code], districts=districts)
