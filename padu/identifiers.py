"""NIK and NIP: structure, validation and construction (Dukcapil and BKN formats)."""

from __future__ import annotations

import calendar
from datetime import date


class InvalidIdentifier(ValueError):
    """A NIK or NIP that breaks its documented structure; the message says how."""


def _days_in_month(month: int, two_digit_year: int) -> int:
    # The century is open, but 19YY and 20YY are leap years alike when YY % 4 == 0 (2000 was).
    return calendar.monthrange(2000 + two_digit_year, month)[1]


def _digits(value: str, count: int) -> bool:
    return len(value) == count and value.isascii() and value.isdigit()


def validate_nik(value: str) -> str:
    """Return the NIK if it is ``PP KK CC DDMMYY SSSS`` (day + 40 for women), else raise."""
    if not isinstance(value, str) or not _digits(value, 16):
        shown = value if isinstance(value, str) else type(value).__name__
        raise InvalidIdentifier(f"NIK must be exactly 16 digits, got {shown!r}")
    province, regency, district = value[0:2], value[2:4], value[4:6]
    if not 11 <= int(province) <= 99 or regency == "00" or district == "00":
        raise InvalidIdentifier(
            f"NIK {value}: region prefix {province}.{regency}.{district} is not a "
            "province/regency/district code"
        )
    day, month = int(value[6:8]), int(value[8:10])
    if day > 40:
        day -= 40
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(month, int(value[10:12])):
        raise InvalidIdentifier(
            f"NIK {value}: birth-date part {value[6:12]} is not a date DDMMYY "
            "(women add 40 to the day)"
        )
    if value[12:] == "0000":
        raise InvalidIdentifier(f"NIK {value}: serial number must start at 0001")
    return value


def validate_nip(value: str) -> str:
    """Return the NIP if it is ``YYYYMMDD YYYYMM G SSS`` (gender 1 or 2), else raise."""
    if not isinstance(value, str) or not _digits(value, 18):
        shown = value if isinstance(value, str) else type(value).__name__
        raise InvalidIdentifier(f"NIP must be exactly 18 digits, got {shown!r}")
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise InvalidIdentifier(
            f"NIP {value}: birth-date part {value[0:8]} is not a date YYYYMMDD"
        ) from None
    appointed_year, appointed_month = int(value[8:12]), int(value[12:14])
    if not 1 <= appointed_month <= 12 or appointed_year < birth.year:
        raise InvalidIdentifier(
            f"NIP {value}: appointment part {value[8:14]} is not a month YYYYMM after birth"
        )
    if value[14] not in "12":
        raise InvalidIdentifier(f"NIP {value}: gender digit must be 1 (male) or 2 (female)")
    if value[15:] == "000":
        raise InvalidIdentifier(f"NIP {value}: serial number must start at 001")
    return value


def make_nik(district_code: str, birth: date, female: bool, serial: int) -> str:
    """Build a NIK first issued in ``district_code`` (e.g. ``36.71.01``)."""
    day = birth.day + 40 if female else birth.day
    prefix = district_code.replace(".", "")
    return f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def make_kk(district_code: str, issued: date, serial: int) -> str:
    """Build a family-card (KK) number issued in ``district_code`` on ``issued``."""
    prefix = district_code.replace(".", "")
    return f"{prefix}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{serial:04d}"


def make_nip(birth: date, appointed: date, female: bool, serial: int) -> str:
    """Build an 18-digit NIP for a PNS or PPPK officer."""
    gender = 2 if female else 1
    return f"{birth:%Y%m%d}{appointed:%Y%m}{gender}{serial:03d}"
