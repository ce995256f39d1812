"""LearningSource (Moodle-like) against the fixed dataset: courses, JP totals, enrolments."""

from __future__ import annotations

from datetime import UTC, datetime

from padu.sources import Sources
from padu.sources.base import Ranked
from padu.sources.learning import Course, Enrollment, LearningTotal, year_bounds
from padu.sources.trace import SourceCount, SourceTrace
from tests.data import AGUS, HENDRA, JOKO, MAYA


def epoch(seconds: int) -> datetime:
    """A Moodle time (epoch seconds, as stored in tests/data.py)."""
    return datetime.fromtimestamp(seconds, tz=UTC)


COURSES = {
    1: Course(
        1, "Pelayanan Publik Prima", "PPP", "Standar pelayanan publik.", jp=12, mandatory=True
    ),
    2: Course(2, "Literasi Digital ASN", "LITDIG", None, jp=10, mandatory=False),
    3: Course(3, "Pendidikan Anti-Korupsi", "PAK", None, jp=6, mandatory=True),
    # Hidden, and without a "wajib" field: not mandatory.
    4: Course(4, "Kursus Arsip (ditutup)", "ARSIP", None, jp=4, mandatory=False),
}

ENROLLMENTS = {
    1: Enrollment(1, 1, AGUS, epoch(1769000000), epoch(1770681600), COURSES[1]),
    2: Enrollment(2, 1, AGUS, epoch(1772000000), epoch(1776211200), COURSES[2]),
    3: Enrollment(3, 1, AGUS, epoch(1777000000), None, COURSES[3]),
    4: Enrollment(4, 2, MAYA, epoch(1769500000), epoch(1771000000), COURSES[3]),
    5: Enrollment(5, 2, MAYA, epoch(1740000000), epoch(1748736000), COURSES[1]),
    6: Enrollment(6, 3, JOKO, epoch(1756684800), epoch(1768867200), COURSES[2]),
    # A guest trainer: no NIP (empty idnumber) and no completion row.
    7: Enrollment(7, 4, None, epoch(1770000000), None, COURSES[1]),
}

# Each officer in both years of the dataset; Hendra has no e-learning account.
OFFICER_YEARS = [
    (AGUS, 2026),
    (AGUS, 2025),
    (MAYA, 2026),
    (MAYA, 2025),
    (JOKO, 2026),
    (JOKO, 2025),
    (HENDRA, 2026),
]


def courses(*ids: int) -> list[Course]:
    return [COURSES[i] for i in ids]


def ranked(total: int, *ids: int) -> list[Ranked[Enrollment]]:
    return [Ranked(ENROLLMENTS[i], total, in_page=True) for i in ids]


def one_trip(rows: int) -> dict[str, SourceCount]:
    return {"learning": SourceCount(round_trips=1, rows=rows)}


def test_year_bounds_are_calendar_years_in_wib() -> None:
    # 2026-01-01 00:00 WIB is 2025-12-31 17:00 UTC.
    assert year_bounds(2026) == (
        int(datetime(2025, 12, 31, 17, tzinfo=UTC).timestamp()),
        int(datetime(2026, 12, 31, 17, tzinfo=UTC).timestamp()),
    )


async def test_courses_by_id_includes_hidden_courses(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.learning.courses_by_id([4, 99, 1])

    assert sorted(found, key=lambda c: c.id) == courses(1, 4)
    assert trace.counts == one_trip(rows=2)


async def test_list_courses_excludes_hidden_and_pages_by_id(
    sources: Sources, trace: SourceTrace
) -> None:
    learning = sources.learning

    assert await learning.list_courses(10, None) == courses(1, 2, 3)
    assert await learning.list_courses(2, None) == courses(1, 2)
    assert await learning.list_courses(2, 2) == courses(3)
    assert await learning.list_courses(2, 3) == []
    assert trace.counts == {"learning": SourceCount(round_trips=4, rows=6)}


async def test_page_courses_gives_the_page_and_the_total_in_one_round_trip(
    sources: Sources, trace: SourceTrace
) -> None:
    learning = sources.learning

    assert await learning.page_courses(2, None) == (courses(1, 2), 3)
    assert await learning.page_courses(2, 2) == (courses(3), 3)
    assert await learning.page_courses(2, 3) == ([], 3)
    assert trace.counts == {"learning": SourceCount(round_trips=3, rows=4)}


async def test_totals_per_officer_and_year(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.learning.totals(OFFICER_YEARS)

    # Agus's course 3 is not completed; Hendra has no e-learning account at all.
    assert sorted(found, key=lambda t: (t.officer_nip, t.year)) == [
        LearningTotal(HENDRA, 2026, jp_completed=0, courses_completed=0),
        LearningTotal(AGUS, 2025, jp_completed=0, courses_completed=0),
        LearningTotal(AGUS, 2026, jp_completed=22, courses_completed=2),
        LearningTotal(JOKO, 2025, jp_completed=0, courses_completed=0),
        LearningTotal(JOKO, 2026, jp_completed=10, courses_completed=1),
        LearningTotal(MAYA, 2025, jp_completed=12, courses_completed=1),
        LearningTotal(MAYA, 2026, jp_completed=6, courses_completed=1),
    ]
    assert trace.counts == one_trip(rows=7)


async def test_enrollments_by_officer_started_or_completed_in_the_year(
    sources: Sources, trace: SourceTrace
) -> None:
    found = await sources.learning.enrollments_by_officer(OFFICER_YEARS)

    # Joko enrolled in 2025 and completed in 2026, so the enrolment counts in both years.
    # The stable sort keeps each officer-year's enrolments in source order: oldest first.
    assert sorted(found, key=lambda row: (row[0], row[1])) == [
        (AGUS, 2026, ENROLLMENTS[1]),
        (AGUS, 2026, ENROLLMENTS[2]),
        (AGUS, 2026, ENROLLMENTS[3]),
        (JOKO, 2025, ENROLLMENTS[6]),
        (JOKO, 2026, ENROLLMENTS[6]),
        (MAYA, 2025, ENROLLMENTS[5]),
        (MAYA, 2026, ENROLLMENTS[4]),
    ]
    assert trace.counts == one_trip(rows=7)


async def test_enrollments_by_course_gives_each_course_a_page_and_total(
    sources: Sources, trace: SourceTrace
) -> None:
    rows = await sources.learning.enrollments_by_course([3, 4, 1, 2], 10, None, None)

    assert sorted(rows, key=lambda r: r.item.course.id) == (
        ranked(3, 1, 5, 7) + ranked(2, 2, 6) + ranked(2, 3, 4)
    )
    assert trace.counts == one_trip(rows=7)


async def test_enrollments_by_course_limit_and_after(sources: Sources, trace: SourceTrace) -> None:
    learning = sources.learning

    first = await learning.enrollments_by_course([1, 2], 2, None, None)
    second = await learning.enrollments_by_course([1], 2, 1, None)
    past_the_end = await learning.enrollments_by_course([1], 2, 7, None)

    assert sorted(first, key=lambda r: r.item.course.id) == ranked(3, 1, 5) + ranked(2, 2, 6)
    assert second == ranked(3, 5, 7)
    assert past_the_end == [Ranked(ENROLLMENTS[1], 3, in_page=False)]
    assert trace.counts == {"learning": SourceCount(round_trips=3, rows=7)}
