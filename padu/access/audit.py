"""The audit trail of one request: which residents' personal data it read, field by field.

Residents are named by a keyed hash of their NIK (HMAC-SHA256 with the configured key), so
the log proves who saw whose data without holding the NIK itself.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from padu.config import Config
from padu.devsecrets import development_secret
from padu.principal import Principal, Role
from padu.sources.state import AuditEntry

if TYPE_CHECKING:
    from padu.access.gate import FieldGate

# The fields of each type whose reading is processing of the resident's personal data,
# and how to find the resident (by NIK) from the object.
AUDITED: dict[str, tuple[frozenset[str] | None, str]] = {
    "Resident": (None, "nik"),  # every field
    "Family": (None, "head_nik"),
    "ServiceRequest": (frozenset({"title", "description", "resident"}), "resident_nik"),
}


# An opaque entity id (padu.resolvers.entities) reveals nothing of the person: not audited.
NOT_PERSONAL = frozenset({"id"})


def audited_by(type_name: str, field: str) -> str | None:
    """The attribute naming the resident whose data ``type_name.field`` is, if it is audited."""
    audited = AUDITED.get(type_name)
    if audited is None or field in NOT_PERSONAL:
        return None
    fields, nik_attribute = audited
    return nik_attribute if fields is None or field in fields else None


def audit_key(config: Config) -> bytes:
    """The configured audit hash key, or in development one generated under state_dir."""
    if config.audit_hash_key is not None:
        return config.audit_hash_key.encode()
    return development_secret(config.state_dir / "dev-audit-hash-key").encode()


@lru_cache(maxsize=20_000)  # a list of 1,000 requests names up to 1,000 residents
def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value``: stable for one key, useless without it."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class AuditTrail:
    """Collects what one request processed, to be written before its answer is sent."""

    def __init__(self, key: bytes, principal: Principal, request_id: str) -> None:
        self.key = key
        self.principal = principal
        self.request_id = request_id
        self._reads: dict[str, set[str]] = {}
        self._special: list[tuple[str | None, tuple[str, ...], str]] = []

    def read(self, gate: FieldGate, root: Any) -> None:
        """Note that the gate's field of ``root`` was read, if it is a resident's personal data."""
        if gate.audited is not None:
            self._reads.setdefault(getattr(root, gate.audited), set()).add(gate.label)

    def read_all(self, nik: str | None, labels: frozenset[str]) -> None:
        """Note that the fields ``labels`` of the resident ``nik`` were read (one object's)."""
        self._reads.setdefault(nik, set()).update(labels)  # type: ignore[arg-type]

    def record(self, fields: tuple[str, ...], operation: str, nik: str | None = None) -> None:
        """Note a processing the field reads do not capture (a write, reading the log)."""
        self._special.append((nik, fields, operation))

    def clear(self) -> None:
        """Forget what was noted (it was written): a WebSocket connection audits per event."""
        self._reads.clear()
        self._special.clear()

    def taken(self) -> AuditTrail:
        """What was noted so far, as a trail of its own; this one starts afresh."""
        noted = AuditTrail(self.key, self.principal, self.request_id)
        noted._reads, self._reads = self._reads, {}
        noted._special, self._special = self._special, []
        return noted

    def hash(self, nik: str) -> str:
        return keyed_hash(self.key, nik)

    def entries(self, operation_name: str | None) -> list[AuditEntry]:
        """The entries to append for this request (none when it touched no personal data)."""
        return self.entries_for(self.principal, self.request_id, operation_name)

    def entries_for(
        self, principal: Principal, request_id: str, operation_name: str | None
    ) -> list[AuditEntry]:
        """The entries recording that ``principal`` was shown what this trail noted: a
        subscription event executed once is audited for each subscriber it is sent to."""
        actor = principal.subject
        if actor is not None and principal.role is Role.CITIZEN:
            actor = self.hash(actor)  # a citizen's subject is their NIK
        processed = [
            (nik, tuple(sorted(fields)), "read") for nik, fields in sorted(self._reads.items())
        ]
        return [
            AuditEntry(
                actor_role=principal.role.value,
                actor=actor,
                record_hash=None if nik is None else self.hash(nik),
                fields=fields,
                operation=operation,
                operation_name=operation_name,
                request_id=request_id,
            )
            for nik, fields, operation in [*processed, *self._special]
        ]
