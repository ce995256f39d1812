"""Per-request count of round trips and rows for each source, kept in a context variable."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class SourceCount:
    """Round trips made to one source and rows they returned."""

    round_trips: int = 0
    rows: int = 0


@dataclass
class SourceTrace:
    """Everything one request asked of the source systems."""

    counts: dict[str, SourceCount] = field(default_factory=dict)

    def record(self, source: str, rows: int) -> None:
        count = self.counts.setdefault(source, SourceCount())
        count.round_trips += 1
        count.rows += rows

    def as_extension(self) -> dict[str, dict[str, int]]:
        return {
            name: {"roundTrips": c.round_trips, "rows": c.rows}
            for name, c in sorted(self.counts.items())
        }


current_trace: ContextVar[SourceTrace | None] = ContextVar("padu_source_trace", default=None)
