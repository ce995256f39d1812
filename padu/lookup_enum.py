"""``LookupEnum``: an Enum as cheap as a constant in the hot paths.

The standard Enum hashes a member by hashing its name in Python code, and finds a member by
value through ``EnumType.__call__``: for a page of 1,000 service requests with 8 fields that
was about 12,000 such calls per request (the role in every field's policy, each row's status
and category). Members are singletons compared by identity, so identity is also a correct
hash; and a member is found by value with one dict lookup.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Self


class LookupEnum(Enum):
    """An Enum hashed by identity, with ``of(value)``: ``cls(value)`` by one dict lookup."""

    __hash__ = object.__hash__

    @classmethod
    def of(cls, value: Any) -> Self:
        """The member with ``value``; ValueError, as ``cls(value)``, when there is none."""
        try:
            member: Self = cls._value2member_map_[value]  # type: ignore[assignment]
        except (KeyError, TypeError):  # unknown, or unhashable: as the standard lookup says
            return cls(value)
        return member
