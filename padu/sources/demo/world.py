"""What the four demo sources share: scale, calendar, names and seeded random streams."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from faker.providers.address.id_ID import Provider as FakerAddress
from faker.providers.person.id_ID import Provider as FakerPerson

from padu.region import Region

WIB = timezone(timedelta(hours=7), "WIB")
"""Asia/Jakarta; it has no daylight saving, so a fixed offset is exact and needs no tzdata."""

CHUNK_ROWS = 10_000
"""Rows per COPY batch: large enough for COPY throughput, small enough to bound memory."""

Row = tuple[object, ...]


@dataclass(frozen=True)
class Scale:
    """How much demo data to generate."""

    residents: int
    officers: int
    service_requests: int
    activities: int  # routine e-Kinerja entries; credits for resolved tickets come on top
    courses: int
    enrollments: int


SCALES: dict[str, Scale] = {
    "test": Scale(
        residents=300,
        officers=60,
        service_requests=400,
        activities=1_200,
        courses=12,
        enrollments=400,
    ),
    "demo": Scale(
        residents=20_000,
        officers=500,
        service_requests=30_000,
        activities=50_000,
        courses=60,
        enrollments=5_000,
    ),
    "city": Scale(
        residents=1_900_000,
        officers=20_000,
        service_requests=1_000_000,
        activities=2_000_000,
        courses=300,
        enrollments=200_000,
    ),
}


@dataclass(frozen=True)
class Table:
    """A demo table: its source, name, COPY column order and the id column we fill ourselves."""

    source: str
    name: str
    columns: tuple[str, ...]
    serial: str | None = None


Chunk = tuple[Table, list[Row]]


@dataclass(frozen=True)
class World:
    """The fixed inputs of one seeding run; everything generated is a function of these."""

    region: Region
    scale: Scale
    seed: int
    as_of: date

    def rng(self, stream: str) -> random.Random:
        """An independent random stream, so one source's draws never shift another's data."""
        return random.Random(f"{self.seed}/{stream}")

    @property
    def start(self) -> date:
        """First day of the data window: 1 January of the year before ``as_of``."""
        return date(self.as_of.year - 1, 1, 1)

    @property
    def horizon(self) -> datetime:
        """The latest moment anything has happened: the end of ``as_of``."""
        return datetime.combine(self.as_of, time(23, 59, 59), WIB)

    @property
    def short_name(self) -> str:
        """The region's name without "Kota"/"Kabupaten", e.g. ``Tangerang``."""
        return self.region.name.split(" ", 1)[-1]

    @property
    def domain(self) -> str:
        """The government web domain, e.g. ``tangerangkota.go.id``."""
        kind = "kota" if self.region.name.startswith("Kota") else "kab"
        return f"{self.short_name.lower().replace(' ', '')}{kind}.go.id"


def random_day(rng: random.Random, first: date, last: date) -> date:
    """A uniformly drawn day in ``[first, last]``."""
    return first + timedelta(days=rng.randint(0, (last - first).days))


def office_time(rng: random.Random, day: date, opens: int = 8, closes: int = 16) -> datetime:
    """A moment on ``day`` between ``opens`` and ``closes`` o'clock WIB."""
    seconds = rng.randint(opens * 3600, closes * 3600 - 1)
    return datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60), WIB)


def after(rng: random.Random, earlier: datetime, day: date) -> datetime:
    """An office-hours moment on ``day`` that is strictly later than ``earlier``."""
    moment = office_time(rng, day)
    if moment <= earlier:
        moment = earlier + timedelta(minutes=rng.randint(5, 120), seconds=rng.randint(0, 59))
    return moment


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age(birth: date, on: date) -> int:
    """Whole years from ``birth`` to ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def epoch(moment: datetime) -> int:
    """Unix seconds, as Moodle stores times."""
    return int(moment.timestamp())


def stochastic_round(rng: random.Random, value: float) -> int:
    """Round up with probability equal to the fraction, so totals match on average."""
    whole = int(value)
    return whole + (rng.random() < value - whole)


def person_name(rng: random.Random, female: bool) -> tuple[str, str]:
    """A given name and a (possibly empty) family name, drawn from Faker's ``id_ID`` names."""
    given: tuple[str, ...]
    family: tuple[str, ...]
    if female:
        given, family = FakerPerson.first_names_female, FakerPerson.last_names_female
    else:
        given, family = FakerPerson.first_names_male, FakerPerson.last_names_male
    # Many Indonesians carry a single name; roughly half have a second one.
    return rng.choice(given), rng.choice(family) if rng.random() < 0.55 else ""


STREETS: tuple[str, ...] = (
    *FakerAddress.streets,
    "Jenderal Sudirman",
    "Ahmad Yani",
    "Gatot Subroto",
    "Diponegoro",
    "M.H. Thamrin",
    "Imam Bonjol",
    "Teuku Umar",
    "Daan Mogot",
    "Merdeka",
    "Pembangunan",
    "Veteran",
    "Perintis Kemerdekaan",
    "K.H. Hasyim Ashari",
    "Raden Saleh",
    "Iskandar Muda",
)
CITIES: tuple[str, ...] = FakerAddress.cities


def chunks(table: Table, rows: Iterable[Row]) -> Iterator[Chunk]:
    """Batch ``rows`` into COPY-sized chunks for ``table``."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK_ROWS:
            yield table, batch
            batch = []
    if batch:
        yield table, batch


class Serials:
    """Next serial per (region prefix, DDMMYY) for NIK and KK numbers, starting at 1.

    Counts live in one compact array per prefix so the city scale (1.9M NIKs) stays small.
    """

    # YY x MM x DD, where a woman's NIK day runs up to 71 (day + 40).
    _SPAN = 100 * 12 * 71

    def __init__(self) -> None:
        self._counts: dict[str, array[int]] = {}

    def next(self, prefix: str, day: int, month: int, year: int) -> int:
        """Take the next serial for ``prefix`` and the DDMMYY part ``day``/``month``/``year``."""
        counts = self._counts.get(prefix)
        if counts is None:
            counts = self._counts[prefix] = array("H", bytes(2 * self._SPAN))
        slot = ((year % 100) * 12 + month - 1) * 71 + day - 1
        counts[slot] += 1
        return counts[slot]
