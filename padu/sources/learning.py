"""e-learning (Moodle-like): courses with their JP, enrolments and completions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import asyncpg

from padu.config import SourceConfig
from padu.sources.base import (
    Ranked,
    Source,
    Where,
    counted_page,
    page_per_parent,
    page_with_total,
    ranked,
)
from padu.sources.learning_writes import LearningWrites

# Learning years follow the calendar in Western Indonesian Time (UTC+7, no daylight saving).
WIB = timezone(timedelta(hours=7), "WIB")


def year_bounds(year: int) -> tuple[int, int]:
    """Epoch seconds of the first instant of ``year`` and of the next year, in WIB."""
    return (
        int(datetime(year, 1, 1, tzinfo=WIB).timestamp()),
        int(datetime(year + 1, 1, 1, tzinfo=WIB).timestamp()),
    )


def _time(epoch: int | None) -> datetime | None:
    return None if not epoch else datetime.fromtimestamp(epoch, tz=UTC)


@dataclass(frozen=True, slots=True)
class Course:
    """A course and the learning hours (JP) it carries."""

    id: int
    title: str
    short_name: str
    summary: str | None
    jp: int
    mandatory: bool


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A learner's enrolment in a course, and its completion if any."""

    id: int
    user_id: int
    officer_nip: str | None
    enrolled_at: datetime
    completed_at: datetime | None
    course: Course


@dataclass(frozen=True, slots=True)
class LearningTotal:
    """JP an officer completed in one year."""

    officer_nip: str
    year: int
    jp_completed: int
    courses_completed: int


_COURSE_COLUMNS = """
    c.id AS course_id, c.fullname, c.shortname, c.summary,
    coalesce(jp.intvalue, 0) AS jp, coalesce(wajib.intvalue, 0) = 1 AS wajib
"""
# JP and "mandatory" are Moodle course custom fields, found by their short names.
_COURSE_FROM = """
    mdl_course c
    LEFT JOIN mdl_customfield_data jp ON jp.instanceid = c.id
         AND jp.fieldid = (SELECT id FROM mdl_customfield_field WHERE shortname = 'jp')
    LEFT JOIN mdl_customfield_data wajib ON wajib.instanceid = c.id
         AND wajib.fieldid = (SELECT id FROM mdl_customfield_field WHERE shortname = 'wajib')
"""
_ENROLLMENT_COLUMNS = f"""
    ue.id AS enrolment_id, u.id AS user_id, nullif(u.idnumber, '') AS nip,
    ue.timecreated, cc.timecompleted, {_COURSE_COLUMNS}
"""
_ENROLLMENT_FROM = f"""
    mdl_user_enrolments ue
    JOIN mdl_user u ON u.id = ue.userid AND u.deleted = 0
    JOIN mdl_enrol e ON e.id = ue.enrolid
    JOIN ({_COURSE_FROM}) ON c.id = e.courseid
    LEFT JOIN mdl_course_completions cc ON cc.userid = u.id AND cc.course = c.id
"""


def _course(row: asyncpg.Record) -> Course:
    return Course(
        id=row["course_id"],
        title=row["fullname"],
        short_name=row["shortname"],
        summary=row["summary"],
        jp=int(row["jp"]),
        mandatory=row["wajib"],
    )


def _enrollment(row: asyncpg.Record) -> Enrollment:
    return Enrollment(
        id=row["enrolment_id"],
        user_id=row["user_id"],
        officer_nip=row["nip"],
        enrolled_at=_time(row["timecreated"]) or datetime.fromtimestamp(0, tz=UTC),
        completed_at=_time(row["timecompleted"]),
        course=_course(row),
    )


def _visible() -> Where:
    clause = Where()
    clause.add("c.visible = 1")
    return clause


def _years(keys: Sequence[tuple[str, int]]) -> tuple[list[str], list[int], list[int], list[int]]:
    bounds = [year_bounds(year) for _, year in keys]
    return (
        [nip for nip, _ in keys],
        [year for _, year in keys],
        [start for start, _ in bounds],
        [end for _, end in bounds],
    )


class LearningSource(Source):
    """Adapter for the e-learning database: the reads here, the writes Padu makes in ``writes``."""

    name = "learning"

    def __init__(self, config: SourceConfig, dsn: str) -> None:
        super().__init__(config, dsn)
        self.writes = LearningWrites(self)

    async def courses_by_id(self, ids: Sequence[int]) -> list[Course]:
        query = f"SELECT {_COURSE_COLUMNS} FROM {_COURSE_FROM} WHERE c.id = ANY($1::bigint[])"
        return [_course(r) for r in await self.fetch(query, list(ids))]

    async def list_courses(self, limit: int, after_id: int | None) -> list[Course]:
        """Visible courses in id order, after the keyset cursor."""
        clause = _visible()
        if after_id is not None:
            clause.add(f"c.id > {clause.param(after_id)}")
        query = f"""
            SELECT {_COURSE_COLUMNS} FROM {_COURSE_FROM}
            WHERE {clause.sql} ORDER BY c.id LIMIT {clause.param(limit)}
        """
        return [_course(r) for r in await self.fetch(query, *clause.args)]

    async def page_courses(self, limit: int, after_id: int | None) -> tuple[list[Course], int]:
        """Like ``list_courses``, with the number of visible courses in the same round trip."""
        clause = _visible()
        after = None if after_id is None else f"c.id > {clause.param(after_id)}"
        query = page_with_total(
            columns=_COURSE_COLUMNS,
            tables=_COURSE_FROM,
            where=clause,
            after=after,
            order="c.id",
            limit=limit,
        )
        return counted_page(await self.fetch(query, *clause.args), _course)

    async def totals(self, keys: Sequence[tuple[str, int]]) -> list[LearningTotal]:
        """JP completed by each officer (NIP, stored as Moodle ``idnumber``) in each year."""
        query = f"""
            SELECT k.nip, k.tahun,
                   coalesce(sum(c.jp), 0) AS jp, count(c.course_id) AS selesai
            FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[])
                 AS k(nip, tahun, mulai, akhir)
            LEFT JOIN mdl_user u ON u.idnumber = k.nip AND u.deleted = 0
            LEFT JOIN mdl_course_completions cc ON cc.userid = u.id
                 AND cc.timecompleted >= k.mulai AND cc.timecompleted < k.akhir
            LEFT JOIN (SELECT {_COURSE_COLUMNS} FROM {_COURSE_FROM}) c ON c.course_id = cc.course
            GROUP BY k.nip, k.tahun
        """
        return [
            LearningTotal(
                officer_nip=r["nip"],
                year=r["tahun"],
                jp_completed=int(r["jp"]),
                courses_completed=int(r["selesai"]),
            )
            for r in await self.fetch(query, *_years(keys))
        ]

    async def compliant_officers(self, year: int, required: int) -> list[str]:
        """NIPs of the officers whose completions in ``year`` carry at least ``required`` JP."""
        start, end = year_bounds(year)
        query = f"""
            SELECT u.idnumber AS nip
            FROM mdl_course_completions cc
            JOIN mdl_user u ON u.id = cc.userid AND u.deleted = 0 AND u.idnumber <> ''
            JOIN (SELECT {_COURSE_COLUMNS} FROM {_COURSE_FROM}) c ON c.course_id = cc.course
            WHERE cc.timecompleted >= $1 AND cc.timecompleted < $2
            GROUP BY u.idnumber
            HAVING sum(c.jp) >= $3
        """
        return [r["nip"] for r in await self.fetch(query, start, end, required)]

    async def enrollments_by_officer(
        self, keys: Sequence[tuple[str, int]]
    ) -> list[tuple[str, int, Enrollment]]:
        """Enrolments each officer started or completed in each year, oldest first."""
        query = f"""
            SELECT k.nip AS key_nip, k.tahun, {_ENROLLMENT_COLUMNS}
            FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[])
                 AS k(nip, tahun, mulai, akhir)
            JOIN ({_ENROLLMENT_FROM}) ON u.idnumber = k.nip
            WHERE (ue.timecreated >= k.mulai AND ue.timecreated < k.akhir)
               OR (cc.timecompleted >= k.mulai AND cc.timecompleted < k.akhir)
            ORDER BY k.nip, ue.timecreated, ue.id
        """
        return [
            (r["key_nip"], r["tahun"], _enrollment(r))
            for r in await self.fetch(query, *_years(keys))
        ]

    async def enrollments_by_id(self, ids: Sequence[int]) -> list[Enrollment]:
        query = (
            f"SELECT {_ENROLLMENT_COLUMNS} FROM {_ENROLLMENT_FROM} WHERE ue.id = ANY($1::bigint[])"
        )
        return [_enrollment(r) for r in await self.fetch(query, list(ids))]

    async def enrollments_by_course(
        self,
        course_ids: Sequence[int],
        limit: int,
        after_id: int | None,
        learners: tuple[str, ...] | None,
    ) -> list[Ranked[Enrollment]]:
        """Each course's first ``limit`` enrolments in enrolment order, with each course's total.

        ``learners`` (NIPs) is the caller's scope: only their enrolments count (None: all).
        """
        clause = Where()
        clause.add(f"c.id = ANY({clause.param(list(course_ids))}::bigint[])")
        if learners is not None:
            clause.add(f"u.idnumber = ANY({clause.param(list(learners))}::text[])")
        after = None if after_id is None else f"ue.id > {clause.param(after_id)}"
        query = page_per_parent(
            columns=_ENROLLMENT_COLUMNS,
            tables=_ENROLLMENT_FROM,
            parent="c.id",
            where=clause,
            after=after,
            order="ue.id",
            limit=limit,
        )
        return ranked(await self.fetch(query, *clause.args), _enrollment)
