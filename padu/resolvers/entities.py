"""Entity ids, and entities found by their keys (a federation gateway's ``_entities``).

A resident's and an officer's ``id`` is their NIK or NIP sealed like a cursor (AES-SIV under a
key derived from the server secret, with the type's name as associated data): the same person
always has the same id, on every replica and subgraph sharing the secret, yet the id reveals
nothing and cannot be forged. So a gateway may join subgraphs on it for a role that sees the
NIK masked or not at all, and a client cache may normalise on it.

Entities are found by key through the same loaders as every other path (row scopes in the
source's SQL), batched: one round trip per source per batch of representations. A key the
caller may not see, or that names nothing, resolves as null, like a missing one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import strawberry

from padu import region
from padu.context import Context
from padu.errors import BadUserInput
from padu.loaders.learning import CourseByIdLoader
from padu.loaders.performance import OfficerByNipLoader
from padu.loaders.population import ResidentByNikLoader
from padu.loaders.service_requests import ServiceRequestByIdLoader
from padu.resolvers.info import Info
from padu.resolvers.pagination import cursor_seal
from padu.sources import learning as learning_records
from padu.sources import performance as performance_records
from padu.sources import population as population_records
from padu.sources import service_requests as request_records

NODE_TAG = "node"  # the associated data of every global id
MAX_SEALED = 4096  # ids sealed once per process and key (a page of 1,000 is seen again and again)


@lru_cache(maxsize=MAX_SEALED)
def _sealed(secret: bytes, type_name: str, key: str) -> str:
    return cursor_seal(secret).seal(NODE_TAG, f"{type_name}:{key}".encode())


def seal_id(context: Context, type_name: str, key: str) -> str:
    """The global id of ``type_name``'s entity ``key``: opaque, stable, unforgeable."""
    return _sealed(context.audit.key, type_name, key)


def open_node_id(context: Context, value: object) -> tuple[str, str] | None:
    """(type name, key) inside a global id this server sealed; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        plain = cursor_seal(context.audit.key).open(NODE_TAG, value).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    type_name, _, key = plain.partition(":")
    return (type_name, key) if key else None


def open_id(context: Context, type_name: str, value: object) -> str | None:
    """The key inside a global id of ``type_name``; None for anything else."""
    opened = open_node_id(context, value)
    return opened[1] if opened is not None and opened[0] == type_name else None


def number_of(context: Context, type_name: str, value: object) -> int | None:
    """A request's or course's number from its global id, or from the number itself (the ids
    these had before global ids, still accepted as input); None when it names no such entity."""
    number = _int(value)
    return number if number is not None else _int(open_id(context, type_name, value))


def _global_id(type_name: str, key: Callable[[Any], object]) -> Callable[[Any, Info], str]:
    """The ``id`` resolver of ``type_name``'s entities: their key (read by ``key``) sealed.
    The compiled walk calls its ``padu_computed`` with the context alone, per object."""

    def computed(root: Any, context: Context) -> str:
        return _sealed(context.audit.key, type_name, str(key(root)))

    def resolve(root: Any, info: Info) -> str:
        return computed(root, info.context)

    resolve.padu_computed = computed  # type: ignore[attr-defined]
    return resolve


resident_id = _global_id("Resident", lambda r: r.nik)
officer_id = _global_id("Officer", lambda r: r.nip)
request_id = _global_id("ServiceRequest", lambda r: r.id)
course_id = _global_id("Course", lambda r: r.id)
unit_id = _global_id("Unit", lambda r: r.code)
# A live change's request, by the request's global id.
change_request_id = _global_id("ServiceRequest", lambda r: r.request_id)


def _int(value: object) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


Find = Callable[[Context, list[Any]], Awaitable[list[object | None]]]


def _by_loader(loader: type, key_of: Callable[[Context, Mapping[str, Any]], Any]) -> Find:
    async def find(context: Context, representations: list[Any]) -> list[object | None]:
        keys = [key_of(context, r) if isinstance(r, Mapping) else None for r in representations]
        load: Any = context.loaders[loader]
        wanted = [k for k in keys if k is not None]
        found = dict(zip(wanted, await load.load_many(wanted), strict=True)) if wanted else {}
        return [None if k is None else found.get(k) for k in keys]

    return find


def _in_region(kind: str) -> Find:
    """Districts or villages by code, from the bundled region table (no source involved)."""

    async def find(context: Context, representations: list[Any]) -> list[object | None]:
        lookup = getattr(context.config.region, kind)
        return [
            lookup(r["code"]) if isinstance(r, Mapping) and isinstance(r.get("code"), str) else None
            for r in representations
        ]

    return find


async def _units(context: Context, representations: list[Any]) -> list[object | None]:
    codes = [r.get("code") if isinstance(r, Mapping) else None for r in representations]
    if not any(isinstance(c, str) for c in codes):
        return [None] * len(codes)
    units = {u.code: u for u in await context.sources.performance.units()}
    return [units.get(c) if isinstance(c, str) else None for c in codes]


@dataclass(frozen=True, slots=True)
class Entity:
    """How one entity type is found by its key, and the record class it is found as."""

    key: str  # the key's field, as the SDL's @key names it
    record: type
    find: Find
    # Where a subgraph only adds fields that need nothing of the entity but its key (no field
    # rule reads the record), the entity as that key alone: no round trip to its owner.
    reference: Find | None = None


@dataclass(frozen=True, slots=True)
class ResidentReference:
    """A resident as another system's subgraph knows one: by NIK. Its requests, payments and
    visits are found by the NIK, each under the caller's own row scope, and every field rule
    on them is by role; the population subgraph, which owns the resident, decides whether the
    caller may see them at all (an id names only a resident some query showed the caller)."""

    nik: str


async def _resident_references(context: Context, representations: list[Any]) -> list[object | None]:
    opened = _opened("Resident")
    keys = [opened(context, r) if isinstance(r, Mapping) else None for r in representations]
    return [None if nik is None else ResidentReference(nik) for nik in keys]


def _opened(type_name: str) -> Callable[[Context, Mapping[str, Any]], str | None]:
    return lambda context, representation: open_id(context, type_name, representation.get("id"))


def _numbered(type_name: str) -> Callable[[Context, Mapping[str, Any]], int | None]:
    return lambda context, representation: number_of(context, type_name, representation.get("id"))


ENTITIES: dict[str, Entity] = {
    "Resident": Entity(
        "id",
        population_records.Resident,
        _by_loader(ResidentByNikLoader, _opened("Resident")),
        reference=_resident_references,
    ),
    "Officer": Entity(
        "id", performance_records.Officer, _by_loader(OfficerByNipLoader, _opened("Officer"))
    ),
    "ServiceRequest": Entity(
        "id",
        request_records.ServiceRequest,
        _by_loader(ServiceRequestByIdLoader, _numbered("ServiceRequest")),
    ),
    "Course": Entity(
        "id", learning_records.Course, _by_loader(CourseByIdLoader, _numbered("Course"))
    ),
    "Unit": Entity("code", performance_records.Unit, _units),
    "District": Entity("code", region.District, _in_region("district")),
    "Village": Entity("code", region.Village, _in_region("village")),
}
TYPE_OF_RECORD = {entity.record: name for name, entity in ENTITIES.items()}
TYPE_OF_RECORD[ResidentReference] = "Resident"


async def entities(
    context: Context,
    representations: list[Any],
    served: frozenset[str],
    referenced: frozenset[str] = frozenset(),
) -> list[object | None]:
    """``_entities``: each representation's entity (None where there is none to see), found in
    one batch per type, the types' batches at once; a type in ``referenced`` as its key alone
    (``Entity.reference``)."""
    by_type: dict[str, list[int]] = {}
    for index, representation in enumerate(representations):
        name = representation.get("__typename") if isinstance(representation, Mapping) else None
        if not isinstance(name, str) or name not in served:
            raise BadUserInput(
                f"representation {index} is not of an entity type this subgraph resolves "
                f"({', '.join(sorted(served))}); give `__typename` and the key",
                argument="representations",
            )
        by_type.setdefault(name, []).append(index)
    found: list[object | None] = [None] * len(representations)

    async def of_type(name: str, indexes: list[int]) -> None:
        entity = ENTITIES[name]
        find = entity.reference if name in referenced and entity.reference else entity.find
        records = await find(context, [representations[i] for i in indexes])
        for index, record in zip(indexes, records, strict=True):
            found[index] = record

    await asyncio.gather(*(of_type(n, i) for n, i in by_type.items()))
    return found


NODE_TYPES = frozenset({"Resident", "Officer", "ServiceRequest", "Course", "Unit"})
MAX_NODES = 100  # ids one `nodes` call may ask for


def _representation(context: Context, value: object) -> dict[str, object] | None:
    """The `_entities` representation of a global id; None for an id naming no node."""
    opened = open_node_id(context, value)
    if opened is None or opened[0] not in NODE_TYPES:
        return None
    type_name, key = opened
    entity = ENTITIES[type_name]
    return {"__typename": type_name, entity.key: value if entity.key == "id" else key}


async def nodes(info: Info, ids: list[strawberry.ID]) -> list[object | None]:
    """Each id's entity, found through the scoped loaders (one batch per type); null for an id
    Padu did not give, or an entity the caller may not see, like a missing one."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(
            f"`ids` holds {len(ids)} ids; ask for at most {MAX_NODES} at once", argument="ids"
        )
    context = info.context
    wanted = [_representation(context, value) for value in ids]
    known = [r for r in wanted if r is not None]
    found = iter(await entities(context, known, NODE_TYPES) if known else [])
    return [None if r is None else next(found) for r in wanted]


async def node(info: Info, id: strawberry.ID) -> object | None:
    """The entity with this global id, or null (see ``nodes``)."""
    return (await nodes(info, [id]))[0]
