"""The change feed's own parts: notifications parsed, counts shared per change heard."""

from __future__ import annotations

import asyncio
import json

import pytest

from padu.config import SourceConfig
from padu.sources.service_request_changes import ChangeFeed, ChangeKind, parse_change
from padu.sources.service_requests import RequestScope, RequestStatus, ServiceCategory


def test_a_notification_becomes_a_change() -> None:
    payload = json.dumps({
        "kind": "status_changed", "id": 7, "status": "selesai", "previous_status": "proses",
        "category": "KK", "district": "36.71.01", "village": "36.71.01.1001",
        "assignee": "198503152010011001",
        "requester": "3671011505800001", "at": "2026-11-23T10:00:00.5+00:00",
    })  # fmt: skip
    change = parse_change(payload)
    assert (change.kind, change.request_id, change.status, change.previous_status) == (
        ChangeKind.STATUS_CHANGED,
        7,
        RequestStatus.RESOLVED,
        RequestStatus.IN_PROGRESS,
    )
    assert change.category is ServiceCategory.FAMILY_CARD
    assert change.at.microsecond == 500_000


@pytest.mark.parametrize(
    ("scope", "admitted"),
    [
        (RequestScope(), True),
        (RequestScope(requester="3671011505800001"), True),
        (RequestScope(requester="3671015208850002"), False),
        (RequestScope(assignees=("198503152010011001",)), True),
        (RequestScope(assignees=()), False),
    ],
)
def test_scopes_admit_changes_as_their_sql_admits_rows(scope: RequestScope, admitted: bool) -> None:
    assert scope.admits("3671011505800001", "198503152010011001") is admitted


async def test_callers_share_one_count_per_change() -> None:
    feed = ChangeFeed(SourceConfig(name="service_requests", dsn=None), "postgresql://unused")
    calls = 0

    async def count() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return calls

    first = await asyncio.gather(*(feed.shared("k", count) for _ in range(5)))
    assert first == [1] * 5 and calls == 1
    assert await feed.shared("other", count) == 2  # another key counts for itself
    feed._publish(object())  # a change is heard: the next ask counts again
    assert await asyncio.gather(feed.shared("k", count), feed.shared("k", count)) == [3, 3]
    assert feed._counts == {}  # nothing is kept once answered
