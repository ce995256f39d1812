"""Reading a declared type's rows: its row rule per caller, applied in every statement.

A declared type's rows reach a caller only through ``DeclaredPageLoader`` (a core entity's
list of it) and ``page`` (its own list), so its row rule holds on every path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from padu.declared.declaration import TypeDecl
from padu.loaders.base import PageByParentLoader
from padu.principal import Principal
from padu.sources.base import Ranked

if TYPE_CHECKING:
    from padu.access.scopes import Scopes

Row = SimpleNamespace  # a row read as an object: fields by their GraphQL names


class NoRows(Exception):
    """The caller's role sees no rows of the type: no statement is worth sending."""


def row_rule(declared: TypeDecl, principal: Principal) -> dict[str, Any]:
    """The conditions (field = value) that keep ``declared``'s rows to what the caller may see."""
    rule = declared.rows.get(principal.role, "none")
    if rule == "all":
        return {}
    if rule == "none" or principal.subject is None:
        raise NoRows
    return {rule: principal.subject}  # e.g. a citizen's rows: the NIK field is theirs


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Filters, page size and cursor of one list of a declared type."""

    equal: tuple[tuple[str, Any], ...]  # the caller's filters, field = value
    limit: int
    after: Any | None


class DeclaredSource(Protocol):
    """What the loaders ask of a declared type's source, whatever its kind
    (``padu.sources.application``): one list's page, or many parents' first pages."""

    async def page(
        self, declared: TypeDecl, equal: Mapping[str, Any], after: Any | None, limit: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    async def pages(
        self,
        declared: TypeDecl,
        parent: str,
        parents: Sequence[Any],
        equal: Mapping[str, Any],
        after: Any | None,
        limit: int,
    ) -> list[Ranked[dict[str, Any]]]: ...


class DeclaredPageLoader(PageByParentLoader[Any, PageArgs, Row]):
    """A page of a declared type per parent (a core entity's id), e.g. each resident's payments."""

    declared: ClassVar[TypeDecl]
    parent: ClassVar[str]  # the field holding the parent's id
    source: DeclaredSource

    def __init__(self, source: Any, scopes: Scopes) -> None:
        super().__init__(source, scopes)
        self.principal = scopes.principal

    async def fetch(self, parents: Sequence[Any], arguments: PageArgs) -> Sequence[Ranked[Row]]:
        try:
            equal = {**row_rule(self.declared, self.principal), **dict(arguments.equal)}
        except NoRows:
            return []
        ranked = await self.source.pages(
            self.declared, self.parent, parents, equal, arguments.after, arguments.limit
        )
        return [Ranked(Row(**r.item), r.total, r.in_page) for r in ranked]

    def parent_of(self, item: Row) -> Any:
        return getattr(item, self.parent)


async def page(
    source: DeclaredSource, declared: TypeDecl, principal: Principal, arguments: PageArgs
) -> tuple[list[Row], int]:
    """One list of a declared type (its root list): a page after the cursor, and the total."""
    try:
        equal = {**row_rule(declared, principal), **dict(arguments.equal)}
    except NoRows:
        return [], 0
    records, total = await source.page(declared, equal, arguments.after, arguments.limit)
    return [Row(**r) for r in records], total
