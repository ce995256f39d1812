"""The requests a declared type sends to its JSON web service, and the answers it accepts.

The contract an application's web service keeps (README, "Onboarding an application"):

- **list**: ``GET <endpoint>?<member>=<value>&…&after=<order value>&limit=<n>`` answers an
  object holding the items (by default at ``items``) in the type's ``order``, strictly after
  ``after``, at most ``limit`` of them, and the number of items matching the conditions
  regardless of ``after`` and ``limit`` (by default at ``total``). Conditions are the caller's
  filters, the row rule and, for a core entity's list, the parent: each a top-level member.
- **batch** (optional, many parents in one call): ``POST <batch>`` with
  ``{"by": member, "keys": [...], "where": {member: value}, "after": value|null, "limit": n}``
  answers ``{"groups": [{"key": k, "items": [...], "total": n}, ...]}``, one group per key.

Every item is checked against the declaration before anything reads it: a missing key, a value
of the wrong JSON type or a date that is not one is a ``MalformedAnswer`` naming the field, so a
client sees ``SOURCE_UNAVAILABLE`` with the reason and start-up names the field's key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from padu.declared.declaration import Endpoint, TypeDecl
from padu.sources.transports.base import Faulty
from padu.sources.transports.shape import json_type

Record = dict[str, Any]  # an item's values by GraphQL field name


class MalformedAnswer(Faulty):
    """An answer that does not fit the declaration; ``field`` names the field it broke, if any."""

    def __init__(self, what: str, field: str | None = None) -> None:
        super().__init__(f"answered malformed data ({what})")
        self.field = field


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no UTC offset")
    return moment


# Per GraphQL scalar: the JSON types its values may have, and how a value becomes Padu's.
_READ: dict[str, tuple[tuple[str, ...], Callable[[Any], Any] | None]] = {
    "String": (("string",), None),
    "NIK": (("string",), None),
    "NIP": (("string",), None),
    "ID": (("string", "integer"), None),
    "Int": (("integer",), None),
    "Float": (("number", "integer"), float),
    "Boolean": (("boolean",), None),
    "Date": (("string",), _date),
    "DateTime": (("string",), _datetime),
}


def parameter(value: Any) -> str:
    """A condition's value as a query parameter (or a JSON string in a batch's ``where``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _at(value: Any, path: Sequence[str], where: str, field: str | None = None) -> Any:
    """The member at ``path`` of ``value`` (None when a step is missing or null); a step that
    is neither an object nor null is malformed."""
    for depth, step in enumerate(path):
        if value is None:
            return None
        if not isinstance(value, dict):
            at = f"has `{'.'.join(path[:depth])}`" if depth else "is"
            raise MalformedAnswer(f"{where} {at} {json_type(value)}, not an object", field)
        value = value.get(step)
    return value


class WebType:
    """One declared type of a web service: its requests, and its answers checked and read."""

    def __init__(self, declared: TypeDecl) -> None:
        if declared.endpoint is None:
            raise ValueError(f"type {declared.name} has no endpoint")
        self.declared = declared
        self.endpoint: Endpoint = declared.endpoint
        self.paths = [
            (f.name, tuple(f.column.split(".")), f.type or "String") for f in declared.fields
        ]
        self.required = {declared.key, declared.order}
        # The calls as traces name them: method and path, never a parameter's value.
        self.list_call = f"GET {self.endpoint.path}"
        self.search_call = f"POST {self.endpoint.batch}"

    def member(self, field: str) -> str:
        """The query parameter of ``field`` (the declaration ensures it has one when asked)."""
        param = self.declared.field(field).param
        if param is None:
            raise ValueError(f"{self.declared.name}.{field} has no query parameter")
        return param

    def query(self, equal: Mapping[str, Any], after: Any | None, limit: int) -> dict[str, str]:
        params = {self.member(field): parameter(value) for field, value in equal.items()}
        if after is not None:
            params["after"] = parameter(after)
        params["limit"] = str(limit)
        return params

    def search(
        self,
        parent: str,
        parents: Sequence[Any],
        equal: Mapping[str, Any],
        after: Any | None,
        limit: int,
    ) -> dict[str, Any]:
        """The batch body asking for every parent's first page at once."""
        return {
            "by": self.member(parent),
            "keys": [parameter(p) for p in parents],
            "where": {self.member(f): parameter(v) for f, v in equal.items()},
            "after": None if after is None else parameter(after),
            "limit": limit,
        }

    def listed(self, answer: Any) -> tuple[list[Record], int]:
        """A list's items (read) and total, from its answer."""
        items = _at(answer, self.endpoint.items.split("."), "the answer")
        total = _at(answer, self.endpoint.total.split("."), "the answer")
        if not isinstance(items, list):
            raise MalformedAnswer(f"`{self.endpoint.items}` is {json_type(items)}, not a list")
        if isinstance(total, bool) or not isinstance(total, int):
            raise MalformedAnswer(f"`{self.endpoint.total}` is {json_type(total)}, not an integer")
        return [self.record(item, f"item {n}") for n, item in enumerate(items, 1)], total

    def grouped(self, answer: Any) -> dict[str, tuple[list[Record], int]]:
        """A batch's items and total per key (keys as strings), from its answer."""
        groups = _at(answer, ("groups",), "the answer")
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            raise MalformedAnswer(f"`groups` is {json_type(groups)}, not a list of objects")
        found = {}
        for n, group in enumerate(groups, 1):
            key, items, total = group.get("key"), group.get("items"), group.get("total")
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise MalformedAnswer(f"group {n} without a string or integer `key`")
            if not isinstance(items, list) or isinstance(total, bool) or not isinstance(total, int):
                raise MalformedAnswer(f"group {n} without a list `items` and an integer `total`")
            found[str(key)] = (
                [self.record(item, f"group {n} item {i}") for i, item in enumerate(items, 1)],
                total,
            )
        return found

    def record(self, item: Any, where: str) -> Record:
        """One item's values by field name, each checked against its declared type."""
        if not isinstance(item, dict):
            raise MalformedAnswer(f"{where} is {json_type(item)}, not an object")
        record: Record = {}
        for name, path, kind in self.paths:
            value = _at(item, path, where, name)
            if value is None:
                if name in self.required:
                    raise MalformedAnswer(f"{where} without `{'.'.join(path)}`", name)
                record[name] = None
                continue
            accepted, read = _READ[kind]
            if json_type(value) not in accepted:
                raise MalformedAnswer(
                    f"{where} has `{'.'.join(path)}` {json_type(value)}, not {kind}", name
                )
            try:
                record[name] = value if read is None else read(value)
            except ValueError:
                raise MalformedAnswer(
                    f"{where} has `{'.'.join(path)}` that is not a {kind}", name
                ) from None
        return record
