"""What callers read of a failed delivery: a client message, never an exception's own text."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from padu.dispatcher import shown_error
from padu.errors import SourceUnavailable
from padu.sources.outbox import Delivery
from tests.data import AGUS

NOW = datetime(2026, 11, 30, tzinfo=UTC)
DELIVERY = Delivery(
    id=7, effect_key="credit:LKS-2026-000001", mutation_key="k", subject="serviceRequest:1",
    target="performance", kind="credit", payload={"nip": AGUS}, status="pending", attempts=1,
    next_attempt_at=NOW, last_error=None, created_at=NOW, delivered_at=None,
)  # fmt: skip


def test_an_unexpected_error_is_named_by_delivery_not_by_its_text() -> None:
    raw = asyncpg.UniqueViolationError(f"duplicate key: Key (nip)=({AGUS}) already exists")
    shown = shown_error(DELIVERY, raw)
    assert shown == (
        "Delivery 7 to the performance source failed unexpectedly; it is retried, "
        "and the server log has the cause."
    )
    assert AGUS not in shown


def test_a_padu_error_is_shown_as_written_for_clients() -> None:
    down = SourceUnavailable("performance")
    assert shown_error(DELIVERY, down) == str(down)
