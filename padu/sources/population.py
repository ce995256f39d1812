"""Population registry (SIAK-like): residents, families and their addresses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from padu.lookup_enum import LookupEnum
from padu.sources.base import Source, Where, counted_page, like_pattern, page_with_total


class Gender(LookupEnum):
    """Jenis kelamin as recorded by Dukcapil."""

    MALE = "LAKI-LAKI"
    FEMALE = "PEREMPUAN"


class Religion(LookupEnum):
    """Agama as recorded on the KTP."""

    ISLAM = "ISLAM"
    PROTESTANT = "KRISTEN"
    CATHOLIC = "KATOLIK"
    HINDU = "HINDU"
    BUDDHIST = "BUDDHA"
    CONFUCIAN = "KONGHUCU"
    INDIGENOUS_BELIEF = "KEPERCAYAAN"


class MaritalStatus(LookupEnum):
    """Status perkawinan."""

    SINGLE = "BELUM KAWIN"
    MARRIED = "KAWIN"
    DIVORCED = "CERAI HIDUP"
    WIDOWED = "CERAI MATI"


class FamilyRelationship(LookupEnum):
    """SHDK: the resident's place in the family card."""

    HEAD = "KEPALA KELUARGA"
    HUSBAND = "SUAMI"
    WIFE = "ISTRI"
    CHILD = "ANAK"
    CHILD_IN_LAW = "MENANTU"
    GRANDCHILD = "CUCU"
    PARENT = "ORANG TUA"
    PARENT_IN_LAW = "MERTUA"
    OTHER_RELATIVE = "FAMILI LAIN"
    HOUSEHOLD_HELPER = "PEMBANTU"
    OTHER = "LAINNYA"

    @classmethod
    def _missing_(cls, value: object) -> FamilyRelationship:
        return cls.OTHER


@dataclass(frozen=True, slots=True)
class Address:
    """Where a family lives, as printed on its KK."""

    street: str
    rt: str
    rw: str
    postal_code: str | None
    village_code: str
    district_code: str


@dataclass(frozen=True, slots=True)
class Resident:
    """One person in the population registry."""

    nik: str
    full_name: str
    gender: Gender
    birth_place: str
    birth_date: date
    religion: Religion
    marital_status: MaritalStatus
    occupation: str
    education: str | None
    blood_type: str | None
    family_relationship: FamilyRelationship
    family_card_number: str
    address: Address


@dataclass(frozen=True, slots=True)
class Family:
    """A family card (Kartu Keluarga)."""

    number: str
    head_nik: str
    issued_on: date
    address: Address


@dataclass(frozen=True, slots=True)
class ResidentFilter:
    """Which residents a list asks for; None means no restriction."""

    district_code: str | None = None
    village_code: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ResidentScope:
    """Which residents a caller may see at all, applied in every query; the default is all."""

    family_of: str | None = None  # a citizen: the members of their own family card
    niks: tuple[str, ...] | None = None  # officers: the residents their requests concern


ALL_RESIDENTS = ResidentScope()


def _scoped(scope: ResidentScope, clause: Where | None = None) -> Where:
    """A WHERE clause on ``p`` (penduduk) holding the scope's rows only."""
    clause = clause or Where()
    if scope.family_of is not None:
        own = clause.param(scope.family_of)
        clause.add(f"p.no_kk = (SELECT own.no_kk FROM penduduk own WHERE own.nik = {own})")
    if scope.niks is not None:
        clause.add(f"p.nik = ANY({clause.param(list(scope.niks))}::text[])")
    return clause


def _address(row: asyncpg.Record) -> Address:
    return Address(
        street=row["alamat"],
        rt=row["rt"],
        rw=row["rw"],
        postal_code=row["kode_pos"],
        village_code=row["kode_kelurahan"],
        district_code=row["kode_kecamatan"],
    )


def _resident(row: asyncpg.Record) -> Resident:
    return Resident(
        nik=row["nik"],
        full_name=row["nama_lengkap"],
        gender=Gender.of(row["jenis_kelamin"]),
        birth_place=row["tempat_lahir"],
        birth_date=row["tanggal_lahir"],
        religion=Religion.of(row["agama"]),
        marital_status=MaritalStatus.of(row["status_perkawinan"]),
        occupation=row["pekerjaan"],
        education=row["pendidikan"],
        blood_type=row["golongan_darah"],
        family_relationship=FamilyRelationship.of(row["shdk"]),
        family_card_number=row["no_kk"],
        address=_address(row),
    )


_RESIDENT_FROM = "penduduk p JOIN keluarga k ON k.no_kk = p.no_kk"
_RESIDENT_COLUMNS = """
    p.nik, p.no_kk, p.nama_lengkap, p.jenis_kelamin, p.tempat_lahir, p.tanggal_lahir, p.agama,
    p.status_perkawinan, p.pekerjaan, p.shdk, p.pendidikan, p.golongan_darah,
    k.alamat, k.rt, k.rw, k.kode_pos, k.kode_kelurahan, k.kode_kecamatan
"""


def _filter(where: ResidentFilter, scope: ResidentScope) -> Where:
    clause = _scoped(scope)
    if where.district_code is not None:
        clause.add(f"k.kode_kecamatan = {clause.param(where.district_code)}")
    if where.village_code is not None:
        clause.add(f"k.kode_kelurahan = {clause.param(where.village_code)}")
    if where.name:
        clause.add(f"lower(p.nama_lengkap) LIKE {clause.param(like_pattern(where.name))}")
    return clause


class ResidentDimension(LookupEnum):
    """What residents can be counted by."""

    DISTRICT = "district"
    GENDER = "gender"
    AGE_BAND = "age_band"


AGE_BAND_YEARS = 5
OLDEST_BAND = 75  # the last band is open: 75 and over
# Age in whole years today (Western Indonesian Time), then its five-year band's lower bound.
_AGE = (
    "extract(year FROM age(((now() AT TIME ZONE 'UTC') + interval '7 hours')::date,"
    " p.tanggal_lahir))"
)
_COUNT_BY = {
    ResidentDimension.DISTRICT: "k.kode_kecamatan",
    ResidentDimension.GENDER: "p.jenis_kelamin",
    ResidentDimension.AGE_BAND: (
        f"least(floor({_AGE} / {AGE_BAND_YEARS}) * {AGE_BAND_YEARS}, {OLDEST_BAND})::int"
    ),
}


class PopulationSource(Source):
    """Adapter for the population registry database."""

    name = "population"

    async def residents_by_nik(self, niks: Sequence[str], scope: ResidentScope) -> list[Resident]:
        clause = _scoped(scope)
        clause.add(f"p.nik = ANY({clause.param(list(niks))}::text[])")
        query = f"SELECT {_RESIDENT_COLUMNS} FROM {_RESIDENT_FROM} WHERE {clause.sql}"
        return [_resident(r) for r in await self.fetch(query, *clause.args)]

    async def residents_by_family(
        self, numbers: Sequence[str], scope: ResidentScope
    ) -> list[Resident]:
        """Members of the given family cards, head first, then by birth date."""
        clause = _scoped(scope)
        clause.add(f"p.no_kk = ANY({clause.param(list(numbers))}::text[])")
        query = f"""
            SELECT {_RESIDENT_COLUMNS}
            FROM {_RESIDENT_FROM}
            WHERE {clause.sql}
            ORDER BY p.no_kk, p.nik <> k.nik_kepala, p.tanggal_lahir, p.nik
        """
        return [_resident(r) for r in await self.fetch(query, *clause.args)]

    async def families_by_number(
        self, numbers: Sequence[str], scope: ResidentScope
    ) -> list[Family]:
        """Family cards by number; a card is in scope when one of its members is."""
        clause = _scoped(scope)
        clause.add("p.no_kk = k.no_kk")
        query = f"""
            SELECT k.no_kk, k.nik_kepala, k.tanggal_terbit, k.alamat, k.rt, k.rw, k.kode_pos,
                   k.kode_kelurahan, k.kode_kecamatan
            FROM keluarga k
            WHERE k.no_kk = ANY({clause.param(list(numbers))}::text[])
              AND EXISTS (SELECT 1 FROM penduduk p WHERE {clause.sql})
        """
        return [
            Family(
                number=r["no_kk"],
                head_nik=r["nik_kepala"],
                issued_on=r["tanggal_terbit"],
                address=_address(r),
            )
            for r in await self.fetch(query, *clause.args)
        ]

    async def list_residents(
        self,
        where: ResidentFilter,
        limit: int,
        after_nik: str | None,
        scope: ResidentScope,
    ) -> list[Resident]:
        """Residents matching ``where`` in NIK order, after the keyset cursor."""
        clause = _filter(where, scope)
        if after_nik is not None:
            clause.add(f"p.nik > {clause.param(after_nik)}")
        query = f"""
            SELECT {_RESIDENT_COLUMNS}
            FROM {_RESIDENT_FROM}
            WHERE {clause.sql}
            ORDER BY p.nik
            LIMIT {clause.param(limit)}
        """
        return [_resident(r) for r in await self.fetch(query, *clause.args)]

    async def page_residents(
        self,
        where: ResidentFilter,
        limit: int,
        after_nik: str | None,
        scope: ResidentScope,
    ) -> tuple[list[Resident], int]:
        """Like ``list_residents``, with the total under ``where`` in the same round trip."""
        clause = _filter(where, scope)
        after = None if after_nik is None else f"p.nik > {clause.param(after_nik)}"
        query = page_with_total(
            columns=_RESIDENT_COLUMNS,
            tables=_RESIDENT_FROM,
            where=clause,
            after=after,
            order="p.nik",
            limit=limit,
        )
        return counted_page(await self.fetch(query, *clause.args), _resident)

    async def count_residents_by(
        self, dimension: ResidentDimension, where: ResidentFilter, scope: ResidentScope
    ) -> list[tuple[str, int]]:
        """(group key, residents) for each group with residents, in key order."""
        clause = _filter(where, scope)
        key = _COUNT_BY[dimension]
        query = f"""
            SELECT {key} AS key, count(*) AS n FROM {_RESIDENT_FROM}
            WHERE {clause.sql}
            GROUP BY 1 ORDER BY 1
        """
        return [(str(r["key"]), r["n"]) for r in await self.fetch(query, *clause.args)]
