"""Persisted operations: Apollo's automatic persisted queries, and trusted documents.

A request may name its document by hash, ``extensions.persistedQuery = {"version": 1,
"sha256Hash": H}``, instead of sending it. What Padu does with that depends on
``[persisted_queries] mode``:

- ``automatic`` (APQ): a hash Padu has not seen is answered ``PERSISTED_QUERY_NOT_FOUND``,
  and Apollo's client resends the operation with its text and hash; Padu checks that the
  text has that hash and remembers it, so later requests need send only the hash (and can be
  GETs a CDN caches). The store is a bounded LRU in each process: each replica learns a hash
  on its first miss there, which is how APQ is meant to work.
- ``trusted``: only the documents of a manifest the front-end build produced run, whether
  named by hash or sent in full; anything else is ``PERSISTED_QUERY_NOT_ALLOWED`` before it is
  parsed. The manifest is read, hashed and validated against the schema at start-up.
- ``off``: operations are run from their text; a request naming only a hash is answered
  ``PERSISTED_QUERY_NOT_SUPPORTED``, on which Apollo's client stops sending hashes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import orjson
from graphql import GraphQLError, GraphQLSchema, parse, validate
from starlette.responses import JSONResponse

from padu.config_reader import ConfigError
from padu.graphql_errors import refusal
from padu.lru import Lru

if TYPE_CHECKING:
    from padu.config import PersistedQueriesConfig

PersistedMode = Literal["off", "automatic", "trusted"]
PERSISTED_MODES = ("off", "automatic", "trusted")
VERSION = 1
# The automatic store: at most this many documents, of at most this many characters each
# (a longer one still runs, its client just keeps sending it), so at most ~20 MB per process.
MAX_LEARNED = 1000
MAX_LEARNED_CHARS = 20_000
APOLLO_FORMAT = "apollo-persisted-query-manifest"
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A miss must not be cached by a CDN: the next GET of the same URL will be answered.
_NO_STORE = {"Cache-Control": "private, no-cache, must-revalidate"}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class PersistedDocument:
    """One operation of a trusted-documents manifest, and where the manifest has it."""

    hash: str
    text: str
    key: str  # e.g. ``operations[3]`` or the hash, for messages naming it


class PersistedRefusal(Exception):
    """A persisted-operation request refused before parsing, with its code and HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        headers = _NO_STORE if self.status == 200 else None
        return refusal(self.status, self.code, self.message, headers)


def _not_found() -> PersistedRefusal:
    # Apollo's client looks for this message or code, then resends with the document.
    return PersistedRefusal(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")


def _not_allowed(what: str) -> PersistedRefusal:
    message = (
        f"{what} is not in this server's trusted documents: only operations of the "
        "front-end builds' persisted-documents manifest run here"
    )
    return PersistedRefusal(400, "PERSISTED_QUERY_NOT_ALLOWED", message)


def _hash_of(persisted: object) -> str:
    """The hash of ``extensions.persistedQuery``, once it is a version 1 SHA-256 hash."""
    if not isinstance(persisted, dict):
        raise PersistedRefusal(400, "BAD_REQUEST", "`extensions.persistedQuery` must be an object")
    version = persisted.get("version")
    if version != VERSION or isinstance(version, bool):
        message = f"Unsupported persisted query version {version!r}: Padu supports version 1"
        raise PersistedRefusal(400, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED", message)
    given = persisted.get("sha256Hash")
    if not isinstance(given, str) or not _SHA256.fullmatch(given):
        message = "`extensions.persistedQuery.sha256Hash` must be 64 lower-case hex digits"
        raise PersistedRefusal(400, "BAD_REQUEST", message)
    return given


class PersistedQueries:
    """Finds each request's document: as sent, or by its hash (from the store or manifest)."""

    def __init__(self, config: PersistedQueriesConfig) -> None:
        self.mode = config.mode
        self.trusted = {document.hash: document.text for document in config.documents}
        self.learned: Lru[str, str] = Lru(MAX_LEARNED)
        self.by_hash = 0  # requests whose document was found by its hash (tests, diagnostics)

    def query(self, query: str | None, extensions: Mapping[str, object] | None) -> str | None:
        """The document to run for a request; PersistedRefusal when there is none or it may
        not run."""
        persisted = None if extensions is None else extensions.get("persistedQuery")
        if persisted is None:
            if query is not None and self.mode == "trusted" and sha256(query) not in self.trusted:
                raise _not_allowed("The operation")
            return query
        if self.mode == "off":
            if query is not None:
                return query
            # Apollo's client then stops sending hashes to this server.
            message = "PersistedQueryNotSupported"
            raise PersistedRefusal(200, "PERSISTED_QUERY_NOT_SUPPORTED", message)
        given = _hash_of(persisted)
        if query is not None:
            return self._sent(query, given)
        text = self.trusted.get(given) if self.mode == "trusted" else self._recalled(given)
        if text is None:
            raise _not_allowed(f"The operation with hash {given}")
        self.by_hash += 1
        return text

    def _sent(self, query: str, given: str) -> str:
        """A document sent with its hash: checked against it, and learned in automatic mode."""
        if sha256(query) != given:
            message = (
                "The query's SHA-256 hash is not `extensions.persistedQuery.sha256Hash` "
                "(hash the exact text sent, in UTF-8)"
            )
            raise PersistedRefusal(400, "PERSISTED_QUERY_HASH_MISMATCH", message)
        if self.mode == "trusted":
            if given not in self.trusted:
                raise _not_allowed("The operation")
        elif len(query) <= MAX_LEARNED_CHARS:
            self.learned.remember(given, query)
        return query

    def _recalled(self, given: str) -> str:
        try:
            return self.learned.recall(given)
        except KeyError:
            raise _not_found() from None


def load_manifest(path: Path) -> tuple[PersistedDocument, ...]:
    """A trusted-documents manifest: Apollo's ``generate-persisted-query-manifest`` format, or a
    ``{sha256: document}`` map (GraphQL Codegen's client preset, Relay); ConfigError naming the
    file, the key and what is wrong."""
    file = str(path)
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ConfigError(file, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(file, "(syntax)", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(file, "(top)", "must be a JSON object")
    if "format" in data:
        entries = _apollo_entries(file, data)
    else:
        entries = [(key, key, text) for key, text in data.items()]
    documents: dict[str, PersistedDocument] = {}
    for key, given, text in entries:
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(file, key, "the document must be a non-empty string")
        if not isinstance(given, str) or sha256(text) != given:
            reason = (
                f"{given!r} is not the SHA-256 hash of its document (generate the manifest "
                "with SHA-256, e.g. GraphQL Codegen's hashAlgorithm: 'sha256')"
            )
            raise ConfigError(file, key, reason)
        documents[given] = PersistedDocument(given, text, key)
    if not documents:
        raise ConfigError(file, "(top)", "lists no operations")
    return tuple(documents.values())


def _apollo_entries(file: str, data: dict[str, object]) -> list[tuple[str, object, object]]:
    if data.get("format") != APOLLO_FORMAT:
        raise ConfigError(file, "format", f"must be {APOLLO_FORMAT!r}, got {data['format']!r}")
    if data.get("version") != 1:
        raise ConfigError(file, "version", f"must be 1, got {data.get('version')!r}")
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise ConfigError(file, "operations", "must be a list of operations")
    entries: list[tuple[str, object, object]] = []
    for index, operation in enumerate(operations):
        key = f"operations[{index}]"
        if not isinstance(operation, dict):
            raise ConfigError(file, key, "must be an object with `id` and `body`")
        name = operation.get("name")
        named = f"{key} ({name})" if isinstance(name, str) else key
        entries.append((named, operation.get("id"), operation.get("body")))
    return entries


def check_trusted(config: PersistedQueriesConfig, schema: GraphQLSchema) -> None:
    """Refuse start-up, naming the operation, when a trusted document is not valid."""
    for document in config.documents:
        try:
            errors = validate(schema, parse(document.text))
        except GraphQLError as exc:
            errors = [exc]
        if errors:
            reason = f"not valid against the schema: {errors[0].message}"
            raise ConfigError(config.manifest or "(manifest)", document.key, reason)
