"""The DataLoaders of one request: each made on first use, by class, and never shared."""

from __future__ import annotations

from typing import TypeVar

from padu.access.scopes import Scopes
from padu.loaders.base import SourceLoader
from padu.sources import Sources

L = TypeVar("L", bound=SourceLoader)


class Loaders:
    """The loaders of one request: ``loaders[OfficerByNipLoader]`` makes it on first use.

    A loader class names its source (``source_name``), so a new relation is one loader class
    and no entry here.
    """

    def __init__(self, sources: Sources, scopes: Scopes) -> None:
        self.sources = sources
        self.scopes = scopes
        self._made: dict[type[SourceLoader], SourceLoader] = {}

    def __getitem__(self, kind: type[L]) -> L:
        made = self._made.get(kind)
        if made is None:
            made = self._made[kind] = kind(self.sources.named(kind.source_name), self.scopes)
        return made  # type: ignore[return-value]
