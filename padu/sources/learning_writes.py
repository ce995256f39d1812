"""The writes Padu makes to e-learning: enrolments and completions (which credit JP)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

if TYPE_CHECKING:
    from padu.sources.learning import LearningSource


class NotEnrolled(Exception):
    """The learner has no enrolment in the course."""


class AlreadyDone(Exception):
    """The enrolment or completion exists already: the write did nothing."""


class AccountGone(Exception):
    """The e-learning account is no longer the officer's (deleted or renumbered)."""


async def _hold_account(connection: asyncpg.Connection, user_id: int, nip: str) -> None:
    """Keep the account the caller was authorised on as the officer's until the write commits."""
    held = await connection.fetchval(
        "SELECT id FROM mdl_user WHERE id = $1 AND idnumber = $2 AND deleted = 0 FOR SHARE",
        user_id, nip,
    )  # fmt: skip
    if held is None:
        raise AccountGone(nip)


class LearningWrites:
    """Keyed writes to the Moodle-like tables, each in one transaction
    (``LearningSource.writes``)."""

    def __init__(self, source: LearningSource) -> None:
        self.source = source

    async def user_id(self, nip: str) -> int | None:
        """The e-learning account of an officer (Moodle keeps the NIP in ``idnumber``)."""
        rows = await self.source.fetch(
            "SELECT id FROM mdl_user WHERE idnumber = $1 AND deleted = 0 ORDER BY id LIMIT 1", nip
        )
        return int(rows[0]["id"]) if rows else None

    async def enrol(self, key: str, nip: str, user_id: int, course_id: int, at: datetime) -> int:
        """Enrol the officer's account (manual enrolment); returns the enrolment id."""
        epoch = int(at.timestamp())
        async with self.source.write(key) as connection:
            await _hold_account(connection, user_id, nip)
            enrol_id = await connection.fetchval(
                """INSERT INTO mdl_enrol (enrol, courseid) VALUES ('manual', $1)
                   ON CONFLICT (enrol, courseid) DO UPDATE SET enrol = EXCLUDED.enrol
                   RETURNING id""",
                course_id,
            )
            enrolment_id = await connection.fetchval(
                """INSERT INTO mdl_user_enrolments (enrolid, userid, timecreated)
                   VALUES ($1, $2, $3) ON CONFLICT (enrolid, userid) DO NOTHING RETURNING id""",
                enrol_id, user_id, epoch,
            )  # fmt: skip
            if enrolment_id is None:
                raise AlreadyDone(course_id)
            await connection.execute(
                """INSERT INTO mdl_course_completions (userid, course, timeenrolled)
                   VALUES ($1, $2, $3) ON CONFLICT (userid, course) DO NOTHING""",
                user_id, course_id, epoch,
            )  # fmt: skip
        return int(enrolment_id)

    async def complete(self, key: str, nip: str, user_id: int, course_id: int, at: datetime) -> int:
        """Record the officer's completion; returns the enrolment id.

        Raises AccountGone, NotEnrolled or AlreadyDone.
        """
        epoch = int(at.timestamp())
        async with self.source.write(key) as connection:
            await _hold_account(connection, user_id, nip)
            enrolment_id = await connection.fetchval(
                """SELECT ue.id FROM mdl_user_enrolments ue JOIN mdl_enrol e ON e.id = ue.enrolid
                   WHERE ue.userid = $1 AND e.courseid = $2 ORDER BY ue.id LIMIT 1""",
                user_id, course_id,
            )  # fmt: skip
            if enrolment_id is None:
                raise NotEnrolled(course_id)
            completed = await connection.fetchval(
                """INSERT INTO mdl_course_completions (userid, course, timeenrolled,
                                                     timestarted, timecompleted)
                   VALUES ($1, $2, $3, $3, $3)
                   ON CONFLICT (userid, course) DO UPDATE
                       SET timecompleted = EXCLUDED.timecompleted
                       WHERE mdl_course_completions.timecompleted IS NULL
                   RETURNING id""",
                user_id, course_id, epoch,
            )  # fmt: skip
            if completed is None:
                raise AlreadyDone(course_id)
        return int(enrolment_id)
