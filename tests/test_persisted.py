"""``[persisted_queries]`` and its manifest (padu.persisted): modes, defaults, and the errors
that stop start-up naming the file, the key and the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema

from padu.config import ConfigError, PersistedQueriesConfig, parse_config
from padu.persisted import (
    PersistedDocument,
    PersistedQueries,
    PersistedRefusal,
    check_trusted,
    load_manifest,
    sha256,
)

QUERY = "query Region { region { code name } }"
OTHER = "query Districts { region { districts { code } } }"
SCHEMA = build_schema("type Query { region: Region! } type Region { code: String! name: String! }")


def apollo_manifest(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def operation(body: str, name: str = "Region", id_: str | None = None) -> dict[str, Any]:
    return {"id": id_ or sha256(body), "name": name, "type": "query", "body": body}


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def settings(table: dict[str, Any]) -> dict[str, Any]:
    return {"persisted_queries": table}


def refused(store: PersistedQueries, query: str | None, extensions: Any) -> PersistedRefusal:
    with pytest.raises(PersistedRefusal) as raised:
        store.query(query, extensions)
    return raised.value


def by_hash(text: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256(text)}}


def test_defaults_are_automatic_without_a_manifest_and_trusted_with_one(tmp_path: Path) -> None:
    file = str(tmp_path / "padu.toml")
    assert parse_config({}, file, {}).persisted_queries == PersistedQueriesConfig("automatic")
    production = {"padu": {"mode": "production"}, "auth": {"hs256_secret": "s" * 32}}
    production["audit"] = {"hash_key": "k" * 32}
    assert parse_config(production, file, {}).persisted_queries.mode == "automatic"

    write(tmp_path, apollo_manifest(operation(QUERY)))
    trusted = parse_config(settings({"manifest": "persisted-documents.json"}), file, {})

    assert trusted.persisted_queries.mode == "trusted"
    assert trusted.persisted_queries.manifest == str(tmp_path / "persisted-documents.json")
    assert trusted.persisted_queries.documents == (
        PersistedDocument(sha256(QUERY), QUERY, "operations[0] (Region)"),
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"mode": "always"}, "persisted_queries.mode: must be one of off, automatic, trusted"),
        ({"mode": "trusted"}, 'persisted_queries.manifest: is required with mode = "trusted"'),
        ({"mode": "off", "manifest": "m.json"}, "persisted_queries.manifest: is read only with"),
        ({"manifest": "missing.json"}, "persisted_queries.manifest: no file"),
        ({"allow": ["x"]}, "persisted_queries.allow: unknown key (known: manifest, mode)"),
    ],
)
def test_a_bad_section_names_its_key(tmp_path: Path, table: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(settings(table), str(tmp_path / "padu.toml"), {})
    assert str(raised.value).startswith(f"{tmp_path / 'padu.toml'}: {expected}")


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [
        ("{not json", "(syntax)", "not valid JSON"),
        ([], "(top)", "must be a JSON object"),
        ({}, "(top)", "lists no operations"),
        ({"format": "relay"}, "format", "must be 'apollo-persisted-query-manifest'"),
        ({**apollo_manifest(), "version": 2}, "version", "must be 1, got 2"),
        (apollo_manifest(operation(QUERY, id_="0" * 64)), "operations[0] (Region)", "'000"),
        (apollo_manifest(operation(QUERY), "x"), "operations[1]", "must be an object"),
        ({sha256(QUERY): QUERY, "abc": OTHER}, "abc", "'abc' is not the SHA-256 hash of its"),
        ({sha256(""): ""}, sha256(""), "the document must be a non-empty string"),
    ],
)
def test_a_bad_manifest_names_the_file_key_and_reason(
    tmp_path: Path, content: object, key: str, reason: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as raised:
        parse_config(settings({"manifest": str(path)}), str(tmp_path / "padu.toml"), {})
    assert (raised.value.file, raised.value.key) == (str(path), key)
    assert reason in raised.value.reason


def test_the_simple_map_of_codegen_and_relay_is_read(tmp_path: Path) -> None:
    documents = load_manifest(write(tmp_path, {sha256(QUERY): QUERY, sha256(OTHER): OTHER}))
    assert {(d.hash, d.text, d.key) for d in documents} == {
        (sha256(QUERY), QUERY, sha256(QUERY)),
        (sha256(OTHER), OTHER, sha256(OTHER)),
    }


def test_a_trusted_document_invalid_against_the_schema_stops_start_up(tmp_path: Path) -> None:
    invalid = "query Broken { region { mayor } }"
    path = write(tmp_path, apollo_manifest(operation(QUERY), operation(invalid, "Broken")))
    config = parse_config(settings({"manifest": str(path)}), str(tmp_path / "padu.toml"), {})

    with pytest.raises(ConfigError) as raised:
        check_trusted(config.persisted_queries, SCHEMA)

    assert (raised.value.file, raised.value.key) == (str(path), "operations[1] (Broken)")
    assert raised.value.reason == (
        "not valid against the schema: Cannot query field 'mayor' on type 'Region'."
    )


def test_automatic_learns_a_hash_sent_with_its_document() -> None:
    store = PersistedQueries(PersistedQueriesConfig("automatic"))

    missed = refused(store, None, by_hash(QUERY))
    assert (missed.status, missed.code, missed.message) == (
        200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound",
    )  # fmt: skip
    assert missed.response().headers["cache-control"] == "private, no-cache, must-revalidate"
    assert store.query(QUERY, by_hash(QUERY)) == QUERY
    assert store.query(None, by_hash(QUERY)) == QUERY
    assert store.by_hash == 1
    assert store.query(OTHER, None) == OTHER  # a plain request is as before


@pytest.mark.parametrize(
    ("query", "extensions", "status", "code"),
    [
        (OTHER, by_hash(QUERY), 400, "PERSISTED_QUERY_HASH_MISMATCH"),
        (None, by_hash(QUERY, version=2), 400, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        (None, by_hash(QUERY, version=True), 400, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        (None, {"persistedQuery": {"version": 1, "sha256Hash": "ABC"}}, 400, "BAD_REQUEST"),
        (None, {"persistedQuery": "abc"}, 400, "BAD_REQUEST"),
    ],
)
def test_automatic_refuses_a_bad_hash_without_learning_it(
    query: str | None, extensions: Any, status: int, code: str
) -> None:
    store = PersistedQueries(PersistedQueriesConfig("automatic"))
    refusal = refused(store, query, extensions)
    assert (refusal.status, refusal.code) == (status, code)
    assert len(store.learned) == 0


def test_trusted_runs_only_the_manifests_documents() -> None:
    document = PersistedDocument(sha256(QUERY), QUERY, "operations[0]")
    store = PersistedQueries(PersistedQueriesConfig("trusted", "m.json", (document,)))

    assert store.query(None, by_hash(QUERY)) == QUERY
    assert store.query(QUERY, None) == QUERY
    assert store.query(QUERY, by_hash(QUERY)) == QUERY
    for query, extensions in ((OTHER, None), (None, by_hash(OTHER)), (OTHER, by_hash(OTHER))):
        refusal = refused(store, query, extensions)
        assert (refusal.status, refusal.code) == (400, "PERSISTED_QUERY_NOT_ALLOWED")
    assert len(store.learned) == 0  # nothing is learned in trusted mode


def test_off_runs_documents_and_says_hashes_are_not_supported() -> None:
    store = PersistedQueries(PersistedQueriesConfig("off"))
    assert store.query(QUERY, by_hash(QUERY)) == QUERY
    refusal = refused(store, None, by_hash(QUERY))
    assert (refusal.status, refusal.code, refusal.message) == (
        200, "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported",
    )  # fmt: skip
