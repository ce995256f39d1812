"""The committed schema.graphql is the schema the code serves under the shipped padu.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from padu.config import parse_config
from padu.declared.catalogue import declared_kinds
from padu.schema.build import build_schema, schema

ROOT = Path(__file__).parents[1]
SCHEMA_FILE = ROOT / "schema.graphql"


def test_schema_file_is_up_to_date() -> None:
    """The core schema and the applications padu.toml declares (their types all declared)."""
    shipped = parse_config(tomllib.loads((ROOT / "padu.toml").read_text()), "padu.toml", {})
    served = build_schema(shipped, declared_kinds(shipped.applications))
    assert SCHEMA_FILE.read_text(encoding="utf-8") == served.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` and review the change"
    )
    assert "type Payment {" in SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_has_the_contract_root_fields() -> None:
    sdl = schema.as_str()
    for field in [
        "region: Region!",
        "resident(nik: NIK!): Resident",
        "residents(filter: ResidentFilter = null, first: Int = 20, after: String = null): "
        "ResidentConnection",
        "serviceRequest(id: ID!): ServiceRequest",
        "officer(nip: NIP!): Officer",
        "units: [Unit!]",
        "course(id: ID!): Course",
        "courses(first: Int = 20, after: String = null): CourseConnection!",
    ]:
        assert field in sdl, field
