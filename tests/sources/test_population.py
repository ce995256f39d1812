"""PopulationSource against the fixed dataset: exact records, filters and keyset pages."""

from __future__ import annotations

from datetime import date

import pytest

from padu.sources import Sources
from padu.sources.population import (
    ALL_RESIDENTS,
    Address,
    Family,
    FamilyRelationship,
    Gender,
    MaritalStatus,
    Religion,
    Resident,
    ResidentFilter,
)
from padu.sources.trace import SourceCount, SourceTrace
from tests.data import AHMAD, ANDI, BUDI, DEWI, KK_AHMAD, KK_BUDI, KK_DEWI, RUDI, SITI

UNKNOWN_NIK = "3671019999990009"
UNKNOWN_KK = "3671019999990009"

MERDEKA = Address(
    street="Jl. Merdeka No. 1",
    rt="001",
    rw="002",
    postal_code="15111",
    village_code="36.71.01.1001",
    district_code="36.71.01",
)
CIPONDOH_RAYA = Address(
    street="Jl. Cipondoh Raya No. 5",
    rt="004",
    rw="001",
    postal_code="15148",
    village_code="36.71.05.1001",
    district_code="36.71.05",
)
RADEN_FATAH = Address(
    street="Jl. Raden Fatah No. 9",
    rt="002",
    rw="003",
    postal_code="15154",
    village_code="36.71.13.1001",
    district_code="36.71.13",
)

RESIDENTS = {
    BUDI: Resident(
        nik=BUDI,
        full_name="Budi Santoso",
        gender=Gender.MALE,
        birth_place="Tangerang",
        birth_date=date(1980, 5, 15),
        religion=Religion.ISLAM,
        marital_status=MaritalStatus.MARRIED,
        occupation="KARYAWAN SWASTA",
        education="DIPLOMA IV/STRATA I",
        blood_type="O",
        family_relationship=FamilyRelationship.HEAD,
        family_card_number=KK_BUDI,
        address=MERDEKA,
    ),
    SITI: Resident(
        nik=SITI,
        full_name="Siti Aminah",
        gender=Gender.FEMALE,
        birth_place="Serang",
        birth_date=date(1985, 8, 12),
        religion=Religion.ISLAM,
        marital_status=MaritalStatus.MARRIED,
        occupation="MENGURUS RUMAH TANGGA",
        education="SLTA/SEDERAJAT",
        blood_type="A",
        family_relationship=FamilyRelationship.WIFE,
        family_card_number=KK_BUDI,
        address=MERDEKA,
    ),
    ANDI: Resident(
        nik=ANDI,
        full_name="Andi Santoso",
        gender=Gender.MALE,
        birth_place="Tangerang",
        birth_date=date(2015, 3, 1),
        religion=Religion.ISLAM,
        marital_status=MaritalStatus.SINGLE,
        occupation="PELAJAR/MAHASISWA",
        education="TAMAT SD/SEDERAJAT",
        blood_type=None,
        family_relationship=FamilyRelationship.CHILD,
        family_card_number=KK_BUDI,
        address=MERDEKA,
    ),
    DEWI: Resident(
        nik=DEWI,
        full_name="Dewi Lestari",
        gender=Gender.FEMALE,
        birth_place="Bandung",
        birth_date=date(1990, 4, 23),
        religion=Religion.CATHOLIC,
        marital_status=MaritalStatus.MARRIED,
        occupation="WIRASWASTA",
        education="DIPLOMA IV/STRATA I",
        blood_type="B",
        family_relationship=FamilyRelationship.HEAD,
        family_card_number=KK_DEWI,
        address=CIPONDOH_RAYA,
    ),
    RUDI: Resident(
        nik=RUDI,
        full_name="Rudi Hartono",
        gender=Gender.MALE,
        birth_place="Jakarta",
        birth_date=date(1992, 10, 25),
        religion=Religion.CATHOLIC,
        marital_status=MaritalStatus.MARRIED,
        occupation="PEGAWAI NEGERI SIPIL",
        education="STRATA II",
        blood_type="AB",
        family_relationship=FamilyRelationship.HUSBAND,
        family_card_number=KK_DEWI,
        address=CIPONDOH_RAYA,
    ),
    AHMAD: Resident(
        nik=AHMAD,
        full_name="Ahmad Fauzi",
        gender=Gender.MALE,
        birth_place="Tangerang",
        birth_date=date(1970, 1, 1),
        religion=Religion.ISLAM,
        marital_status=MaritalStatus.WIDOWED,
        occupation="PEDAGANG",
        education="SLTP/SEDERAJAT",
        blood_type=None,
        family_relationship=FamilyRelationship.HEAD,
        family_card_number=KK_AHMAD,
        address=RADEN_FATAH,
    ),
}

# Every resident in NIK order: Rudi's NIK was first issued in Jakarta (31.74), so he sorts first.
BY_NIK = [RUDI, ANDI, BUDI, SITI, DEWI, AHMAD]


def residents(*niks: str) -> list[Resident]:
    return [RESIDENTS[nik] for nik in niks]


def one_trip(rows: int) -> dict[str, SourceCount]:
    return {"population": SourceCount(round_trips=1, rows=rows)}


async def test_residents_by_nik_returns_only_known_residents_with_their_address(
    sources: Sources, trace: SourceTrace
) -> None:
    found = await sources.population.residents_by_nik([BUDI, UNKNOWN_NIK], ALL_RESIDENTS)

    assert found == [RESIDENTS[BUDI]]
    assert trace.counts == one_trip(rows=1)


async def test_residents_by_nik_batches_many_keys(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.population.residents_by_nik([AHMAD, RUDI, SITI], ALL_RESIDENTS)

    assert sorted(found, key=lambda r: r.nik) == residents(RUDI, SITI, AHMAD)
    assert trace.counts == one_trip(rows=3)


async def test_residents_by_nik_with_no_keys_is_empty(sources: Sources, trace: SourceTrace) -> None:
    assert await sources.population.residents_by_nik([], ALL_RESIDENTS) == []
    assert trace.counts == one_trip(rows=0)


async def test_residents_by_family_orders_each_family_head_first_then_by_birth_date(
    sources: Sources, trace: SourceTrace
) -> None:
    found = await sources.population.residents_by_family(
        [KK_DEWI, UNKNOWN_KK, KK_BUDI], ALL_RESIDENTS
    )

    # Families in KK order; within each, the head, then the other members oldest first.
    assert found == residents(BUDI, SITI, ANDI, DEWI, RUDI)
    assert trace.counts == one_trip(rows=5)


async def test_families_by_number(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.population.families_by_number(
        [KK_AHMAD, UNKNOWN_KK, KK_BUDI], ALL_RESIDENTS
    )

    assert sorted(found, key=lambda f: f.number) == [
        Family(number=KK_BUDI, head_nik=BUDI, issued_on=date(2010, 1, 12), address=MERDEKA),
        Family(number=KK_AHMAD, head_nik=AHMAD, issued_on=date(2018, 7, 22), address=RADEN_FATAH),
    ]
    assert trace.counts == one_trip(rows=2)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(ResidentFilter(), BY_NIK, id="everyone"),
        # Rudi's NIK says Jakarta, but his family card (and so his address) is in Cipondoh.
        pytest.param(ResidentFilter(district_code="36.71.05"), [RUDI, DEWI], id="district"),
        pytest.param(
            ResidentFilter(district_code="36.71.01"), [ANDI, BUDI, SITI], id="district-01"
        ),
        pytest.param(ResidentFilter(village_code="36.71.13.1001"), [AHMAD], id="village"),
        pytest.param(ResidentFilter(village_code="36.71.02.1001"), [], id="empty-village"),
        pytest.param(ResidentFilter(name="santoso"), [ANDI, BUDI], id="name"),
        pytest.param(ResidentFilter(name="SaNtOsO"), [ANDI, BUDI], id="name-any-case"),
        pytest.param(ResidentFilter(name="i a"), [SITI], id="name-inside"),
        pytest.param(ResidentFilter(name=""), BY_NIK, id="empty-name-is-no-filter"),
        pytest.param(ResidentFilter(name="%"), [], id="percent-is-literal"),
        pytest.param(ResidentFilter(name="_"), [], id="underscore-is-literal"),
        pytest.param(ResidentFilter(name="b%i"), [], id="percent-inside-is-literal"),
        pytest.param(ResidentFilter(name="d_wi"), [], id="underscore-inside-is-literal"),
        pytest.param(ResidentFilter(name="\\"), [], id="backslash-is-literal"),
        pytest.param(
            ResidentFilter(district_code="36.71.01", name="ti"), [SITI], id="district-and-name"
        ),
        pytest.param(
            ResidentFilter(district_code="36.71.01", village_code="36.71.05.1001"),
            [],
            id="district-and-village-disagree",
        ),
    ],
)
async def test_list_and_page_residents_filter(
    sources: Sources, trace: SourceTrace, where: ResidentFilter, expected: list[str]
) -> None:
    listed = await sources.population.list_residents(
        where, limit=10, after_nik=None, scope=ALL_RESIDENTS
    )
    assert listed == residents(*expected)
    assert trace.counts == one_trip(rows=len(expected))

    paged = await sources.population.page_residents(where, 10, None, ALL_RESIDENTS)
    assert paged == (residents(*expected), len(expected))
    # The counted page answers at least one row, which carries the total.
    rows = len(expected) + max(len(expected), 1)
    assert trace.counts == {"population": SourceCount(round_trips=2, rows=rows)}


async def test_list_residents_pages_by_nik_keyset(sources: Sources, trace: SourceTrace) -> None:
    population = sources.population
    everyone = ResidentFilter()

    assert await population.list_residents(everyone, 2, None, ALL_RESIDENTS) == residents(
        RUDI, ANDI
    )
    assert await population.list_residents(everyone, 2, ANDI, ALL_RESIDENTS) == residents(
        BUDI, SITI
    )
    assert await population.list_residents(everyone, 2, SITI, ALL_RESIDENTS) == residents(
        DEWI, AHMAD
    )
    assert await population.list_residents(everyone, 2, AHMAD, ALL_RESIDENTS) == []
    assert trace.counts == {"population": SourceCount(round_trips=4, rows=6)}


async def test_list_residents_keyset_applies_after_the_filter(
    sources: Sources, trace: SourceTrace
) -> None:
    where = ResidentFilter(district_code="36.71.01")

    assert await sources.population.list_residents(where, 1, ANDI, ALL_RESIDENTS) == residents(BUDI)
    # The cursor need not be a row of the filtered list: it is a position in NIK order.
    assert await sources.population.list_residents(where, 5, RUDI, ALL_RESIDENTS) == residents(
        ANDI, BUDI, SITI
    )
    assert trace.counts == {"population": SourceCount(round_trips=2, rows=4)}


async def test_page_residents_gives_the_page_and_the_total_in_one_round_trip(
    sources: Sources, trace: SourceTrace
) -> None:
    population = sources.population

    assert await population.page_residents(ResidentFilter(), 2, None, ALL_RESIDENTS) == (
        residents(RUDI, ANDI),
        6,
    )
    assert await population.page_residents(ResidentFilter(), 2, SITI, ALL_RESIDENTS) == (
        residents(DEWI, AHMAD),
        6,
    )
    # Past the last row the page is empty, and the total is still known.
    assert await population.page_residents(ResidentFilter(), 2, AHMAD, ALL_RESIDENTS) == ([], 6)
    assert await population.page_residents(
        ResidentFilter(name="santoso"), 1, None, ALL_RESIDENTS
    ) == (
        residents(ANDI),
        2,
    )
    assert await population.page_residents(ResidentFilter(name="%"), 5, None, ALL_RESIDENTS) == (
        [],
        0,
    )
    # An empty page still answers one row, carrying the total.
    assert trace.counts == {"population": SourceCount(round_trips=5, rows=7)}
