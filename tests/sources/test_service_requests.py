"""ServiceRequestsSource against the fixed dataset: lookups, filters, keyset pages, timelines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from padu.sources import Sources
from padu.sources.base import Ranked
from padu.sources.service_requests import (
    ALL_REQUESTS,
    RequestEvent,
    RequestFilter,
    RequestStatus,
    ServiceCategory,
    ServiceRequest,
)
from padu.sources.trace import SourceCount, SourceTrace
from tests.data import AGUS, AHMAD, BUDI, DEWI, JOKO, MAYA, SITI

WIB = timezone(timedelta(hours=7))


def wib(year: int, month: int, day: int, hour: int = 0) -> datetime:
    """A time in Western Indonesian Time, as the dataset writes them (+07)."""
    return datetime(year, month, day, hour, tzinfo=WIB)


REQUESTS = {
    1: ServiceRequest(
        id=1,
        ticket_number="LKS-2026-000001",
        category=ServiceCategory.KTP_EL,
        category_name="Perekaman dan pencetakan KTP-el",
        status=RequestStatus.RESOLVED,
        title="Cetak ulang KTP-el rusak",
        description="KTP-el patah.",
        resident_nik=BUDI,
        village_code="36.71.01.1001",
        district_code="36.71.01",
        assignee_nip=AGUS,
        submitted_at=wib(2026, 1, 5, 9),
        due_at=wib(2026, 1, 8, 9),
        resolved_at=wib(2026, 1, 7, 10),
        overdue=False,
    ),
    # Still in progress and due 2026-02-11: the only overdue request.
    2: ServiceRequest(
        id=2,
        ticket_number="LKS-2026-000002",
        category=ServiceCategory.FAMILY_CARD,
        category_name="Penerbitan Kartu Keluarga",
        status=RequestStatus.IN_PROGRESS,
        title="Perubahan KK",
        description="Tambah anggota keluarga.",
        resident_nik=BUDI,
        village_code="36.71.01.1001",
        district_code="36.71.01",
        assignee_nip=AGUS,
        submitted_at=wib(2026, 2, 10, 8),
        due_at=wib(2026, 2, 11, 8),
        resolved_at=None,
        overdue=True,
    ),
    3: ServiceRequest(
        id=3,
        ticket_number="LKS-2026-000003",
        category=ServiceCategory.COMPLAINT,
        category_name="Pengaduan Masyarakat",
        status=RequestStatus.SUBMITTED,
        title="Lampu PJU mati",
        description="Lampu jalan mati di RT 001.",
        resident_nik=SITI,
        village_code="36.71.01.1001",
        district_code="36.71.01",
        assignee_nip=None,
        submitted_at=wib(2026, 11, 20, 10),
        due_at=wib(2030, 12, 31, 10),
        resolved_at=None,
        overdue=False,
    ),
    # Rejected a day after it came in, long past its due date: closed, so never overdue.
    4: ServiceRequest(
        id=4,
        ticket_number="LKS-2025-000004",
        category=ServiceCategory.INFORMATION,
        category_name="Permintaan Informasi Publik",
        status=RequestStatus.REJECTED,
        title="Data APBD",
        description="Minta data APBD 2025.",
        resident_nik=DEWI,
        village_code="36.71.05.1001",
        district_code="36.71.05",
        assignee_nip=MAYA,
        submitted_at=wib(2025, 6, 1, 9),
        due_at=wib(2025, 6, 13, 9),
        resolved_at=wib(2025, 6, 2, 9),
        overdue=False,
    ),
    5: ServiceRequest(
        id=5,
        ticket_number="LKS-2026-000005",
        category=ServiceCategory.BIRTH_CERTIFICATE,
        category_name="Akta Kelahiran",
        status=RequestStatus.VERIFIED,
        title="Akta kelahiran anak",
        description="Anak kedua.",
        resident_nik=DEWI,
        village_code="36.71.05.1001",
        district_code="36.71.05",
        assignee_nip=AGUS,
        submitted_at=wib(2026, 3, 1, 9),
        due_at=wib(2030, 12, 31, 9),
        resolved_at=None,
        overdue=False,
    ),
}

NEWEST_FIRST = [3, 5, 2, 1, 4]
OPEN = (RequestStatus.SUBMITTED, RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)
CLOSED = (RequestStatus.RESOLVED, RequestStatus.REJECTED)


def requests(*ids: int) -> list[ServiceRequest]:
    return [REQUESTS[i] for i in ids]


def key(request_id: int) -> tuple[datetime, int]:
    """The keyset cursor of a request: (submitted_at, id)."""
    return (REQUESTS[request_id].submitted_at, request_id)


def one_trip(rows: int) -> dict[str, SourceCount]:
    return {"service_requests": SourceCount(round_trips=1, rows=rows)}


def ranked(total: int, *ids: int) -> list[Ranked[ServiceRequest]]:
    """A parent's rows on the page, each carrying the parent's total."""
    return [Ranked(REQUESTS[i], total, in_page=True) for i in ids]


def by_resident(row: Ranked[ServiceRequest]) -> str:
    return row.item.resident_nik


def by_assignee(row: Ranked[ServiceRequest]) -> str:
    return row.item.assignee_nip or ""


async def test_requests_by_id(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.service_requests.requests_by_id([4, 99, 2], ALL_REQUESTS)

    assert sorted(found, key=lambda r: r.id) == requests(2, 4)
    assert trace.counts == one_trip(rows=2)


async def test_requests_by_ticket(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.service_requests.requests_by_ticket(
        ["LKS-2026-000003", "LKS-2099-000001", "LKS-2026-000001"], ALL_REQUESTS
    )

    assert sorted(found, key=lambda r: r.id) == requests(1, 3)
    assert trace.counts == one_trip(rows=2)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(RequestFilter(), NEWEST_FIRST, id="all-newest-first"),
        pytest.param(
            RequestFilter(statuses=(RequestStatus.SUBMITTED, RequestStatus.VERIFIED)),
            [3, 5],
            id="statuses",
        ),
        pytest.param(RequestFilter(statuses=()), [], id="no-statuses-matches-nothing"),
        pytest.param(
            RequestFilter(categories=(ServiceCategory.KTP_EL, ServiceCategory.FAMILY_CARD)),
            [2, 1],
            id="categories",
        ),
        pytest.param(RequestFilter(categories=(ServiceCategory.RELOCATION,)), [], id="category"),
        pytest.param(RequestFilter(district_code="36.71.05"), [5, 4], id="district"),
        pytest.param(RequestFilter(village_code="36.71.01.1001"), [3, 2, 1], id="village"),
        pytest.param(RequestFilter(assignee_nip=AGUS), [5, 2, 1], id="assignee"),
        pytest.param(RequestFilter(assignee_nip=JOKO), [], id="assignee-without-requests"),
        pytest.param(
            RequestFilter(submitted_from=wib(2026, 2, 10, 8)), [3, 5, 2], id="from-inclusive"
        ),
        pytest.param(
            RequestFilter(submitted_before=wib(2026, 2, 10, 8)), [1, 4], id="before-exclusive"
        ),
        pytest.param(
            RequestFilter(submitted_from=wib(2026, 1, 1), submitted_before=wib(2026, 3, 1, 9)),
            [2, 1],
            id="date-range",
        ),
        pytest.param(RequestFilter(overdue=True), [2], id="overdue"),
        pytest.param(RequestFilter(overdue=False), [3, 5, 1, 4], id="not-overdue"),
        pytest.param(
            RequestFilter(statuses=OPEN, assignee_nip=AGUS, district_code="36.71.01"),
            [2],
            id="combined",
        ),
    ],
)
async def test_list_and_page_requests_filter(
    sources: Sources, trace: SourceTrace, where: RequestFilter, expected: list[int]
) -> None:
    listed = await sources.service_requests.list_requests(
        where, limit=10, after=None, scope=ALL_REQUESTS
    )
    assert listed == requests(*expected)
    assert trace.counts == one_trip(rows=len(expected))

    paged = await sources.service_requests.page_requests(where, 10, None, ALL_REQUESTS)
    assert paged == (requests(*expected), len(expected))
    # The counted page answers at least one row, which carries the total.
    rows = len(expected) + max(len(expected), 1)
    assert trace.counts == {"service_requests": SourceCount(round_trips=2, rows=rows)}


async def test_list_requests_pages_newest_first_by_keyset(
    sources: Sources, trace: SourceTrace
) -> None:
    source, everything = sources.service_requests, RequestFilter()

    assert await source.list_requests(everything, 2, None, ALL_REQUESTS) == requests(3, 5)
    assert await source.list_requests(everything, 2, key(5), ALL_REQUESTS) == requests(2, 1)
    assert await source.list_requests(everything, 2, key(1), ALL_REQUESTS) == requests(4)
    assert await source.list_requests(everything, 2, key(4), ALL_REQUESTS) == []
    assert trace.counts == {"service_requests": SourceCount(round_trips=4, rows=5)}


async def test_list_requests_keyset_with_a_filter(sources: Sources, trace: SourceTrace) -> None:
    where = RequestFilter(assignee_nip=AGUS)

    assert await sources.service_requests.list_requests(where, 1, key(5), ALL_REQUESTS) == requests(
        2
    )
    assert trace.counts == one_trip(rows=1)


async def test_page_requests_gives_the_page_and_the_total_in_one_round_trip(
    sources: Sources, trace: SourceTrace
) -> None:
    source, everything = sources.service_requests, RequestFilter()

    assert await source.page_requests(everything, 2, None, ALL_REQUESTS) == (requests(3, 5), 5)
    assert await source.page_requests(everything, 2, key(2), ALL_REQUESTS) == (requests(1, 4), 5)
    # Past the last row the page is empty, and the total is still known.
    assert await source.page_requests(everything, 2, key(4), ALL_REQUESTS) == ([], 5)
    assert await source.page_requests(RequestFilter(assignee_nip=AGUS), 10, None, ALL_REQUESTS) == (
        requests(5, 2, 1),
        3,
    )
    assert await source.page_requests(RequestFilter(assignee_nip=JOKO), 10, None, ALL_REQUESTS) == (
        [],
        0,
    )
    # An empty page still answers one row, carrying the total.
    assert trace.counts == {"service_requests": SourceCount(round_trips=5, rows=9)}


async def test_requests_by_resident_gives_each_resident_a_page_and_total(
    sources: Sources, trace: SourceTrace
) -> None:
    rows = await sources.service_requests.requests_by_party(
        "resident", [DEWI, BUDI, AHMAD], statuses=None, limit=10, after=None, scope=ALL_REQUESTS
    )

    # Residents' rows interleave; the stable sort keeps each resident's own order.
    assert sorted(rows, key=by_resident) == ranked(2, 2, 1) + ranked(2, 5, 4)
    assert trace.counts == one_trip(rows=4)


async def test_requests_by_resident_limit_cuts_each_page_not_the_total(
    sources: Sources, trace: SourceTrace
) -> None:
    rows = await sources.service_requests.requests_by_party(
        "resident", [BUDI, SITI, DEWI], statuses=None, limit=1, after=None, scope=ALL_REQUESTS
    )

    assert sorted(rows, key=by_resident) == ranked(2, 2) + ranked(1, 3) + ranked(2, 5)
    assert trace.counts == one_trip(rows=3)


async def test_requests_by_resident_after_cursor_keeps_the_total(
    sources: Sources, trace: SourceTrace
) -> None:
    source = sources.service_requests

    after_newest = await source.requests_by_party("resident", [BUDI], None, 1, key(2), ALL_REQUESTS)
    # Past Budi's last request: no page, but one row off the page still carries his total.
    after_last = await source.requests_by_party("resident", [BUDI], None, 1, key(1), ALL_REQUESTS)

    assert after_newest == ranked(2, 1)
    assert after_last == [Ranked(REQUESTS[2], 2, in_page=False)]
    assert trace.counts == {"service_requests": SourceCount(round_trips=2, rows=2)}


async def test_requests_by_resident_with_statuses(sources: Sources, trace: SourceTrace) -> None:
    rows = await sources.service_requests.requests_by_party(
        "resident", [BUDI, SITI, DEWI], statuses=CLOSED, limit=10, after=None, scope=ALL_REQUESTS
    )

    # The total counts the party's requests under the same status filter.
    assert sorted(rows, key=by_resident) == ranked(1, 1) + ranked(1, 4)
    assert trace.counts == one_trip(rows=2)


async def test_requests_by_assignee(sources: Sources, trace: SourceTrace) -> None:
    rows = await sources.service_requests.requests_by_party(
        "assignee", [AGUS, MAYA, JOKO], statuses=None, limit=10, after=None, scope=ALL_REQUESTS
    )

    assert sorted(rows, key=by_assignee) == ranked(3, 5, 2, 1) + ranked(1, 4)
    assert trace.counts == one_trip(rows=4)


async def test_requests_by_assignee_with_statuses_limit_and_after(
    sources: Sources, trace: SourceTrace
) -> None:
    rows = await sources.service_requests.requests_by_party(
        "assignee", [AGUS, MAYA], statuses=OPEN, limit=1, after=key(5), scope=ALL_REQUESTS
    )

    # Maya has no open request at all, so she gets no row, not even one off the page.
    assert rows == ranked(2, 2)
    assert trace.counts == one_trip(rows=1)


def event(
    id: int,
    request_id: int,
    status: RequestStatus,
    note: str | None,
    actor: str | None,
    at: datetime,
) -> RequestEvent:
    return RequestEvent(
        id=id, request_id=request_id, status=status, note=note, actor_nip=actor, at=at
    )


async def test_events_by_request_in_request_then_time_order(
    sources: Sources, trace: SourceTrace
) -> None:
    found = await sources.service_requests.events_by_request([2, 99, 1])

    assert found == [
        event(1, 1, RequestStatus.SUBMITTED, "Permohonan diterima", None, wib(2026, 1, 5, 9)),
        event(2, 1, RequestStatus.VERIFIED, "Dokumen lengkap", AGUS, wib(2026, 1, 5, 13)),
        event(3, 1, RequestStatus.IN_PROGRESS, "Dicetak", AGUS, wib(2026, 1, 6, 9)),
        event(4, 1, RequestStatus.RESOLVED, "KTP-el diambil", AGUS, wib(2026, 1, 7, 10)),
        event(5, 2, RequestStatus.SUBMITTED, "Permohonan diterima", None, wib(2026, 2, 10, 8)),
        event(6, 2, RequestStatus.VERIFIED, None, AGUS, wib(2026, 2, 10, 10)),
        event(7, 2, RequestStatus.IN_PROGRESS, None, AGUS, wib(2026, 2, 10, 11)),
    ]
    assert trace.counts == one_trip(rows=7)
