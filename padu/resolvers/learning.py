"""Resolvers for courses, enrolments and learning summaries."""

from __future__ import annotations

import strawberry

from padu.loaders.learning import (
    CourseByIdLoader,
    EnrollmentPageArgs,
    EnrollmentsByCourseLoader,
    EnrollmentsByOfficerLoader,
    LearningTotalByOfficerLoader,
)
from padu.loaders.performance import ActiveAsnByUnitLoader
from padu.resolvers.entities import number_of
from padu.resolvers.info import Info
from padu.resolvers.pagination import (
    CursorKind,
    list_connection,
    page_connection,
    page_request,
)
from padu.resolvers.performance import check_year
from padu.schema.pagination import Connection
from padu.sources import learning as records
from padu.sources import performance
from padu.sources.performance_stats import UnitCompliance

COURSE_CURSOR = CursorKind[records.Course]("course", (int,), lambda c: (c.id,))
ENROLLMENT_CURSOR = CursorKind[records.Enrollment]("enrollment", (int,), lambda e: (e.id,))


async def course(info: Info, id: strawberry.ID) -> records.Course | None:
    number = number_of(info.context, "Course", id)
    return None if number is None else await info.context.loaders[CourseByIdLoader].load(number)


async def courses(
    info: Info, first: int | None = 20, after: str | None = None
) -> Connection[records.Course]:
    request = page_request(info, first, after, COURSE_CURSOR)
    source = info.context.sources.learning
    position = request.after_part()
    return await list_connection(
        info,
        request,
        COURSE_CURSOR,
        page=lambda: source.list_courses(request.limit, position),
        counted_page=lambda: source.page_courses(request.limit, position),
    )


async def course_enrollments(
    root: records.Course, info: Info, first: int | None = 20, after: str | None = None
) -> Connection[records.Enrollment]:
    request = page_request(info, first, after, ENROLLMENT_CURSOR)
    arguments = EnrollmentPageArgs(limit=request.limit, after=request.after_part())
    page = await info.context.loaders[EnrollmentsByCourseLoader].load((root.id, arguments))
    return page_connection(page, request, ENROLLMENT_CURSOR)


def enrollment_completed(root: records.Enrollment) -> bool:
    return root.completed_at is not None


async def officer_learning(
    root: performance.Officer, info: Info, year: int
) -> records.LearningTotal | None:
    key = (root.nip, check_year(year))
    return await info.context.loaders[LearningTotalByOfficerLoader].load(key)


def jp_required(info: Info) -> int:
    return info.context.config.jp_required


def compliant(root: records.LearningTotal, info: Info) -> bool:
    return root.jp_completed >= info.context.config.jp_required


async def summary_enrollments(root: records.LearningTotal, info: Info) -> list[records.Enrollment]:
    key = (root.officer_nip, root.year)
    return await info.context.loaders[EnrollmentsByOfficerLoader].load(key)


async def unit_learning_compliance(
    root: performance.Unit, info: Info, year: int
) -> UnitCompliance | None:
    check_year(year)
    loaders = info.context.loaders
    nips = await loaders[ActiveAsnByUnitLoader].load(root.code)
    totals = await loaders[LearningTotalByOfficerLoader].load_many([(nip, year) for nip in nips])
    required = info.context.config.jp_required
    met = sum(1 for t in totals if t is not None and t.jp_completed >= required)
    return UnitCompliance(unit=root, year=year, officers=len(nips), compliant=met)
