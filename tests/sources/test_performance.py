"""PerformanceSource (e-Kinerja) against the fixed dataset: officers, units, activities, ratings."""

from __future__ import annotations

from datetime import date

import pytest

from padu.sources import Sources
from padu.sources.base import Ranked
from padu.sources.performance import (
    ALL_OFFICERS,
    Activity,
    ActivityCategory,
    EmploymentType,
    Officer,
    OfficerFilter,
    PerformancePeriod,
    PerformanceSummary,
    Predicate,
    Rating,
    Unit,
    UnitKind,
)
from padu.sources.trace import SourceCount, SourceTrace
from tests.data import AGUS, HENDRA, JOKO, MAYA

UNKNOWN_NIP = "199912312020121999"

DISDUKCAPIL = Unit("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", UnitKind.AGENCY)
DISKOMINFO = Unit("DISKOMINFO", "Dinas Komunikasi dan Informatika", UnitKind.AGENCY)
KEC_01 = Unit("KEC-01", "Kecamatan Tangerang", UnitKind.DISTRICT_OFFICE)

OFFICERS = {
    AGUS: Officer(
        nip=AGUS,
        full_name="Agus Setiawan",
        position="Verifikator Dokumen Kependudukan",
        employment_type=EmploymentType.PNS,
        grade="III/c",
        active=True,
        unit=DISDUKCAPIL,
    ),
    MAYA: Officer(
        nip=MAYA,
        full_name="Maya Sari",
        position="Pranata Komputer",
        employment_type=EmploymentType.PNS,
        grade="III/a",
        active=True,
        unit=DISKOMINFO,
    ),
    JOKO: Officer(
        nip=JOKO,
        full_name="Joko Prasetyo",
        position="Staf Pelayanan",
        employment_type=EmploymentType.PPPK,
        grade="IX",
        active=True,
        unit=KEC_01,
    ),
    HENDRA: Officer(
        nip=HENDRA,
        full_name="Hendra Gunawan",
        position="Kepala Dinas",
        employment_type=EmploymentType.PNS,
        grade="IV/c",
        active=False,
        unit=DISDUKCAPIL,
    ),
}

BY_NIP = [HENDRA, AGUS, JOKO, MAYA]

ACTIVITIES = {
    1: Activity(
        id=1,
        officer_nip=AGUS,
        date=date(2026, 1, 7),
        description="Menyelesaikan LKS-2026-000001",
        category=ActivityCategory.PUBLIC_SERVICE,
        minutes=30,
        evidence="LKS-2026-000001",
        ticket_number="LKS-2026-000001",
    ),
    2: Activity(
        id=2,
        officer_nip=AGUS,
        date=date(2026, 2, 3),
        description="Rapat koordinasi",
        category=ActivityCategory.DUTY,
        minutes=120,
        evidence="ND/12/DISDUKCAPIL/2026",
        ticket_number=None,
    ),
    3: Activity(
        id=3,
        officer_nip=AGUS,
        date=date(2026, 3, 30),
        description="Pelatihan Pelayanan Publik Prima",
        category=ActivityCategory.COMPETENCY_DEVELOPMENT,
        minutes=540,
        evidence=None,
        ticket_number=None,
    ),
    4: Activity(
        id=4,
        officer_nip=AGUS,
        date=date(2026, 8, 14),
        description="Verifikasi berkas",
        category=ActivityCategory.DUTY,
        minutes=90,
        evidence=None,
        ticket_number=None,
    ),
    5: Activity(
        id=5,
        officer_nip=AGUS,
        date=date(2025, 11, 2),
        description="Verifikasi berkas",
        category=ActivityCategory.DUTY,
        minutes=60,
        evidence=None,
        ticket_number=None,
    ),
    6: Activity(
        id=6,
        officer_nip=MAYA,
        date=date(2026, 1, 20),
        description="Pemeliharaan server",
        category=ActivityCategory.DUTY,
        minutes=240,
        evidence=None,
        ticket_number=None,
    ),
}


def officers(*nips: str) -> list[Officer]:
    return [OFFICERS[nip] for nip in nips]


def ranked_officers(total: int, *nips: str) -> list[Ranked[Officer]]:
    return [Ranked(OFFICERS[nip], total, in_page=True) for nip in nips]


def ranked_activities(total: int, *ids: int) -> list[Ranked[Activity]]:
    return [Ranked(ACTIVITIES[i], total, in_page=True) for i in ids]


def one_trip(rows: int) -> dict[str, SourceCount]:
    return {"performance": SourceCount(round_trips=1, rows=rows)}


async def test_officers_by_nip_with_their_unit(sources: Sources, trace: SourceTrace) -> None:
    found = await sources.performance.officers_by_nip([JOKO, UNKNOWN_NIP, HENDRA], ALL_OFFICERS)

    assert sorted(found, key=lambda o: o.nip) == officers(HENDRA, JOKO)
    assert trace.counts == one_trip(rows=2)


async def test_units_in_code_order(sources: Sources, trace: SourceTrace) -> None:
    assert await sources.performance.units() == [DISDUKCAPIL, DISKOMINFO, KEC_01]
    assert trace.counts == one_trip(rows=3)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(OfficerFilter(), BY_NIP, id="everyone"),
        pytest.param(OfficerFilter(unit_code="DISDUKCAPIL"), [HENDRA, AGUS], id="unit"),
        pytest.param(OfficerFilter(unit_code="NOPE"), [], id="unknown-unit"),
        pytest.param(OfficerFilter(name="SARI"), [MAYA], id="name-any-case"),
        pytest.param(OfficerFilter(name="setia"), [AGUS], id="name-inside"),
        pytest.param(OfficerFilter(name="%"), [], id="percent-is-literal"),
        pytest.param(OfficerFilter(name="_"), [], id="underscore-is-literal"),
        pytest.param(OfficerFilter(employment_type=EmploymentType.PPPK), [JOKO], id="pppk"),
        pytest.param(OfficerFilter(employment_type=EmploymentType.NON_ASN), [], id="non-asn"),
        pytest.param(OfficerFilter(active=False), [HENDRA], id="inactive"),
        pytest.param(OfficerFilter(active=True), [AGUS, JOKO, MAYA], id="active"),
        pytest.param(
            OfficerFilter(unit_code="DISDUKCAPIL", active=True, employment_type=EmploymentType.PNS),
            [AGUS],
            id="combined",
        ),
    ],
)
async def test_list_and_page_officers_filter(
    sources: Sources, trace: SourceTrace, where: OfficerFilter, expected: list[str]
) -> None:
    assert await sources.performance.list_officers(where, 10, None, ALL_OFFICERS) == officers(
        *expected
    )
    assert trace.counts == one_trip(rows=len(expected))

    paged = await sources.performance.page_officers(where, 10, None, ALL_OFFICERS)
    assert paged == (officers(*expected), len(expected))
    # The counted page answers at least one row, which carries the total.
    rows = len(expected) + max(len(expected), 1)
    assert trace.counts == {"performance": SourceCount(round_trips=2, rows=rows)}


async def test_list_officers_pages_by_nip_keyset(sources: Sources, trace: SourceTrace) -> None:
    performance, everyone = sources.performance, OfficerFilter()

    assert await performance.list_officers(everyone, 3, None, ALL_OFFICERS) == officers(
        HENDRA, AGUS, JOKO
    )
    assert await performance.list_officers(everyone, 3, JOKO, ALL_OFFICERS) == officers(MAYA)
    assert await performance.list_officers(everyone, 3, MAYA, ALL_OFFICERS) == []
    assert trace.counts == {"performance": SourceCount(round_trips=3, rows=4)}


async def test_page_officers_gives_the_page_and_the_total_in_one_round_trip(
    sources: Sources, trace: SourceTrace
) -> None:
    performance = sources.performance

    assert await performance.page_officers(OfficerFilter(), 2, AGUS, ALL_OFFICERS) == (
        officers(JOKO, MAYA),
        4,
    )
    assert await performance.page_officers(OfficerFilter(), 2, MAYA, ALL_OFFICERS) == ([], 4)
    assert await performance.page_officers(OfficerFilter(active=True), 1, None, ALL_OFFICERS) == (
        officers(AGUS),
        3,
    )
    assert await performance.page_officers(
        OfficerFilter(unit_code="NOPE"), 1, None, ALL_OFFICERS
    ) == ([], 0)
    # An empty page still answers one row, carrying the total.
    assert trace.counts == {"performance": SourceCount(round_trips=4, rows=5)}


async def test_officers_by_unit_gives_each_unit_a_page_and_total(
    sources: Sources, trace: SourceTrace
) -> None:
    rows = await sources.performance.officers_by_unit(
        ["KEC-01", "NOPE", "DISDUKCAPIL"], 10, None, ALL_OFFICERS
    )

    assert sorted(rows, key=lambda r: r.item.unit.code) == (
        ranked_officers(2, HENDRA, AGUS) + ranked_officers(1, JOKO)
    )
    assert trace.counts == one_trip(rows=3)


async def test_officers_by_unit_limit_and_after(sources: Sources, trace: SourceTrace) -> None:
    performance = sources.performance

    first = await performance.officers_by_unit(["DISDUKCAPIL"], 1, None, ALL_OFFICERS)
    second = await performance.officers_by_unit(["DISDUKCAPIL"], 1, HENDRA, ALL_OFFICERS)
    past_the_end = await performance.officers_by_unit(["DISDUKCAPIL"], 1, AGUS, ALL_OFFICERS)

    assert first == ranked_officers(2, HENDRA)
    assert second == ranked_officers(2, AGUS)
    assert past_the_end == [Ranked(OFFICERS[HENDRA], 2, in_page=False)]
    assert trace.counts == {"performance": SourceCount(round_trips=3, rows=3)}


async def test_activities_by_officer_newest_first_with_totals(
    sources: Sources, trace: SourceTrace
) -> None:
    rows = await sources.performance.activities_by_officer([MAYA, JOKO, AGUS], None, None, 10, None)

    assert sorted(rows, key=lambda r: r.item.officer_nip) == (
        ranked_activities(5, 4, 3, 2, 1, 5) + ranked_activities(1, 6)
    )
    assert trace.counts == one_trip(rows=6)


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        pytest.param(date(2026, 1, 1), None, [4, 3, 2, 1], id="from"),
        pytest.param(None, date(2026, 1, 7), [1, 5], id="to-inclusive"),
        pytest.param(date(2026, 1, 7), date(2026, 3, 30), [3, 2, 1], id="both-ends-inclusive"),
        pytest.param(date(2026, 1, 8), date(2026, 3, 29), [2], id="inside"),
        pytest.param(date(2027, 1, 1), None, [], id="none"),
    ],
)
async def test_activities_by_officer_date_range(
    sources: Sources,
    trace: SourceTrace,
    date_from: date | None,
    date_to: date | None,
    expected: list[int],
) -> None:
    rows = await sources.performance.activities_by_officer([AGUS], date_from, date_to, 10, None)

    # The total counts the activities within the dates.
    assert rows == ranked_activities(len(expected), *expected)
    assert trace.counts == one_trip(rows=len(expected))


async def test_activities_by_officer_keyset(sources: Sources, trace: SourceTrace) -> None:
    performance = sources.performance

    first = await performance.activities_by_officer([AGUS], None, None, 2, None)
    second = await performance.activities_by_officer([AGUS], None, None, 2, (date(2026, 3, 30), 3))
    in_range = await performance.activities_by_officer(
        [AGUS], date(2026, 1, 1), None, 2, (date(2026, 3, 30), 3)
    )

    assert first == ranked_activities(5, 4, 3)
    assert second == ranked_activities(5, 2, 1)
    assert in_range == ranked_activities(4, 2, 1)
    assert trace.counts == {"performance": SourceCount(round_trips=3, rows=6)}


def test_period_date_ranges() -> None:
    assert PerformancePeriod.Q1.date_range(2026) == (date(2026, 1, 1), date(2026, 4, 1))
    assert PerformancePeriod.Q2.date_range(2026) == (date(2026, 4, 1), date(2026, 7, 1))
    assert PerformancePeriod.Q3.date_range(2026) == (date(2026, 7, 1), date(2026, 10, 1))
    assert PerformancePeriod.Q4.date_range(2026) == (date(2026, 10, 1), date(2027, 1, 1))
    assert PerformancePeriod.FINAL.date_range(2026) == (date(2026, 1, 1), date(2027, 1, 1))


async def test_performance_per_period_with_activity_totals_and_ratings(
    sources: Sources, trace: SourceTrace
) -> None:
    q1, q2, q3, q4 = (
        PerformancePeriod.Q1,
        PerformancePeriod.Q2,
        PerformancePeriod.Q3,
        PerformancePeriod.Q4,
    )
    final = PerformancePeriod.FINAL
    keys = [
        (AGUS, 2026, q1),
        (AGUS, 2026, q2),
        (AGUS, 2026, q3),
        (AGUS, 2026, final),
        (AGUS, 2025, q4),
        (AGUS, 2025, final),
        (MAYA, 2026, q1),
        (HENDRA, 2026, q1),
        (UNKNOWN_NIP, 2026, q1),
    ]

    found = await sources.performance.performance(keys)

    def summary(
        nip: str,
        year: int,
        period: PerformancePeriod,
        ratings: tuple[Rating, Rating, Predicate] | None,
        count: int,
        minutes: int,
    ) -> PerformanceSummary:
        work, behaviour, predicate = ratings or (None, None, None)
        return PerformanceSummary(nip, year, period, work, behaviour, predicate, count, minutes)

    meets, above = Rating.MEETS_EXPECTATIONS, Rating.ABOVE_EXPECTATIONS
    below = Rating.BELOW_EXPECTATIONS
    # Unknown NIP: no row. Periods without a rating: null ratings, activities still counted.
    assert set(found) == {
        # 2026-03-30 is still in the first quarter.
        summary(AGUS, 2026, q1, (meets, meets, Predicate.GOOD), 3, 690),
        summary(AGUS, 2026, q2, None, 0, 0),
        summary(AGUS, 2026, q3, None, 1, 90),
        summary(AGUS, 2026, final, None, 4, 780),
        summary(AGUS, 2025, q4, None, 1, 60),
        summary(AGUS, 2025, final, (above, above, Predicate.VERY_GOOD), 1, 60),
        summary(MAYA, 2026, q1, (below, meets, Predicate.NEEDS_IMPROVEMENT), 1, 240),
        summary(HENDRA, 2026, q1, None, 0, 0),
    }
    assert len(found) == 8
    assert trace.counts == one_trip(rows=8)


async def test_active_asn_by_unit_leaves_out_inactive_officers(
    sources: Sources, trace: SourceTrace
) -> None:
    units = ["KEC-01", "NOPE", "DISDUKCAPIL", "DISKOMINFO"]

    found = await sources.performance.active_asn_by_unit(units)

    # Hendra (DISDUKCAPIL) is inactive; Joko is PPPK, which is ASN too.
    assert found == [("DISDUKCAPIL", AGUS), ("DISKOMINFO", MAYA), ("KEC-01", JOKO)]
    assert trace.counts == one_trip(rows=3)
