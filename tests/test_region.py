"""Regions from the bundled Kemendagri code table: Kota Tangerang in full, others, bad codes."""

from __future__ import annotations

import pytest

from padu.region import District, Region, UnknownRegion, Village, load_region

# Kecamatan of Kota Tangerang with their number of kelurahan (Kepmendagri 300.2.2-2138/2025).
TANGERANG_DISTRICTS = [
    ("36.71.01", "Tangerang", 8),
    ("36.71.02", "Jatiuwung", 6),
    ("36.71.03", "Batuceper", 7),
    ("36.71.04", "Benda", 5),
    ("36.71.05", "Cipondoh", 10),
    ("36.71.06", "Ciledug", 8),
    ("36.71.07", "Karawaci", 16),
    ("36.71.08", "Periuk", 5),
    ("36.71.09", "Cibodas", 6),
    ("36.71.10", "Neglasari", 7),
    ("36.71.11", "Pinang", 11),
    ("36.71.12", "Karang Tengah", 7),
    ("36.71.13", "Larangan", 8),
]


@pytest.fixture(scope="module")
def tangerang() -> Region:
    return load_region("36.71")


def test_kota_tangerang_has_13_districts_and_104_villages(tangerang: Region) -> None:
    assert (tangerang.code, tangerang.name) == ("36.71", "Kota Tangerang")
    assert [(d.code, d.name, len(d.villages)) for d in tangerang.districts] == TANGERANG_DISTRICTS
    assert len(tangerang.villages) == 104


def test_villages_belong_to_their_district(tangerang: Region) -> None:
    for district in tangerang.districts:
        for village in district.villages:
            assert village.district_code == district.code
            assert village.code.startswith(district.code + ".")
    assert tangerang.villages == tuple(v for d in tangerang.districts for v in d.villages)


def test_district_of_tangerang_lists_its_villages_in_code_order(tangerang: Region) -> None:
    district = tangerang.district("36.71.01")

    assert district == District(
        "36.71.01",
        "Tangerang",
        tuple(
            Village(f"36.71.01.{n}", name, "36.71.01")
            for n, name in [
                (1001, "Sukarasa"),
                (1002, "Sukaasih"),
                (1003, "Tanah Tinggi"),
                (1004, "Buaran Indah"),
                (1005, "Cikokol"),
                (1006, "Kelapa Indah"),
                (1007, "Sukasari"),
                (1008, "Babakan"),
            ]
        ),
    )


def test_lookups_by_code(tangerang: Region) -> None:
    # The villages of the test dataset's family cards.
    assert tangerang.village("36.71.05.1001") == Village("36.71.05.1001", "Cipondoh", "36.71.05")
    assert tangerang.village("36.71.13.1001") == Village(
        "36.71.13.1001", "Larangan Utara", "36.71.13"
    )
    assert tangerang.district("36.71.13") is tangerang.districts[-1]
    # Codes of another region, or not codes at all, find nothing.
    assert tangerang.district("32.73.01") is None
    assert tangerang.district("36.71") is None
    assert tangerang.village("36.71.01.9999") is None
    assert tangerang.village("36.71.01") is None


def test_another_region_loads() -> None:
    bandung = load_region("32.73")

    assert (bandung.code, bandung.name) == ("32.73", "Kota Bandung")
    assert len(bandung.districts) == 30
    assert len(bandung.villages) == 151
    assert (bandung.districts[0].code, bandung.districts[0].name) == ("32.73.01", "Sukasari")
    assert (bandung.districts[-1].code, bandung.districts[-1].name) == ("32.73.30", "Mandalajati")


@pytest.mark.parametrize(
    "code", ["", "36", "3671", "36.7", "36.711", "36.71.01", "ab.cd", " 36.71"]
)
def test_malformed_code(code: str) -> None:
    with pytest.raises(UnknownRegion) as raised:
        load_region(code)

    assert str(raised.value) == (
        f"{code!r} is not a regency/city code; expected the form PP.KK, e.g. 36.71"
    )


@pytest.mark.parametrize("code", ["99.99", "36.00", "00.00", "36.99"])
def test_code_not_in_the_table(code: str) -> None:
    with pytest.raises(UnknownRegion) as raised:
        load_region(code)

    assert str(raised.value) == f"{code!r} is not in the Kemendagri code table"
