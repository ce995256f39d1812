"""SQL text in the sources: values as parameters or properly quoted literals, never Python reprs."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import asyncpg
import pytest

import padu.sources
from padu.sources.service_requests import (
    ALL_REQUESTS,
    OPEN_STATUSES,
    RequestFilter,
    RequestStatus,
    request_clause,
    sql_text_list,
)

SOURCES = Path(padu.sources.__file__).parent


def python_reprs(tree: ast.AST) -> list[int]:
    """Lines where ``tree`` turns a value into text with Python's repr."""
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.FormattedValue) and node.conversion == ord("r"))
        or (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "repr")
        or (isinstance(node, ast.Constant) and isinstance(node.value, str) and "%r" in node.value)
    )


def test_no_source_builds_text_from_python_reprs() -> None:
    """Sources write SQL with f-strings; a repr in one is Python's syntax, not SQL's.

    ``IN {('a',)!r}`` is a syntax error and ``{"it's"!r}`` an identifier to PostgreSQL.
    """
    files = sorted(SOURCES.rglob("*.py"))
    assert len(files) > 15
    found = {
        str(path.relative_to(SOURCES)): lines
        for path in files
        if (lines := python_reprs(ast.parse(path.read_text())))
    }
    assert found == {}


def test_the_check_sees_reprs() -> None:
    tree = ast.parse("a = f\"x IN {v!r}\"\nb = repr(v)\nc = 'IN %r' % (v,)\nd = f'{v}'")
    assert python_reprs(tree) == [1, 2, 3]


async def test_a_text_list_is_the_values_to_postgresql(dsns: dict[str, str]) -> None:
    values = ["it's", "menunggu", 'say "hi"', "back\\slash"]
    connection = await asyncpg.connect(dsns["service_requests"])
    try:
        for value in values:
            found = await connection.fetchval(f"SELECT $1::text IN {sql_text_list(values)}", value)
            assert found is True, value
        assert await connection.fetchval(f"SELECT 'it' IN {sql_text_list(values)}") is False
        # One value: a Python repr of a 1-tuple, ('x',), is not SQL.
        assert await connection.fetchval(f"SELECT 'x' IN {sql_text_list(['x'])}") is True
    finally:
        await connection.close()


def test_a_text_list_refuses_what_it_cannot_quote() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        sql_text_list([])
    with pytest.raises(ValueError, match="NUL"):
        sql_text_list(["a\0b"])


def test_open_statuses_are_those_before_an_outcome() -> None:
    outcomes = {RequestStatus.RESOLVED, RequestStatus.REJECTED}
    assert set(OPEN_STATUSES) == set(RequestStatus) - outcomes


async def test_the_overdue_filter_uses_the_open_requests_index_in_generic_plans(
    dsns: dict[str, str],
) -> None:
    """A literal list lets a generic plan prove the partial index applies; a parameter would not.

    asyncpg prepares every statement, and PostgreSQL may switch to a generic plan after five runs.
    """
    clause = request_clause(RequestFilter(overdue=True), ALL_REQUESTS)
    statement = (
        f"SELECT p.id_permohonan FROM permohonan p WHERE {clause.sql}"
        f" ORDER BY p.dibuat_pada DESC LIMIT {clause.param(10)}"
    )
    connection = await asyncpg.connect(dsns["service_requests"])
    try:
        await connection.execute("SET plan_cache_mode = force_generic_plan")
        await connection.execute("SET enable_seqscan = off")
        await connection.execute(f"PREPARE overdue (bigint) AS {statement}")
        plan = await connection.fetchval("EXPLAIN (FORMAT JSON) EXECUTE overdue (10)")
        await connection.execute("DEALLOCATE overdue")
    finally:
        await connection.close()
    assert "permohonan_terbuka_idx" in json.dumps(json.loads(plan)), plan
