"""One field policy for both executors: each field's ``FieldGate`` decides, audits and masks."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

import padu
from padu.access.audit import AuditTrail
from padu.access.gate import Forbidden, gate
from padu.access.policy import Decision, Viewer
from padu.compiled import is_compiled
from padu.principal import Principal, Role
from tests.conftest import GraphQL
from tests.data import AGUS, BUDI, MAYA

OFFICER = Viewer(Principal(Role.OFFICER, AGUS))


def test_a_gate_decides_by_role_and_denies_with_forbidden() -> None:
    assert gate("Resident", "nik").decide(OFFICER, None) is Decision.MASK
    assert gate("Resident", "nik").decide(Viewer(Principal(Role.ADMIN, "a")), None) is (
        Decision.ALLOW
    )
    with pytest.raises(Forbidden) as denied:
        gate("Resident", "nik").decide(Viewer(Principal(Role.DASHBOARD, "mayor")), None)
    assert str(denied.value) == "Your role (dashboard) may not read Resident.nik."
    assert denied.value.code == "FORBIDDEN"


def test_a_gate_lets_the_object_decide_where_the_role_does_not() -> None:
    performance = gate("Officer", "performance")
    assert performance.decisions[Role.OFFICER] is None
    own, other = SimpleNamespace(nip=AGUS), SimpleNamespace(nip=MAYA)
    assert performance.decide(OFFICER, own) is Decision.ALLOW
    with pytest.raises(Forbidden, match=r"Officer\.performance"):
        performance.decide(OFFICER, other)
    with pytest.raises(Forbidden, match=r"\(dashboard\)"):
        performance.decide(Viewer(Principal(Role.DASHBOARD, "mayor")), own)


async def test_a_gate_masks_values_and_awaited_values() -> None:
    assert gate("Resident", "nik").mask(BUDI) == "3671********0001"
    assert gate("Resident", "nik").mask(None) is None

    async def later() -> str:
        return BUDI

    assert await gate("Resident", "nik").mask(later()) == "3671********0001"


def test_the_audit_trail_notes_what_a_gate_names_as_personal_data() -> None:
    trail = AuditTrail(b"key", Principal(Role.ADMIN, "a"), "request")
    resident = SimpleNamespace(nik=BUDI)
    trail.read(gate("Resident", "fullName"), resident)
    trail.read(gate("Resident", "gender"), resident)
    trail.read(gate("Region", "name"), SimpleNamespace())  # not personal data: no attribute read
    [entry] = trail.entries("Q")
    assert entry.fields == ("Resident.fullName", "Resident.gender")
    assert entry.record_hash == trail.hash(BUDI)


async def test_a_changed_gate_changes_both_executors(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite runs compiled and standard and compares: both must see the gate's decision."""
    monkeypatch.setitem(gate("Resident", "fullName").decisions, Role.ADMIN, Decision.MASK)
    query = "query GateChange($n: NIK!) { resident(nik: $n) { fullName gender } }"
    body = await gql(query, {"n": BUDI})
    assert body.get("errors") is None, body
    assert body["data"] == {"resident": {"fullName": "Budi****toso", "gender": "MALE"}}
    assert is_compiled(query)


# The policy's parts, which only the gate (and the input check) may put together.
POLICY_PARTS = {
    "decide", "role_decision", "mask_identifier", "masked", "mask_later", "forbidden",
    "audited_by",
}  # fmt: skip
ALLOWED = {"access/gate.py", "access/policy.py", "access/audit.py", "access/extension.py"}


def test_no_executor_applies_the_policy_by_itself() -> None:
    """Field decisions, denials, masks and audit marks come from ``FieldGate`` only."""
    root = Path(padu.__file__).parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        name = str(path.relative_to(root))
        if name in ALLOWED:
            continue
        tree = ast.parse(path.read_text())
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        if used & POLICY_PARTS:
            found[name] = sorted(used & POLICY_PARTS)
    assert found == {}
