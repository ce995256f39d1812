"""What a web service's answer must look like; a malformed one becomes a reason, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from padu.sources.transports.base import Faulty

# JSON types a field may be declared with ("?" after one admits null too), in the order a
# decoded value is named by (bool before int: True is an int in Python).
_TYPES: dict[str, type] = {
    "boolean": bool,
    "integer": int,
    "number": float,
    "string": str,
    "object": dict,
    "array": list,
}
# A declared type and the types of values it admits besides its own.
_ALSO = {"number": {"integer"}}


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type."""
    if value is None:
        return "null"
    return next(name for name, kind in _TYPES.items() if isinstance(value, kind))


@dataclass(frozen=True)
class Shape:
    """Objects carrying ``key`` (a string or integer) and ``fields`` of declared JSON types."""

    key: str
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, declared in self.fields.items():
            if declared.removesuffix("?") not in _TYPES:
                raise ValueError(f"field {name}: unknown JSON type `{declared}`")

    def objects(self, answer: Any) -> list[dict[str, Any]]:
        """``answer`` if it is a list of well-formed objects; else Faulty with the reason."""
        if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
            raise self._malformed(f"{json_type(answer)}, not a list of objects with `{self.key}`")
        for number, item in enumerate(answer, 1):
            self._check(item, f"item {number}")
        return answer

    def object(self, answer: Any) -> dict[str, Any]:
        """``answer`` if it is one well-formed object; else Faulty with the reason."""
        if not isinstance(answer, dict):
            raise self._malformed(f"{json_type(answer)}, not an object with `{self.key}`")
        self._check(answer, "the object")
        return answer

    def _check(self, item: dict[str, Any], where: str) -> None:
        key = item.get(self.key)
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise self._malformed(f"{where} without a string or integer `{self.key}`")
        for name, declared in self.fields.items():
            value = item.get(name)
            optional = declared.endswith("?")
            wanted = declared.removesuffix("?")
            if value is None and optional:
                continue
            found = json_type(value)
            if found != wanted and found not in _ALSO.get(wanted, ()):
                raise self._malformed(f"{where} with `{name}` {json_type(value)}, not {declared}")

    @staticmethod
    def _malformed(what: str) -> Faulty:
        return Faulty(f"answered malformed data ({what})")
