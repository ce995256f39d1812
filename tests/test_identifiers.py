"""NIK and NIP: structural validation with messages that say what is wrong, and construction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from padu.identifiers import (
    InvalidIdentifier,
    make_kk,
    make_nik,
    make_nip,
    validate_nik,
    validate_nip,
)
from tests.data import (
    AGUS,
    AHMAD,
    ANDI,
    BUDI,
    DEWI,
    HENDRA,
    JOKO,
    KK_AHMAD,
    KK_BUDI,
    KK_DEWI,
    MAYA,
    RUDI,
    SITI,
)


@pytest.mark.parametrize(
    "nik",
    [
        BUDI,
        SITI,  # a woman: day 12 + 40 = 52
        ANDI,
        DEWI,
        RUDI,  # first issued in Jakarta Selatan (31.74.01)
        AHMAD,
        "3671012902800001",  # 29 February
        "3671016902000001",  # 29 February, a woman
        "3671017101800001",  # 31 January, a woman
        "1101010101010001",  # lowest province code
        "9999997112999999",  # highest codes; a woman born on 31 December
    ],
)
def test_valid_nik(nik: str) -> None:
    assert validate_nik(nik) == nik


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("367101150580001", "NIK must be exactly 16 digits, got '367101150580001'"),
        ("36710115058000011", "NIK must be exactly 16 digits, got '36710115058000011'"),
        ("36710115058O0001", "NIK must be exactly 16 digits, got '36710115058O0001'"),
        ("3671 01150580001", "NIK must be exactly 16 digits, got '3671 01150580001'"),
        ("", "NIK must be exactly 16 digits, got ''"),
        (3671011505800001, "NIK must be exactly 16 digits, got 'int'"),
        (
            "1071011505800001",
            "NIK 1071011505800001: region prefix 10.71.01 is not a province/regency/district code",
        ),
        (
            "3600011505800001",
            "NIK 3600011505800001: region prefix 36.00.01 is not a province/regency/district code",
        ),
        (
            "3671001505800001",
            "NIK 3671001505800001: region prefix 36.71.00 is not a province/regency/district code",
        ),
        (
            "3671010005800001",
            "NIK 3671010005800001: birth-date part 000580 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671013205800001",
            "NIK 3671013205800001: birth-date part 320580 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671014005800001",  # 40 is neither a man's day nor a woman's (41-71)
            "NIK 3671014005800001: birth-date part 400580 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671017205800001",  # 72 - 40 = 32
            "NIK 3671017205800001: birth-date part 720580 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671017102800001",  # a woman born on 31 February
            "NIK 3671017102800001: birth-date part 710280 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671013002800001",
            "NIK 3671013002800001: birth-date part 300280 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671011513800001",
            "NIK 3671011513800001: birth-date part 151380 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        (
            "3671011500800001",
            "NIK 3671011500800001: birth-date part 150080 is not a date DDMMYY "
            "(women add 40 to the day)",
        ),
        ("3671011505800000", "NIK 3671011505800000: serial number must start at 0001"),
    ],
)
def test_invalid_nik(nik: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        validate_nik(nik)

    assert str(raised.value) == message


def test_nik_with_non_ascii_digits_is_invalid() -> None:
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in BUDI)  # FULLWIDTH DIGIT ZERO onwards

    with pytest.raises(InvalidIdentifier, match="16 digits"):
        validate_nik(fullwidth)


def test_nik_with_29_february_of_a_year_that_never_had_one() -> None:
    with pytest.raises(InvalidIdentifier, match="birth-date part 290281"):
        validate_nik("3671012902810001")


@pytest.mark.parametrize(
    "nip",
    [
        AGUS,
        MAYA,  # a woman: gender digit 2
        JOKO,
        HENDRA,
        "198402292010011001",  # born 29 February 1984
        "198503151985031001",  # appointed in the year of birth is structurally allowed
    ],
)
def test_valid_nip(nip: str) -> None:
    assert validate_nip(nip) == nip


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19850315201001100", "NIP must be exactly 18 digits, got '19850315201001100'"),
        ("1985031520100110011", "NIP must be exactly 18 digits, got '1985031520100110011'"),
        ("19850315-201001100", "NIP must be exactly 18 digits, got '19850315-201001100'"),
        (None, "NIP must be exactly 18 digits, got 'NoneType'"),
        (
            "198502292010011001",
            "NIP 198502292010011001: birth-date part 19850229 is not a date YYYYMMDD",
        ),
        (
            "198513152010011001",
            "NIP 198513152010011001: birth-date part 19851315 is not a date YYYYMMDD",
        ),
        (
            "000003152010011001",
            "NIP 000003152010011001: birth-date part 00000315 is not a date YYYYMMDD",
        ),
        (
            "198503152010131001",
            "NIP 198503152010131001: appointment part 201013 is not a month YYYYMM after birth",
        ),
        (
            "198503152010001001",
            "NIP 198503152010001001: appointment part 201000 is not a month YYYYMM after birth",
        ),
        (
            "198503151984011001",
            "NIP 198503151984011001: appointment part 198401 is not a month YYYYMM after birth",
        ),
        (
            "198503152010013001",
            "NIP 198503152010013001: gender digit must be 1 (male) or 2 (female)",
        ),
        (
            "198503152010010001",
            "NIP 198503152010010001: gender digit must be 1 (male) or 2 (female)",
        ),
        ("198503152010011000", "NIP 198503152010011000: serial number must start at 001"),
    ],
)
def test_invalid_nip(nip: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        validate_nip(nip)

    assert str(raised.value) == message


def test_invalid_identifier_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^NIK must be exactly 16 digits"):
        validate_nik("123")


def test_make_nik_builds_the_dataset_niks() -> None:
    assert make_nik("36.71.01", date(1980, 5, 15), female=False, serial=1) == BUDI
    assert make_nik("36.71.01", date(1985, 8, 12), female=True, serial=2) == SITI
    assert make_nik("36.71.05", date(1990, 4, 23), female=True, serial=1) == DEWI
    assert make_nik("31.74.01", date(1992, 10, 25), female=False, serial=1) == RUDI


def test_make_kk_builds_the_dataset_family_cards() -> None:
    assert make_kk("36.71.01", date(2010, 1, 12), serial=1) == KK_BUDI
    assert make_kk("36.71.05", date(2012, 3, 20), serial=2) == KK_DEWI
    assert make_kk("36.71.13", date(2018, 7, 22), serial=3) == KK_AHMAD


def test_make_nip_builds_the_dataset_nips() -> None:
    assert make_nip(date(1985, 3, 15), date(2010, 1, 1), female=False, serial=1) == AGUS
    assert make_nip(date(1990, 2, 20), date(2015, 3, 1), female=True, serial=2) == MAYA
    assert make_nip(date(1975, 12, 12), date(2000, 12, 1), female=False, serial=1) == HENDRA


@pytest.mark.parametrize("female", [False, True], ids=["man", "woman"])
def test_every_day_of_a_leap_year_round_trips(female: bool) -> None:
    for offset in range(366):
        born = date(1996, 1, 1) + timedelta(days=offset)
        nik = make_nik("36.71.13", born, female, serial=offset + 1)
        nip = make_nip(born, date(2020, 3, 1), female, serial=offset + 1)

        assert validate_nik(nik) == nik
        assert validate_nip(nip) == nip
        assert int(nik[6:8]) == born.day + (40 if female else 0)
        assert nip[14] == ("2" if female else "1")
