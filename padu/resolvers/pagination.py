"""Page arguments, opaque keyset cursors and connection building shared by every list.

A cursor carries the sort key of the last item a page showed, which for residents and officers
is a NIK or NIP: something the caller may see only masked, or not at all. So a cursor is sealed
(AES-SIV under a key derived from the server's ``[audit] hash_key``, with the list's name as
associated data): it cannot be read, forged or moved to another list, yet the same item always
gives the same cursor and the key it holds still seeks an index (keyset pagination).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from padu.errors import BadUserInput
from padu.loaders.base import Page
from padu.schema.pagination import Connection, PageInfo

if TYPE_CHECKING:
    from padu.context import Context
    from padu.resolvers.info import Info

DEFAULT_FIRST = 20
MAX_CURSOR_CHARS = 512  # far above any real cursor; longer input is not even decoded
T = TypeVar("T")
Key = tuple[Any, ...]


class CursorSeal:
    """Seals and opens cursors with AES-SIV: deterministic, authenticated encryption."""

    def __init__(self, secret: bytes) -> None:
        # A key of its own, derived from the server secret, so no other use of it can collide.
        key = hmac.new(secret, b"padu cursor seal v1", hashlib.sha512).digest()
        self.aead = AESSIV(key)

    def seal(self, tag: str, plain: bytes) -> str:
        sealed = self.aead.encrypt(plain, [tag.encode()])
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, tag: str, cursor: str) -> bytes:
        """The plain text of ``cursor``; ValueError unless this server sealed it for ``tag``."""
        if len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
            raise ValueError("not a cursor")
        sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        try:
            return self.aead.decrypt(sealed, [tag.encode()])
        except InvalidTag:
            raise ValueError("not sealed here for this list") from None


@lru_cache(maxsize=4)
def cursor_seal(secret: bytes) -> CursorSeal:
    """The seal for a server secret, made once (there is one secret per process)."""
    return CursorSeal(secret)


def _parse_part(kind: type, value: Any) -> Any:
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive time")
        return parsed
    if kind is date:
        return date.fromisoformat(value)
    if type(value) is not kind:
        raise ValueError(f"expected {kind.__name__}")
    return value


class CursorKind(Generic[T]):
    """The cursor of one list: a tag naming the list and the sort key of its items."""

    def __init__(self, tag: str, parts: tuple[type, ...], key_of: Callable[[T], Key]) -> None:
        self.tag, self.parts, self.key_of = tag, parts, key_of

    def encode(self, item: T, seal: CursorSeal) -> str:
        key = [v.isoformat() if isinstance(v, date) else v for v in self.key_of(item)]
        return seal.seal(self.tag, json.dumps(key, separators=(",", ":")).encode())

    def decode(self, cursor: str, seal: CursorSeal) -> Key:
        """The sort key inside ``cursor``; a cursor from elsewhere is a BAD_USER_INPUT."""
        try:
            values = json.loads(seal.open(self.tag, cursor))
            if not isinstance(values, list) or len(values) != len(self.parts):
                raise ValueError("cursor of another shape")
            return tuple(_parse_part(k, v) for k, v in zip(self.parts, values, strict=True))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise BadUserInput(
                f"`after` is not a cursor of this {self.tag} list; pass an `endCursor` or "
                "`cursor` this list returned, or omit `after` to start from the beginning.",
                argument="after",
            ) from None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Validated ``first`` / ``after``: how many items, after which sort key."""

    first: int
    after: Key | None
    seal: CursorSeal

    @property
    def limit(self) -> int:
        """Rows to fetch: one more than asked, to learn whether another page follows."""
        return self.first + 1

    def after_part(self) -> Any:
        """The cursor's only sort-key part, for lists keyed by a single column."""
        return None if self.after is None else self.after[0]


class WithContext(Protocol):
    """What ``page_request`` reads of a resolver's info (Strawberry's or graphql-core's)."""

    @property
    def context(self) -> Context: ...


def page_request(
    info: WithContext, first: int | None, after: str | None, kind: CursorKind[Any]
) -> PageRequest:
    """Check ``first`` against the cap (null means the default) and decode ``after``."""
    if first is None:
        first = DEFAULT_FIRST
    maximum = info.context.config.limits.max_page_size
    if first < 0 or first > maximum:
        raise BadUserInput(
            f"`first` must be between 0 and {maximum}, got {first}; "
            "page through longer lists with `after`.",
            argument="first",
        )
    seal = cursor_seal(info.context.audit.key)
    position = None if after is None else kind.decode(after, seal)
    return PageRequest(first=first, after=position, seal=seal)


def connection(
    items: Sequence[T],
    request: PageRequest,
    kind: CursorKind[T],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A connection from up to ``request.limit`` fetched items."""
    page = list(items[: request.first])
    seal = request.seal

    def encode(item: T) -> str:
        return kind.encode(item, seal)

    info = PageInfo(
        has_next_page=len(items) > request.first,
        has_previous_page=request.after is not None,
        first=page[0] if page else None,
        last=page[-1] if page else None,
        encode=encode,
    )
    return Connection(items=page, encode=encode, position=info, count=count)


async def list_connection(
    info: Info,
    request: PageRequest,
    kind: CursorKind[T],
    page: Callable[[], Awaitable[Sequence[T]]],
    counted_page: Callable[[], Awaitable[tuple[list[T], int]]],
) -> Connection[T]:
    """A top-level list: page and total in one round trip when ``totalCount`` is selected."""
    if selects(info, "totalCount"):
        items, total = await counted_page()
        return connection(items, request, kind, known_count(total))

    async def count() -> int:  # not selected, so never awaited in practice
        return (await counted_page())[1]

    return connection(await page(), request, kind, count)


def page_connection(page: Page[T], request: PageRequest, kind: CursorKind[T]) -> Connection[T]:
    """A per-parent connection from its loader's page, whose total came with it."""
    return connection(page.items, request, kind, known_count(page.total))


def known_count(total: int) -> Callable[[], Awaitable[int]]:
    """A count already fetched with the page (per-parent lists)."""

    async def count() -> int:
        return total

    return count


def selects(info: Info, name: str) -> bool:
    """Whether the current field's selection asks for ``name`` (through any fragments).

    Lets a list fetch its total in the same round trip as its page, only when it is wanted.
    """
    raw = info._raw_info

    def walk(selection_set: SelectionSetNode | None) -> bool:
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode) and node.name.value == name:
                return True
            if isinstance(node, InlineFragmentNode) and walk(node.selection_set):
                return True
            if isinstance(node, FragmentSpreadNode):
                fragment = raw.fragments.get(node.name.value)
                if fragment is not None and walk(fragment.selection_set):
                    return True
        return False

    return any(walk(node.selection_set) for node in raw.field_nodes)
