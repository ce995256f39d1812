"""Scalars checked at the boundary: NIK, NIP, DateTime and Date, and the rules for ID and String.

graphql-core reserves the names ``ID`` and ``String``, so those two cannot be replaced; their
rules (``id_problem``, ``string_problem``) are applied to every argument and variable by
``padu.input_checks`` instead. Each ``*_problem`` returns what is wrong, or None.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from padu.errors import BadUserInput
from padu.identifiers import validate_nik, validate_nip

NIK = NewType("NIK", str)
NIP = NewType("NIP", str)

INT64_MAX = 2**63 - 1  # ids are PostgreSQL bigint
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() and int() take '١٢٣' too
_GLOBAL_ID = re.compile(r"[A-Za-z0-9_-]{22,200}")  # a sealed global id: unpadded base64url
# Far inside what Python and PostgreSQL can hold, so no time zone shift or date arithmetic
# in a resolver can overflow.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
DATETIME_EXAMPLE = "2024-05-01T08:00:00+07:00"
_ISO_TEXT = re.compile(r"[0-9T:.,+\-Z ]{1,40}")


def _shown(value: Any) -> str:
    """``value`` quoted for a message, shortened: it comes from the client."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def id_problem(value: Any) -> str | None:
    """An id is a global id Padu gave (unpadded base64url, padu.resolvers.entities), or the
    number of a request or course, as before global ids: ASCII digits, at most 2**63 - 1."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None  # not an ID at all: graphql-core refuses it with its own message
    text = str(value)
    if _DIGITS.fullmatch(text) and int(text) <= INT64_MAX:
        return None
    if _GLOBAL_ID.fullmatch(text) and not text.isdigit():  # all digits: a number, too large
        return None  # whether this server made it is the resolver's to find (else: not found)
    return (
        "must be an id Padu gave (an `id` field's value) or a request's or course's number "
        f"(ASCII digits 0-9, at most {INT64_MAX}), got {_shown(value)}"
    )


def string_problem(value: Any, max_chars: int) -> str | None:
    """Strings are at most ``max_chars`` characters and hold no NUL (PostgreSQL cannot store it)."""
    if not isinstance(value, str):
        return None
    if len(value) > max_chars:
        return f"is {len(value)} characters long; at most {max_chars} are accepted"
    if "\x00" in value:
        return "contains a NUL character (\\u0000), which no text field can store"
    return None


def _in_range(day: date) -> str | None:
    if EARLIEST <= day <= LATEST:
        return None
    return f"is outside {EARLIEST.isoformat()} .. {LATEST.isoformat()}"


def datetime_problem(value: Any) -> str | None:
    """A DateTime is an ISO 8601 string with a UTC offset, within EARLIEST .. LATEST."""
    expected = f"must be an ISO 8601 date and time with a UTC offset, like {DATETIME_EXAMPLE}"
    # fromisoformat reads up to a NUL and ignores the rest, so the text is checked first.
    if not isinstance(value, str) or not _ISO_TEXT.fullmatch(value):
        return f"{expected}, got {_shown(value)}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return f"{expected}, got {_shown(value)}"
    if parsed.utcoffset() is None:
        return f"{expected} (or Z for UTC); {_shown(value)} has no offset"
    return _in_range(parsed.date())


def date_problem(value: Any) -> str | None:
    """A Date is an ISO 8601 calendar date (YYYY-MM-DD), within EARLIEST .. LATEST."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        return f"must be a date YYYY-MM-DD, got {_shown(value)}"
    try:
        return _in_range(date.fromisoformat(value))
    except ValueError:
        return f"must be a date YYYY-MM-DD, got {_shown(value)}"


def _parse_datetime(value: Any) -> datetime:
    problem = datetime_problem(value)
    if problem is not None:
        raise BadUserInput(f"DateTime {problem}")
    return datetime.fromisoformat(value)


def _parse_date(value: Any) -> date:
    problem = date_problem(value)
    if problem is not None:
        raise BadUserInput(f"Date {problem}")
    return date.fromisoformat(value)


def _isoformat(value: date) -> str:
    return value.isoformat()


SCALARS: dict[object, ScalarDefinition] = {
    NIK: strawberry.scalar(
        name="NIK",
        description=(
            "Nomor Induk Kependudukan: 16 digits PP KK CC DDMMYY SSSS (region of first "
            "registration, birth date with day + 40 for women, serial from 0001)."
        ),
        serialize=str,
        parse_value=validate_nik,
    ),
    NIP: strawberry.scalar(
        name="NIP",
        description=(
            "Nomor Induk Pegawai: 18 digits YYYYMMDD YYYYMM G SSS (birth date, month of "
            "appointment, gender 1 male / 2 female, serial)."
        ),
        serialize=str,
        parse_value=validate_nip,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description=(
            f"Date with time, ISO 8601 with a UTC offset (e.g. {DATETIME_EXAMPLE}), "
            f"years {EARLIEST.year} to {LATEST.year}."
        ),
        serialize=_isoformat,
        parse_value=_parse_datetime,
    ),
    date: strawberry.scalar(
        name="Date",
        description=f"Date, ISO 8601 YYYY-MM-DD, years {EARLIEST.year} to {LATEST.year}.",
        serialize=_isoformat,
        parse_value=_parse_date,
    ),
}

# The problem check of each scalar whose values ``padu.input_checks`` checks by name.
PROBLEMS = {"ID": id_problem, "DateTime": datetime_problem, "Date": date_problem}
