"""The statements a declared type needs, written for its source's SQL dialect.

Only what the declaration names reaches the SQL text (checked identifiers, quoted); every
value is a parameter. Two statements serve every declared type:

- ``page_per_parent``: the first rows after a cursor for many parents at once (a link's list
  on the core entity, e.g. ``Resident.payments``), each with its parent's total;
- ``page``: one list's rows after a cursor, with the total under the same conditions.

Pages are keyset pages on the type's ``order`` field; the window functions they use exist in
PostgreSQL and in MySQL 8 / MariaDB 10.2 and later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from padu.declared.declaration import TypeDecl

# Columns every page statement adds to the type's own (named so no declared column clashes).
IN_PAGE, TOTAL, RANK = "padu_in_page", "padu_total", "padu_n"


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one SQL engine quotes names and numbers its parameters."""

    name: str
    quote_char: str
    numbered: bool  # PostgreSQL's $1, $2 … rather than DB-API's %s

    def quote(self, identifier: str) -> str:
        return f"{self.quote_char}{identifier}{self.quote_char}"


POSTGRES = Dialect("postgres", '"', numbered=True)
MYSQL = Dialect("mysql", "`", numbered=False)
DIALECTS = {"postgres": POSTGRES, "mysql": MYSQL}


class Params:
    """The values of one statement, each used where its placeholder stands."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.dialect.numbered else "%s"

    def among(self, values: Sequence[Any]) -> str:
        """A placeholder list for ``IN (…)``; never empty (an empty batch matches nothing)."""
        if not values:
            return "(NULL)"
        return "(" + ", ".join(self.add(v) for v in values) + ")"


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    args: tuple[Any, ...]


class Statements:
    """The SQL of one declared type in one dialect."""

    def __init__(self, declared: TypeDecl, dialect: Dialect) -> None:
        self.declared = declared
        self.dialect = dialect
        q = dialect.quote
        self.table = q(declared.table)
        self.columns = ", ".join(f"{q(f.column)} AS {q(f.name)}" for f in declared.fields)

    def column(self, field: str) -> str:
        return self.dialect.quote(self.declared.field(field).column)

    def _conditions(self, params: Params, equal: Mapping[str, Any]) -> list[str]:
        """``field = value`` for each given field (the row rule and filters)."""
        return [f"{self.column(field)} = {params.add(value)}" for field, value in equal.items()]

    def page_per_parent(
        self,
        parent: str,
        parents: Sequence[Any],
        equal: Mapping[str, Any],
        after: Any | None,
        limit: int,
    ) -> Statement:
        """The first ``limit`` rows after ``after`` of every parent, with each one's total.

        A parent whose rows all lie before the cursor still gets one row (not in the page), so
        its total is known; a parent with no rows at all gets none.
        """
        params = Params(self.dialect)
        parent_column, order = self.column(parent), self.column(self.declared.order)

        def inside() -> str:  # a fresh placeholder per use: DB-API's %s are positional
            if after is None:
                return "1"
            return f"CASE WHEN {order} > {params.add(after)} THEN 1 ELSE 0 END"

        # Placeholders are added in the order they stand in the text.
        in_page, remaining, partition = inside(), inside(), inside()
        where = [f"{parent_column} IN {params.among(parents)}", *self._conditions(params, equal)]
        sql = f"""
            SELECT * FROM (
                SELECT {self.columns},
                       {in_page} AS {IN_PAGE},
                       COUNT(*) OVER (PARTITION BY {parent_column}) AS {TOTAL},
                       SUM({remaining}) OVER (PARTITION BY {parent_column}) AS padu_remaining,
                       ROW_NUMBER() OVER (PARTITION BY {parent_column}, {partition}
                                          ORDER BY {order}) AS {RANK}
                FROM {self.table}
                WHERE {" AND ".join(where)}
            ) ranked
            WHERE ({IN_PAGE} = 1 AND {RANK} <= {params.add(limit)})
               OR (padu_remaining = 0 AND {RANK} = 1)
            ORDER BY {RANK}
        """
        return Statement(sql, tuple(params.values))

    def page(self, equal: Mapping[str, Any], after: Any | None, limit: int) -> Statement:
        """One list's first ``limit`` rows after ``after``, each carrying the list's total.

        An empty page still yields one row (its columns null) that carries the total.
        """
        params = Params(self.dialect)
        order = self.column(self.declared.order)
        counted = self._conditions(params, equal)
        count_where = " AND ".join(counted) or "1 = 1"
        paged = self._conditions(params, equal)
        if after is not None:
            paged.append(f"{order} > {params.add(after)}")
        page_where = " AND ".join(paged) or "1 = 1"
        sql = f"""
            SELECT counted.{TOTAL}, page.*
            FROM (SELECT COUNT(*) AS {TOTAL} FROM {self.table} WHERE {count_where}) counted
            LEFT JOIN (
                SELECT {self.columns}, {order} AS padu_order
                FROM {self.table}
                WHERE {page_where}
                ORDER BY {order}
                LIMIT {params.add(limit)}
            ) page ON 1 = 1
            ORDER BY page.padu_order
        """
        return Statement(sql, tuple(params.values))
