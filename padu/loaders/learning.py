"""DataLoaders over the e-learning system."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from padu.loaders.base import ByKeyLoader, ManyByKeyLoader, PageByParentLoader
from padu.sources.base import Ranked
from padu.sources.learning import Course, Enrollment, LearningSource, LearningTotal

OfficerYear = tuple[str, int]


@dataclass(frozen=True, slots=True)
class EnrollmentPageArgs:
    """Page size and cursor (an enrolment id) of a course's enrolment list."""

    limit: int
    after: int | None


class CourseByIdLoader(ByKeyLoader[int, Course]):
    """Courses by id."""

    source: LearningSource
    source_name = "learning"

    async def fetch(self, keys: Sequence[int]) -> Sequence[Course]:
        return await self.source.courses_by_id(keys)

    def key_of(self, item: Course) -> int:
        return item.id


class LearningTotalByOfficerLoader(ByKeyLoader[OfficerYear, LearningTotal]):
    """JP completed by (NIP, year)."""

    source: LearningSource
    source_name = "learning"

    async def fetch(self, keys: Sequence[OfficerYear]) -> Sequence[LearningTotal]:
        return await self.source.totals(keys)

    def key_of(self, item: LearningTotal) -> OfficerYear:
        return (item.officer_nip, item.year)


class EnrollmentsByOfficerLoader(ManyByKeyLoader[OfficerYear, Enrollment]):
    """Enrolments an officer started or completed in a year."""

    source: LearningSource
    source_name = "learning"

    async def fetch(self, keys: Sequence[OfficerYear]) -> Sequence[tuple[OfficerYear, Enrollment]]:
        rows = await self.source.enrollments_by_officer(keys)
        return [((nip, year), enrollment) for nip, year, enrollment in rows]


class EnrollmentsByCourseLoader(PageByParentLoader[int, EnrollmentPageArgs, Enrollment]):
    """A page of each course's enrolments."""

    source: LearningSource
    source_name = "learning"

    async def fetch(
        self, parents: Sequence[int], arguments: EnrollmentPageArgs
    ) -> Sequence[Ranked[Enrollment]]:
        learners = await self.scopes.learners()
        return await self.source.enrollments_by_course(
            parents, arguments.limit, arguments.after, learners
        )

    def parent_of(self, item: Enrollment) -> int:
        return item.course.id
