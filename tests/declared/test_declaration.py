"""Declarations of applications: what they yield, and every mistake named by its key."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from padu.declared.declaration import DeclarationError, parse_applications
from padu.principal import Role

SOURCES = {"payments": object()}
PAYMENTS: dict[str, Any] = {
    "e_pembayaran": {
        "source": "payments",
        "description": "e-Pembayaran",
        "types": {
            "Payment": {
                "table": "pembayaran",
                "key": "id",
                "order": "id",
                "read": ["admin", "citizen", "dashboard"],
                "rows": {"citizen": "nik"},
                "filters": ["status"],
                "links": {"resident": {"to": "Resident", "by": "nik", "reverse": "payments"}},
                "fields": {
                    "id": {"column": "id_pembayaran", "type": "ID"},
                    "receiptNumber": {"column": "no_kuitansi"},
                    "amount": {"column": "jumlah", "type": "Int"},
                    "status": {},
                    "nik": {"column": "nik", "personal": True},
                },
            }
        },
    }
}


def test_a_declaration_yields_its_types_fields_links_and_rules() -> None:
    [app] = parse_applications(PAYMENTS, SOURCES)
    assert (app.name, app.source, app.description) == ("e_pembayaran", "payments", "e-Pembayaran")
    [payment] = app.types
    assert (payment.name, payment.table, payment.key, payment.order) == (
        "Payment", "pembayaran", "id", "id",
    )  # fmt: skip
    assert [(f.name, f.column, f.type, f.personal) for f in payment.fields] == [
        ("id", "id_pembayaran", "ID", False),
        ("receiptNumber", "no_kuitansi", None, False),
        ("amount", "jumlah", "Int", False),
        ("status", "status", None, False),
        ("nik", "nik", None, True),
    ]
    [link] = payment.links
    assert (link.name, link.to, link.by, link.reverse) == (
        "resident",
        "Resident",
        "nik",
        "payments",
    )
    assert payment.read == {Role.ADMIN, Role.CITIZEN, Role.DASHBOARD}
    # Admins and dashboards see every row unless told otherwise; a citizen their own NIK's.
    assert payment.rows == {Role.ADMIN: "all", Role.DASHBOARD: "all", Role.CITIZEN: "nik"}
    assert payment.filters == ("status",)


def broken(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """PAYMENTS with the value at ``path`` (below the Payment type) replaced or, if None, removed."""
    tables = copy.deepcopy(PAYMENTS)
    where = tables["e_pembayaran"]["types"]["Payment"]
    for step in path[:-1]:
        where = where[step]
    if value is None:
        del where[path[-1]]
    else:
        where[path[-1]] = value
    return tables


T = "e_pembayaran.types.Payment"
MISTAKES = [
    (("table",), None, f"{T}.table", "is required"),
    (("table",), "pembayaran; DROP TABLE x", f"{T}.table", "not a plain table or column name"),
    (("key",), "nope", f"{T}.key", "'nope' is not one of its fields"),
    (("order",), "amountt", f"{T}.order", "'amountt' is not one of its fields"),
    (("fields",), {}, f"{T}.fields", "declares no field"),
    (("fields", "amount", "type"), "Money", f"{T}.fields.amount.type", "'Money' is not one of"),
    (("fields", "amount", "column"), "jumlah`", f"{T}.fields.amount.column", "not a plain"),
    (("fields", "amount", "personal"), "yes", f"{T}.fields.amount.personal", "true or false"),
    (("fields", "amount", "colour"), "red", f"{T}.fields.amount.colour", "is not a known key"),
    (("links", "resident", "to"), "Wallet", f"{T}.links.resident.to", "links to one of"),
    (("links", "resident", "by"), "nip", f"{T}.links.resident.by", "'nip' is not one of"),
    (("read",), ["admin", "mayor"], f"{T}.read", "'mayor' is not one of"),
    (("rows",), {"citizen": "email"}, f"{T}.rows.citizen", "is 'all', 'none' or a field"),
    (("rows",), {"officer": "all"}, f"{T}.rows.officer", "may not read the type"),
    (("filters",), ["colour"], f"{T}.filters", "'colour' is not one of its fields"),
    (("tabel",), "x", f"{T}.tabel", "is not a known key"),
]


@pytest.mark.parametrize(
    ("path", "value", "key", "reason"),
    MISTAKES,
    ids=[m[2].split(".", 3)[-1] + "-" + str(m[1])[:12] for m in MISTAKES],
)
def test_a_mistake_names_its_key_and_reason(
    path: tuple[str, ...], value: Any, key: str, reason: str
) -> None:
    with pytest.raises(DeclarationError) as refused:
        parse_applications(broken(path, value), SOURCES)
    assert refused.value.key == key
    assert reason in refused.value.reason


def test_an_unknown_source_and_a_taken_type_name_are_refused() -> None:
    with pytest.raises(
        DeclarationError, match=r"^e_pembayaran\.source: names no \[sources\.bank\]"
    ):
        parse_applications(
            {"e_pembayaran": {**PAYMENTS["e_pembayaran"], "source": "bank"}}, SOURCES
        )
    twice = {**PAYMENTS, "e_retribusi": PAYMENTS["e_pembayaran"]}
    with pytest.raises(DeclarationError, match=r"e_retribusi\.types\.Payment: is already declared"):
        parse_applications(twice, SOURCES)
    core = {
        "x": {
            "source": "payments",
            "types": {"Resident": PAYMENTS["e_pembayaran"]["types"]["Payment"]},
        }
    }
    with pytest.raises(DeclarationError, match="already declared by the core schema"):
        parse_applications(core, SOURCES)
