"""Row rules on every path: each role reaches the same rows of a type whichever way it walks.

The schema is walked from every root field to every type with a row scope (residents, family
cards, service requests, officers, enrolments), through every object field on the way; each
path becomes one query, asked as each role. Whatever rows a role reaches by any path must be
among the rows written out below for that role, from the rules and tests/data.py alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from graphql import (
    GraphQLObjectType,
    get_named_type,
)

from padu.access.policy import Decision, role_decision
from padu.config import parse_config
from padu.principal import Role
from padu.schema.build import schema
from tests.conftest import ADMIN_ID, TEST_SETTINGS, GraphQL, node_key, poster, serving
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
from tests.schema_walk import literal_arguments

NAMES = {
    BUDI: "Budi Santoso", SITI: "Siti Aminah", ANDI: "Andi Santoso", DEWI: "Dewi Lestari",
    RUDI: "Rudi Hartono", AHMAD: "Ahmad Fauzi", AGUS: "Agus Setiawan", MAYA: "Maya Sari",
    JOKO: "Joko Prasetyo", HENDRA: "Hendra Gunawan",
}  # fmt: skip
EVERY = {
    "Resident": {BUDI, SITI, ANDI, DEWI, RUDI, AHMAD},
    "Family": {KK_BUDI, KK_DEWI, KK_AHMAD},
    "ServiceRequest": {"1", "2", "3", "4", "5"},
    "Officer": {AGUS, MAYA, JOKO, HENDRA},
    "Enrollment": {"1", "2", "3", "4", "5", "6", "7"},
}
# How a row is named in an answer, in order of preference: the first field the role reads in
# clear. A role that reads none of them is only counted (`__typename`).
IDENTITY = {
    "Resident": ("nik", "fullName"),
    "Family": ("number",),
    "ServiceRequest": ("id",),
    "Officer": ("nip", "fullName"),
    "Enrollment": ("id",),
}


@dataclass(frozen=True)
class Caller:
    role: Role
    subject: str | None
    rows: dict[str, set[str]]  # by type: the keys (NIK, KK, id, NIP) the caller may reach


NOTHING: dict[str, set[str]] = {name: set() for name in EVERY}
CALLERS = [
    Caller(Role.ADMIN, ADMIN_ID, EVERY),
    Caller(Role.DASHBOARD, "dashboard@diskominfo", EVERY),
    # Budi's family card; his requests 1 and 2, both Agus's, who is also the only actor on them.
    Caller(
        Role.CITIZEN,
        BUDI,
        {
            **NOTHING,
            "Resident": {BUDI, SITI, ANDI},
            "Family": {KK_BUDI},
            "ServiceRequest": {"1", "2"},
            "Officer": {AGUS},
        },
    ),
    # Agus: requests 1, 2 and 5 (Budi's and Dewi's), himself, his own enrolments.
    Caller(
        Role.OFFICER,
        AGUS,
        {
            **NOTHING,
            "Resident": {BUDI, DEWI},
            "ServiceRequest": {"1", "2", "5"},
            "Officer": {AGUS},
            "Enrollment": {"1", "2", "3"},
        },
    ),
    # Maya: request 4 (Dewi's), herself; the officer of the original finding.
    Caller(
        Role.OFFICER,
        MAYA,
        {
            **NOTHING,
            "Resident": {DEWI},
            "ServiceRequest": {"4"},
            "Officer": {MAYA},
            "Enrollment": {"4", "5"},
        },
    ),
    # Hendra: DISDUKCAPIL, that is Agus and himself, and their requests.
    Caller(
        Role.SUPERVISOR,
        HENDRA,
        {
            **NOTHING,
            "Resident": {BUDI, DEWI},
            "ServiceRequest": {"1", "2", "5"},
            "Officer": {AGUS, HENDRA},
            "Enrollment": {"1", "2", "3"},
        },
    ),
    Caller(Role.ANONYMOUS, None, NOTHING),
]

# Values for required arguments; keyed lookups are asked for every key at once (aliases).
LOOKUPS = {
    ("Query", "resident"): ("nik", sorted(EVERY["Resident"])),
    ("Query", "serviceRequest"): ("id", sorted(EVERY["ServiceRequest"])),
    ("Query", "officer"): ("nip", sorted(EVERY["Officer"])),
    ("Query", "course"): ("id", ["1", "2", "3", "4"]),
}
MAX_DEPTH = 6  # object fields on a path; deep enough for every type from every root field


@dataclass(frozen=True)
class Path:
    steps: tuple[tuple[str, str], ...]  # (parent type, field) from the root
    target: str


def _arguments(field: Any) -> str | None:
    return literal_arguments(field, first=10)


def paths() -> Iterator[Path]:
    """Every path from a Query field to a scoped type, no type twice on one path."""
    query = schema._schema.query_type
    assert query is not None
    stack: list[tuple[GraphQLObjectType, tuple[tuple[str, str], ...], frozenset[str]]] = [
        (query, (), frozenset({"Query"}))
    ]
    while stack:
        parent, steps, seen = stack.pop()
        for name, field in parent.fields.items():
            child = get_named_type(field.type)
            if name == "edges" or not isinstance(child, GraphQLObjectType):
                continue
            if (parent.name, name) not in LOOKUPS and _arguments(field) is None:
                continue
            walked = (*steps, (parent.name, name))
            if child.name in EVERY:
                yield Path(walked, child.name)
            structural = child.name.endswith("Connection")
            if child.name not in seen and len(walked) < MAX_DEPTH:
                stack.append((child, walked, seen if structural else seen | {child.name}))


def identity(caller: Caller, type_name: str) -> str:
    for field in IDENTITY[type_name]:
        if role_decision(caller.role, type_name, field) is Decision.ALLOW:
            return field
    return "__typename"


def document(path: Path, leaf: str) -> str:
    """The query for ``path``, selecting ``leaf`` on the rows it reaches."""
    selection = leaf
    for parent, name in reversed(path.steps[1:]):
        field = schema._schema.get_type(parent).fields[name]  # type: ignore[union-attr]
        selection = f"{name}{_arguments(field)} {{ {selection} }}"
    root, name = path.steps[0]
    if (root, name) in LOOKUPS:
        argument, keys = LOOKUPS[(root, name)]
        return (
            "{ "
            + " ".join(
                f'k{i}: {name}({argument}: "{key}") {{ {selection} }}' for i, key in enumerate(keys)
            )
            + " }"
        )
    field = schema._schema.query_type.fields[name]  # type: ignore[union-attr]
    return f"{{ {name}{_arguments(field)} {{ {selection} }} }}"


def reached(value: Any, leaf: str) -> Iterator[Any]:
    """Every value of ``leaf`` in the answer, wherever it sits."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == leaf:
                yield item
            else:
                yield from reached(item, leaf)
    elif isinstance(value, list):
        for item in value:
            yield from reached(item, leaf)


def by_name(keys: set[str]) -> set[str]:
    return {NAMES.get(key, key) for key in keys}


ALL_PATHS = list(paths())


def entry(path: Path) -> tuple[str, str]:
    """The field that leads into the path's target (through a connection's ``nodes``)."""
    parent, name = path.steps[-1]
    return path.steps[-2] if parent.endswith("Connection") else (parent, name)


def test_the_walk_reaches_every_scoped_type_by_many_paths() -> None:
    """The walk is not vacuous: each scoped type is reached, officers by every known path."""
    assert {path.target for path in ALL_PATHS} == set(EVERY)
    into_officers = {entry(path) for path in ALL_PATHS if path.target == "Officer"}
    assert into_officers == {
        ("Query", "officer"), ("Query", "officers"), ("Unit", "officers"),
        ("ServiceRequest", "assignee"), ("RequestEvent", "actor"), ("Enrollment", "officer"),
        ("ResolverCount", "officer"),
    }  # fmt: skip
    assert len(ALL_PATHS) > 60


@pytest_asyncio.fixture(scope="module")
async def wide_open(dsns: dict[str, str]) -> AsyncIterator[GraphQL]:
    """Padu over the shared test data with a cost limit that admits every path whole."""
    settings = {**TEST_SETTINGS, "limits": {"max_cost": 1_000_000}}
    config = parse_config(settings, "test.toml", {})
    async with serving(config, dsns) as http:
        yield poster(http, config)


@pytest.mark.parametrize(
    "caller", CALLERS, ids=[f"{c.role.value}-{c.subject or 'none'}" for c in CALLERS]
)
async def test_every_path_to_a_scoped_type_keeps_to_the_callers_rows(
    wide_open: GraphQL, caller: Caller
) -> None:
    gql = wide_open
    as_ = None if caller.subject is None else (caller.role, caller.subject)
    found: dict[str, set[str]] = {name: set() for name in EVERY}
    counted: dict[str, int] = dict.fromkeys(EVERY, 0)
    for path in ALL_PATHS:
        leaf = identity(caller, path.target)
        body = await gql(document(path, leaf), as_=as_)
        codes = {e["extensions"]["code"] for e in body.get("errors", ())}
        assert codes <= {"FORBIDDEN"}, (path, body["errors"])
        values = [v for v in reached(body.get("data"), leaf) if v is not None]
        if leaf == "id" and path.target == "ServiceRequest":
            values = [node_key(v) for v in values]  # a request's global id: its number inside
        counted[path.target] += len(values)
        if leaf != "__typename":
            found[path.target].update(values)
            allowed = caller.rows[path.target]
            allowed = by_name(allowed) if leaf == "fullName" else allowed
            outside = set(values) - allowed
            assert not outside, f"{document(path, leaf)} reached {outside} as {caller.role}"
    for type_name, rows in caller.rows.items():
        # Every row the caller may see is reached by some path; a caller with none reaches none.
        if not rows:
            assert counted[type_name] == 0, type_name
        elif identity(caller, type_name) != "__typename":
            expected = by_name(rows) if identity(caller, type_name) == "fullName" else rows
            assert found[type_name] == expected, type_name
