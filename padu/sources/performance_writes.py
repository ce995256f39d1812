"""The writes Padu makes to e-Kinerja: work credited from other systems."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from padu.sources.performance import ActivityCategory

if TYPE_CHECKING:
    from padu.sources.performance import PerformanceSource


@dataclass(frozen=True, slots=True)
class Credit:
    """Work credited to an officer from another system (a resolved request, a course)."""

    nip: str
    date: date
    description: str
    category: ActivityCategory
    minutes: int
    evidence: str | None = None
    ticket_number: str | None = None

    def as_payload(self) -> dict[str, Any]:
        """The credit as JSON, to wait in the outbox."""
        return {**asdict(self), "date": self.date.isoformat(), "category": self.category.value}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Credit:
        return cls(
            **{
                **payload,
                "date": date.fromisoformat(payload["date"]),
                "category": ActivityCategory(payload["category"]),
            }
        )


class PerformanceWrites:
    """The writes Padu makes to e-Kinerja (``PerformanceSource.writes``)."""

    def __init__(self, source: PerformanceSource) -> None:
        self.source = source

    async def credit(self, key: str, credit: Credit) -> None:
        """Log ``credit`` as an activity, once per key (a repeated delivery does nothing)."""
        async with self.source.write(key) as connection:
            await connection.execute(
                """
                INSERT INTO aktivitas (nip, tanggal, uraian, kategori, durasi_menit, bukti,
                                       ref_tiket)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                credit.nip, credit.date, credit.description, credit.category.value,
                credit.minutes, credit.evidence, credit.ticket_number,
            )  # fmt: skip
