"""Mutations of e-learning: enrolling, and recording a completion (which credits the course's
JP in e-learning and logs a competency-development activity in e-Kinerja).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from padu.dispatcher import credit_effect
from padu.mutations.common import Payload, refused, replay, run
from padu.principal import Role
from padu.resolvers.entities import number_of
from padu.resolvers.info import Info
from padu.schema.scalars import NIP
from padu.sources.learning import WIB, Course
from padu.sources.learning_writes import AccountGone, AlreadyDone, NotEnrolled
from padu.sources.performance import ALL_OFFICERS, ActivityCategory
from padu.sources.performance_writes import Credit
from padu.writes import Call, UserError, Written

MINUTES_PER_JP = 45  # one Jam Pelajaran is 45 minutes of learning


def _subject(enrolment_id: int) -> str:
    return f"enrollment:{enrolment_id}"


async def _course(info: Info, course_id: str) -> Course:
    number = number_of(info.context, "Course", course_id)
    found = [] if number is None else await info.context.sources.learning.courses_by_id([number])
    if not found:
        raise UserError("NOT_FOUND", f"No course {course_id}.", "courseId")
    return found[0]


def _no_account(nip: str) -> UserError:
    return UserError("NOT_FOUND", f"Officer {nip} has no e-learning account.", "nip")


async def _account(info: Info, nip: str) -> int:
    user_id = await info.context.sources.learning.writes.user_id(nip)
    if user_id is None:
        raise _no_account(nip)
    return user_id


async def enroll_in_course(
    info: Info, course_id: strawberry.ID, client_mutation_id: str | None = None
) -> Payload:
    principal = info.context.viewer.principal
    call = Call.of("enrollInCourse", client_mutation_id, course_id=course_id)
    if earlier := await replay(info, call):
        return earlier
    try:
        nip = principal.subject
        assert nip is not None  # officers' tokens always name their NIP
        course = await _course(info, course_id)
        user_id = await _account(info, nip)
    except UserError as error:
        return refused(client_mutation_id, error)
    source = info.context.sources.learning

    async def write(key: str) -> Written:
        try:
            enrolment = await source.writes.enrol(key, nip, user_id, course.id, datetime.now(WIB))
        except AccountGone:
            raise _no_account(nip) from None
        except AlreadyDone:
            raise UserError(
                "ALREADY_ENROLLED", f"You are already enrolled in {course.title}.", "courseId"
            ) from None
        return Written(_subject(enrolment))

    return await run(info, call, owning=source, subject=f"course:{course.id}", write=write)


async def record_course_completion(
    info: Info,
    course_id: strawberry.ID,
    nip: NIP,
    completed_at: datetime,
    client_mutation_id: str | None = None,
) -> Payload:
    context, viewer = info.context, info.context.viewer
    call = Call.of(
        "recordCourseCompletion",
        client_mutation_id,
        course_id=course_id,
        nip=nip,
        completed_at=completed_at,
    )
    if earlier := await replay(info, call):
        return earlier
    try:
        if completed_at.tzinfo is None:
            raise UserError("BAD_USER_INPUT", "Give completedAt with a time zone.", "completedAt")
        if completed_at > datetime.now(WIB):
            raise UserError("BAD_USER_INPUT", "completedAt is in the future.", "completedAt")
        if viewer.role is Role.SUPERVISOR:
            officers = await context.sources.performance.officers_by_nip([nip], ALL_OFFICERS)
            if not officers or officers[0].unit.code != viewer.unit:
                raise UserError("FORBIDDEN", "Record completions for your own unit.", "nip")
        course = await _course(info, course_id)
        user_id = await _account(info, nip)
    except UserError as error:
        return refused(client_mutation_id, error)
    credit = Credit(
        nip=nip,
        date=completed_at.astimezone(WIB).date(),
        description=f"Menyelesaikan pelatihan {course.title} ({course.jp} JP)",
        category=ActivityCategory.COMPETENCY_DEVELOPMENT,
        minutes=course.jp * MINUTES_PER_JP,
        evidence=f"e-learning:{course.short_name}",
    )
    effect = credit_effect(f"kompetensi:{course.id}:{nip}", credit, f"course:{course.id}:{nip}")
    source = context.sources.learning

    async def write(key: str) -> Written:
        try:
            enrolment = await source.writes.complete(key, nip, user_id, course.id, completed_at)
        except AccountGone:
            raise _no_account(nip) from None
        except NotEnrolled:
            raise UserError(
                "NOT_ENROLLED", f"Officer {nip} is not enrolled in {course.title}.", "courseId"
            ) from None
        except AlreadyDone:
            raise UserError(
                "CONFLICT", f"Officer {nip} already completed {course.title}.", "courseId"
            ) from None
        # The account that completed it is the officer's (held by the write): theirs the credit.
        return Written(_subject(enrolment), [effect])

    return await run(
        info,
        call,
        owning=source,
        subject=f"course:{course.id}:{nip}",
        write=write,
        owed=[effect],
    )
