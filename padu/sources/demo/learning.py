"""e-learning (Moodle-like) demo data: users, courses with JP, enrolments and completions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from padu.sources.demo.performance import Officer, Staff
from padu.sources.demo.world import (
    CHUNK_ROWS,
    WIB,
    Chunk,
    Row,
    Table,
    World,
    chunks,
    epoch,
    office_time,
    person_name,
    random_day,
    stochastic_round,
)

MDL_USER = Table(
    "learning",
    "mdl_user",
    ("id", "username", "firstname", "lastname", "email", "idnumber", "deleted"),
    serial="id",
)
MDL_COURSE = Table(
    "learning",
    "mdl_course",
    ("id", "fullname", "shortname", "summary", "visible", "startdate"),
    serial="id",
)
MDL_CUSTOMFIELD_FIELD = Table(
    "learning",
    "mdl_customfield_field",
    ("id", "shortname", "name", "type"),
    serial="id",
)
MDL_CUSTOMFIELD_DATA = Table(
    "learning",
    "mdl_customfield_data",
    ("fieldid", "instanceid", "intvalue", "value"),
)
MDL_ENROL = Table("learning", "mdl_enrol", ("id", "enrol", "courseid"), serial="id")
MDL_USER_ENROLMENTS = Table(
    "learning",
    "mdl_user_enrolments",
    ("enrolid", "userid", "timecreated"),
)
MDL_COURSE_COMPLETIONS = Table(
    "learning",
    "mdl_course_completions",
    ("userid", "course", "timeenrolled", "timestarted", "timecompleted"),
)
TABLES = (
    MDL_USER,
    MDL_COURSE,
    MDL_CUSTOMFIELD_FIELD,
    MDL_CUSTOMFIELD_DATA,
    MDL_ENROL,
    MDL_USER_ENROLMENTS,
    MDL_COURSE_COMPLETIONS,
)

REQUIRED_JP = 20
"""Learning hours every ASN must complete each year."""

# (title, short code, mandatory)
_TOPICS = (
    ("Orientasi PPPK", "ORPPPK", True),
    ("Core Values ASN BerAKHLAK", "AKHLAK", True),
    ("Pendidikan Anti-Korupsi", "ANTIKOR", True),
    ("Penyusunan SKP dan Manajemen Kinerja", "SKP", True),
    ("Keamanan Informasi dan Pelindungan Data Pribadi", "KAMINFO", True),
    ("Pelayanan Publik Prima", "PPP", False),
    ("Literasi Digital ASN", "LITDIG", False),
    ("Manajemen ASN", "MASN", False),
    ("Tata Naskah Dinas Elektronik", "TNDE", False),
    ("Sistem Pemerintahan Berbasis Elektronik", "SPBE", False),
    ("Analisis Data dengan Spreadsheet", "DATA", False),
    ("Komunikasi Publik dan Media Sosial Pemerintah", "KOMPUB", False),
    ("Pengadaan Barang/Jasa Pemerintah", "PBJ", False),
    ("Penyusunan Rencana Kerja Perangkat Daerah", "RENJA", False),
    ("Pengelolaan Keuangan Daerah", "KEUDA", False),
    ("Kepemimpinan Pengawas", "PKP", False),
    ("Moderasi Beragama", "MODERASI", False),
    ("Pengarusutamaan Gender", "PUG", False),
    ("Manajemen Risiko Sektor Publik", "MRISK", False),
    ("Administrasi Kependudukan untuk Petugas Kelurahan", "ADMINDUK", False),
    ("Penanganan Pengaduan Masyarakat SP4N-LAPOR!", "LAPOR", False),
    ("Keselamatan dan Kesehatan Kerja", "K3", False),
    ("Penulisan Laporan dan Telaahan Staf", "TELAAHAN", False),
    ("Budaya Kerja dan Inovasi Pelayanan", "INOVASI", False),
)
_JP = (2, 3, 4, 6, 8, 10, 12, 16, 20, 24)
_JP_WEIGHTS = (8, 6, 14, 14, 16, 10, 12, 8, 6, 6)
# Site accounts Moodle always has, plus facilitators who are not city officers.
_SITE_USERS = (("guest", "Guest", "User"), ("admin", "Admin", "TGU"))
_FACILITATORS = 3


@dataclass(frozen=True)
class _Course:
    id: int
    title: str
    shortname: str
    jp: int
    mandatory: bool
    start: date


def generate(world: World, crew: Staff) -> Iterator[Chunk]:
    """Yield users, courses with their JP and mandatory fields, enrolments and completions."""
    rng = world.rng("learning")
    users = _users(rng, world, crew)
    yield from chunks(MDL_USER, users)
    courses = _courses(rng, world)
    yield (
        MDL_COURSE,
        [
            (
                c.id,
                c.title,
                c.shortname,
                f"Pelatihan {'wajib' if c.mandatory else 'pilihan'} ASN "
                f"{world.region.name}, {c.jp} JP.",
                1,
                epoch(datetime.combine(c.start, time(), WIB)),
            )
            for c in courses
        ],
    )
    yield (
        MDL_CUSTOMFIELD_FIELD,
        [
            (1, "jp", "Jam Pelajaran (JP)", "text"),
            (2, "wajib", "Pelatihan wajib", "checkbox"),
        ],
    )
    yield (
        MDL_CUSTOMFIELD_DATA,
        [
            row
            for c in courses
            for row in (
                (1, c.id, c.jp, str(c.jp)),
                (2, c.id, int(c.mandatory), str(int(c.mandatory))),
            )
        ],
    )
    yield MDL_ENROL, [(c.id, "manual", c.id) for c in courses]
    per_officer = world.scale.enrollments / len(crew.officers)
    first_officer_id = len(users) - len(crew.officers) + 1
    enrolments: list[Row] = []
    completions: list[Row] = []
    horizon = epoch(world.horizon)
    for user_id, officer in enumerate(crew.officers, start=first_officer_id):
        for course, enrolled, completed in _history(rng, world, officer, courses, per_officer):
            started = 0
            if completed or rng.random() < 0.6:
                started = min(enrolled + rng.randint(60, 3 * 3600), horizon)
            enrolments.append((course.id, user_id, enrolled))
            completions.append((user_id, course.id, enrolled, started, completed))
        if len(enrolments) >= CHUNK_ROWS:
            yield MDL_USER_ENROLMENTS, enrolments
            yield MDL_COURSE_COMPLETIONS, completions
            enrolments, completions = [], []
    yield MDL_USER_ENROLMENTS, enrolments
    yield MDL_COURSE_COMPLETIONS, completions


def _users(rng: random.Random, world: World, crew: Staff) -> list[Row]:
    rows: list[Row] = [
        (i, username, first, last, f"{username}@{world.domain}", "", 0)
        for i, (username, first, last) in enumerate(_SITE_USERS, start=1)
    ]
    for _ in range(_FACILITATORS):
        given, family = person_name(rng, rng.random() < 0.5)
        username = f"fasilitator.{given.lower()}{len(rows)}"
        rows.append(
            (len(rows) + 1, username, given, family or given, f"{username}@gmail.com", "", 0)
        )
    first_id = len(rows) + 1
    rows.extend(
        (
            first_id + i,
            o.nip,
            o.first_name,
            o.last_name,
            f"{o.first_name.lower()}.{o.nip[-6:]}@{world.domain}",
            o.nip,
            0,
        )
        for i, o in enumerate(crew.officers)
    )
    return rows


def _courses(rng: random.Random, world: World) -> list[_Course]:
    result = []
    for i in range(world.scale.courses):
        title, code, mandatory = _TOPICS[i % len(_TOPICS)]
        batch = i // len(_TOPICS) + 1
        # Most courses opened early last year; a fifth opened during this year.
        if rng.random() < 0.8:
            start = random_day(rng, world.start, world.start + timedelta(days=80))
        else:
            start = random_day(
                rng, date(world.as_of.year, 1, 1), min(date(world.as_of.year, 6, 30), world.as_of)
            )
        result.append(
            _Course(
                i + 1,
                title if batch == 1 else f"{title} Angkatan {batch}",
                f"{code}-{batch:02d}",
                rng.choices(_JP, _JP_WEIGHTS)[0],
                mandatory,
                start,
            )
        )
    return result


def _history(
    rng: random.Random,
    world: World,
    officer: Officer,
    courses: list[_Course],
    per_officer: float,
) -> list[tuple[_Course, int, int | None]]:
    """An officer's (course, enrolled, completed) history over both years.

    Each year the officer either means to reach the required JP or stays short of it, which
    keeps the compliance share near a half instead of leaving it to chance.
    """
    taken: set[int] = set()
    history: list[tuple[_Course, int, int | None]] = []
    for year in (world.as_of.year - 1, world.as_of.year):
        first, last = date(year, 1, 1), min(date(year, 12, 31), officer.serves_until)
        compliant = rng.random() < (0.65 if year < world.as_of.year else 0.5)
        if compliant:
            target = REQUIRED_JP + rng.choice((0, 0, 0, 4, 8, 16))
        else:
            target = rng.randint(0, REQUIRED_JP - 1)
        total = 0
        for course in rng.sample(courses, min(len(courses), 15)):
            if compliant and total >= target:
                break
            opens = max(first, course.start)
            if (
                course.id in taken
                or (last - opens).days < 2
                or (not compliant and total + course.jp > target)
            ):
                continue
            enrolled = random_day(rng, opens, last - timedelta(days=1))
            completed = enrolled + timedelta(days=rng.randint(1, min(45, (last - enrolled).days)))
            taken.add(course.id)
            total += course.jp
            history.append((course, _moment(rng, enrolled), _moment(rng, completed)))
    # Fill up to the scale's enrolment count with courses begun but not (yet) finished.
    goal = len(history) + stochastic_round(rng, max(0.0, per_officer - len(history)))
    for course in rng.sample(courses, min(len(courses), goal)):
        opens = max(world.start, course.start)
        if len(history) >= goal:
            break
        if course.id in taken or opens >= officer.serves_until:
            continue
        taken.add(course.id)
        history.append((course, _moment(rng, random_day(rng, opens, officer.serves_until)), None))
    return history


def _moment(rng: random.Random, day: date) -> int:
    """Epoch seconds during the learning day (07:00-22:00 WIB, so the UTC date is the same)."""
    return epoch(office_time(rng, day, 7, 22))
