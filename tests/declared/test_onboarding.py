"""A seventh application joins by configuration alone: PPDB (school admission), on PostgreSQL
and on MariaDB.

Nothing here is Python of the application's own: a database as PPDB keeps it, and the
declaration a city's integrator would write in padu.toml. The tests query it both ways
(`Resident.registrations`, `Registration.resident`), as each role, and read the audit log.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from padu.access.audit import keyed_hash
from padu.app import create_app
from padu.cli import main
from padu.config import SOURCE_NAMES, ConfigError, parse_config
from padu.declared.report import playground_example
from padu.principal import Role
from padu.sources.embedded import drop_database, ensure_database, with_database
from tests.conftest import ADMIN_ID, TEST_SETTINGS, GraphQL, poster, serving
from tests.data import AGUS, ANDI, BUDI, DEWI, SITI, TEST_AUDIT_KEY
from tests.sources.mariadb import fresh_database

# The same table and rows on either engine; `diperiksa_pada` is a local time without a zone
# (PostgreSQL's timestamp, MySQL's DATETIME), as such applications keep them.
TABLE = """
CREATE TABLE pendaftaran (
    id_pendaftaran integer PRIMARY KEY,
    nik_siswa char(16) NOT NULL,
    sekolah text NOT NULL,
    jalur text NOT NULL,
    status text NOT NULL,
    didaftar_pada date NOT NULL,
    diperiksa_pada {local_time} NULL
)"""
ROWS = f"""
INSERT INTO pendaftaran VALUES
  (1, '{ANDI}', 'SDN Sukasari 1', 'ZONASI', 'DITERIMA', '2026-06-10', '2026-06-15 08:30:00'),
  (2, '{ANDI}', 'SDN Babakan 3', 'ZONASI', 'CADANGAN', '2026-06-11', NULL),
  (3, '{SITI}', 'Kejar Paket C', 'AFIRMASI', 'DITERIMA', '2026-06-12', '2026-06-16 13:05:00'),
  (4, '{DEWI}', 'SMAN 2 Tangerang', 'PRESTASI', 'DITOLAK', '2026-06-13', NULL)
"""

DECLARATION: dict[str, Any] = {
    "ppdb": {
        "source": "ppdb",
        "description": "PPDB: school admission",
        "types": {
            "Registration": {
                "table": "pendaftaran",
                "key": "id",
                "list": "registrations",
                "read": ["admin", "citizen", "officer", "dashboard"],
                # A citizen reads their own rows; school officers (any officer here) read all.
                "rows": {"citizen": "nik", "officer": "all"},
                "filters": ["status"],
                "links": {"resident": {"to": "Resident", "by": "nik", "reverse": "registrations"}},
                "fields": {
                    "id": {"column": "id_pendaftaran"},
                    "nik": {"column": "nik_siswa", "type": "NIK", "personal": True},
                    "school": {"column": "sekolah"},
                    "track": {"column": "jalur"},
                    "status": {},
                    "registeredOn": {"column": "didaftar_pada"},
                    "checkedAt": {"column": "diperiksa_pada"},
                },
            }
        },
    }
}


@pytest_asyncio.fixture(scope="module", params=["postgres", "mysql"])
async def ppdb_dsn(request: pytest.FixtureRequest, server_dsn: str) -> AsyncIterator[str]:
    """PPDB's database on PostgreSQL, or on the machine's MariaDB (required in CI)."""
    if request.param == "mysql":
        async with fresh_database(TABLE.format(local_time="datetime"), ROWS) as mysql_dsn:
            yield mysql_dsn
        return
    name = f"padu_ppdb_{uuid.uuid4().hex[:8]}"
    await ensure_database(server_dsn, name)
    dsn = with_database(server_dsn, name)
    connection = await asyncpg.connect(dsn)
    await connection.execute(TABLE.format(local_time="timestamp") + ";" + ROWS)
    await connection.close()
    yield dsn
    await drop_database(server_dsn, name)


def settings(ppdb_dsn: str, declaration: dict[str, Any] = DECLARATION) -> dict[str, Any]:
    kind = "mysql" if ppdb_dsn.startswith("mysql://") else "postgres"
    source = {"kind": kind, "dsn": ppdb_dsn, "timezone": "Asia/Jakarta"}
    return {**TEST_SETTINGS, "sources": {"ppdb": source}, "applications": declaration}


@pytest_asyncio.fixture(scope="module")
async def ask(dsns: dict[str, str], ppdb_dsn: str) -> AsyncIterator[GraphQL]:
    config = parse_config(settings(ppdb_dsn), "padu.toml", {})
    async with serving(config, {**dsns, "ppdb": ppdb_dsn}) as http:
        yield poster(http, config)


ADMIN = (Role.ADMIN, ADMIN_ID)


async def test_local_times_without_a_zone_are_served_in_the_source_s_time_zone(
    ask: GraphQL,
) -> None:
    body = await ask("{ registrations(first: 4) { nodes { id checkedAt } } }")
    assert body["data"]["registrations"]["nodes"] == [
        {"id": "1", "checkedAt": "2026-06-15T08:30:00+07:00"},
        {"id": "2", "checkedAt": None},
        {"id": "3", "checkedAt": "2026-06-16T13:05:00+07:00"},
        {"id": "4", "checkedAt": None},
    ]


async def test_the_application_answers_both_ways_in_one_round_trip_per_level(ask: GraphQL) -> None:
    listed = await ask(
        "{ registrations(first: 3) { totalCount nodes { id school resident { fullName } } } }"
    )
    assert "errors" not in listed, listed
    assert listed["data"]["registrations"] == {
        "totalCount": 4,
        "nodes": [
            {"id": "1", "school": "SDN Sukasari 1", "resident": {"fullName": "Andi Santoso"}},
            {"id": "2", "school": "SDN Babakan 3", "resident": {"fullName": "Andi Santoso"}},
            {"id": "3", "school": "Kejar Paket C", "resident": {"fullName": "Siti Aminah"}},
        ],
    }
    assert listed["extensions"]["sources"]["ppdb"]["roundTrips"] == 1
    assert listed["extensions"]["sources"]["population"]["roundTrips"] == 1
    family = await ask(
        "query($k: String!) { families: residents(first: 10) { nodes { nik "
        "registrations(first: 1, filter: {status: $k}) { totalCount nodes { school registeredOn } }"
        " } } }",
        {"k": "DITERIMA"},
    )
    by_nik = {n["nik"]: n["registrations"] for n in family["data"]["families"]["nodes"]}
    assert by_nik[ANDI] == {"totalCount": 1, "nodes": [
        {"school": "SDN Sukasari 1", "registeredOn": "2026-06-10"}
    ]}  # fmt: skip
    assert by_nik[BUDI] == {"totalCount": 0, "nodes": []}
    # Six residents' lists: one statement to PPDB for all of them.
    assert family["extensions"]["sources"]["ppdb"]["roundTrips"] == 1


async def test_pages_walk_with_sealed_cursors(ask: GraphQL) -> None:
    seen, after = [], None
    while True:
        body = await ask(
            "query($a: String) { registrations(first: 3, after: $a) { edges { cursor node { id } }"
            " pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        page = body["data"]["registrations"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert all(ANDI not in edge["cursor"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("as_", "expected"),
    [
        # Budi's row rule is his own NIK: none of his family's registrations are his.
        ((Role.CITIZEN, BUDI), []),
        ((Role.CITIZEN, DEWI), [{"id": "4", "nik": DEWI}]),
        # Officers read every row (as declared), the NIK masked as the core NIKs are.
        ((Role.OFFICER, AGUS), [{"id": "1", "nik": ANDI[:4] + "********" + ANDI[-4:]}]),
    ],
)
async def test_row_rules_and_masking_follow_the_declaration(
    ask: GraphQL, as_: tuple[Role, str], expected: list[dict[str, str]]
) -> None:
    body = await ask("{ registrations(first: 1) { nodes { id nik } } }", as_=as_)
    assert "errors" not in body, body
    assert body["data"]["registrations"]["nodes"] == expected


async def test_a_dashboard_reads_no_personal_field_and_anonymous_nothing(ask: GraphQL) -> None:
    dashboard = await ask(
        "{ registrations(first: 1) { totalCount nodes { school nik } } }",
        as_=(Role.DASHBOARD, "dash"),
    )
    assert dashboard["data"]["registrations"] == {
        "totalCount": 4, "nodes": [{"school": "SDN Sukasari 1", "nik": None}]
    }  # fmt: skip
    [error] = dashboard["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "Registration.nik"}
    anonymous = await ask("{ registrations { totalCount } }", as_=None)
    assert anonymous["data"] == {"registrations": None}
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reading_personal_data_of_a_declared_type_is_audited(
    ask: GraphQL, dsns: dict[str, str]
) -> None:
    await ask('{ registrations(first: 4, filter: {status: "DITOLAK"}) { nodes { nik } } }')
    connection = await asyncpg.connect(dsns["state"])
    try:
        rows = await connection.fetch(
            "SELECT fields FROM audit_log WHERE record_hash = $1",
            keyed_hash(TEST_AUDIT_KEY.encode(), DEWI),
        )
    finally:
        await connection.close()
    assert ["Registration.nik"] in [list(r["fields"]) for r in rows]


@pytest.mark.parametrize(
    ("path", "value", "key", "reason"),
    [
        (("table",), "pendaftar", "applications.ppdb.types.Registration.table",
         "source ppdb has no table `pendaftar`"),
        (("fields", "school", "column"), "nama_sekolah",
         "applications.ppdb.types.Registration.fields.school",
         "table `pendaftaran` has no column `nama_sekolah`"),
        (("fields", "school", "type"), "Int",
         "applications.ppdb.types.Registration.fields.school.type",
         "column `sekolah` is text, which cannot be read as Int"),
    ],
)  # fmt: skip
async def test_a_declaration_the_source_contradicts_stops_start_up(
    dsns: dict[str, str], ppdb_dsn: str, path: tuple[str, ...], value: str, key: str, reason: str
) -> None:
    import copy

    declaration = copy.deepcopy(DECLARATION)
    where = declaration["ppdb"]["types"]["Registration"]
    for step in path[:-1]:
        where = where[step]
    where[path[-1]] = value
    app = create_app(parse_config(settings(ppdb_dsn, declaration), "padu.toml", {}),
                     {**dsns, "ppdb": ppdb_dsn})  # fmt: skip
    with pytest.raises(ConfigError) as stopped:
        async with app.router.lifespan_context(app):
            pass
    assert (stopped.value.file, stopped.value.key) == ("padu.toml", key)
    assert stopped.value.reason.startswith(reason)


async def test_check_config_prints_what_the_declaration_yields(
    ppdb_dsn: str, dsns: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    kind = "mysql" if ppdb_dsn.startswith("mysql://") else "postgres"
    core = "".join(f'[sources.{name}]\ndsn = "{dsns[name]}"\n' for name in SOURCE_NAMES)
    (tmp_path / "padu.toml").write_text(
        f'[padu]\nregion = "36.71"\n[state]\ndsn = "{dsns["state"]}"\n{core}'
        f'[sources.ppdb]\nkind = "{kind}"\ndsn = "{ppdb_dsn}"\n' + DECLARATION_TOML
    )
    monkeypatch.setenv("PADU_CONFIG", str(tmp_path / "padu.toml"))
    # The command runs its own event loop, so it runs in a thread of its own, as from a shell.
    assert await asyncio.to_thread(main, ["check-config"]) == 0
    printed = capsys.readouterr().out
    assert f"  ppdb: {kind}, {kind}" in printed
    assert "  type Registration from table pendaftaran: key id, pages in id order; " in printed
    assert "    id: ID <- column id_pendaftaran" in printed
    assert "    school: String <- column sekolah" in printed
    assert "    registeredOn: Date <- column didaftar_pada" in printed
    assert "    nik: NIK <- column nik_siswa, personal" in printed
    assert "    resident: Resident by nik, and Resident.registrations lists them" in printed
    assert "    rows: admin: all, citizen: nik, dashboard: all, officer: all" in printed
    assert printed.rstrip().endswith("every declared table and column is there")


DECLARATION_TOML = """
[applications.ppdb]
source = "ppdb"

[applications.ppdb.types.Registration]
table = "pendaftaran"
key = "id"
read = ["admin", "citizen", "officer", "dashboard"]
rows = { citizen = "nik", officer = "all" }
links.resident = { to = "Resident", by = "nik", reverse = "registrations" }

[applications.ppdb.types.Registration.fields]
id = { column = "id_pendaftaran" }
nik = { column = "nik_siswa", type = "NIK", personal = true }
school = { column = "sekolah" }
registeredOn = { column = "didaftar_pada" }
"""


async def test_the_playground_example_spans_the_declared_application(
    ask: GraphQL, ppdb_dsn: str
) -> None:
    """The playground offers an operation over each declared list of a resident; it runs."""
    example = playground_example(parse_config(settings(ppdb_dsn), "padu.toml", {}).applications)
    assert (
        "registrations(first: 3) { totalCount nodes { id school track status registeredOn checkedAt } }"
        in example
    )
    body = await ask(example.replace("__YEAR__", "2026"), {"nik": ANDI})
    assert "errors" not in body, body
    assert body["data"]["resident"]["registrations"]["totalCount"] == 2
