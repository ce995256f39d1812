"""Who is asking: the role and subject a verified token names (or anonymous)."""

from __future__ import annotations

from dataclasses import dataclass, field

from padu.lookup_enum import LookupEnum


class Role(LookupEnum):
    """What a caller may see; the rules per role live in padu/access/."""

    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"  # subject: the resident's NIK
    OFFICER = "officer"  # subject: the officer's NIP
    SUPERVISOR = "supervisor"  # subject: NIP; sees every officer of their unit
    ADMIN = "admin"
    DASHBOARD = "dashboard"  # aggregates and non-personal fields only


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller of one request."""

    role: Role
    subject: str | None = None
    unit: str | None = None  # a unit code the token carries (supervisors get theirs from e-Kinerja)
    token_id: str | None = None
    # The token's `exp` (epoch seconds): when a WebSocket it signed in must close. Not part of
    # who the principal is, so not compared.
    expires_at: float | None = field(default=None, compare=False)

    @property
    def anonymous(self) -> bool:
        return self.role is Role.ANONYMOUS

    def caller(self, host: str | None) -> str:
        """Whom a request or connection counts against in per-caller limits: the token's role
        and subject, else (anonymous) the client address."""
        if self.anonymous or self.subject is None:
            return by_address(host)
        return f"{self.role.value}:{self.subject}"


def by_address(host: str | None) -> str:
    """The per-caller key of a client known only by its address."""
    return f"address:{host or 'unknown'}"


ANONYMOUS = Principal(Role.ANONYMOUS)
