"""Validated identifier scalars: NIK (residents) and NIP (civil servants)."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from padu.identifiers import validate_nik, validate_nip

NIK = NewType("NIK", str)
NIP = NewType("NIP", str)

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
}
