"""The committed schema.graphql is the schema the code serves."""

from __future__ import annotations

from pathlib import Path

from padu.schema.build import schema

SCHEMA_FILE = Path(__file__).parents[1] / "schema.graphql"


def test_schema_file_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` and review the change"
    )


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
