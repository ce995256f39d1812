"""DataLoaders: concurrent loads batch into one round trip, results line up with the keys."""

from __future__ import annotations

import asyncio
from datetime import date

from padu.loaders import Loaders
from padu.loaders.base import Page
from padu.loaders.learning import (
    CourseByIdLoader,
    EnrollmentPageArgs,
    EnrollmentsByCourseLoader,
    EnrollmentsByOfficerLoader,
    LearningTotalByOfficerLoader,
)
from padu.loaders.performance import (
    ActiveAsnByUnitLoader,
    ActivitiesByOfficerLoader,
    ActivityPageArgs,
    OfficerByNipLoader,
    OfficerPageArgs,
    OfficersByUnitLoader,
    PerformanceByOfficerLoader,
)
from padu.loaders.population import (
    FamilyByNumberLoader,
    ResidentByNikLoader,
    ResidentsByFamilyLoader,
)
from padu.loaders.service_requests import (
    EventsByServiceRequestLoader,
    RequestPageArgs,
    ServiceRequestByIdLoader,
    ServiceRequestByTicketLoader,
    ServiceRequestsByAssigneeLoader,
    ServiceRequestsByResidentLoader,
)
from padu.sources import Sources
from padu.sources.learning import LearningTotal
from padu.sources.performance import PerformancePeriod, Predicate
from padu.sources.service_requests import RequestStatus
from padu.sources.trace import SourceCount, SourceTrace
from tests.conftest import admin_scopes
from tests.data import (
    AGUS,
    AHMAD,
    ANDI,
    BUDI,
    DEWI,
    HENDRA,
    JOKO,
    KK_BUDI,
    KK_DEWI,
    MAYA,
    RUDI,
    SITI,
)
from tests.sources.test_learning import COURSES, ENROLLMENTS
from tests.sources.test_performance import ACTIVITIES, OFFICERS
from tests.sources.test_population import RESIDENTS
from tests.sources.test_service_requests import REQUESTS

UNKNOWN_NIK = "3671019999990009"
UNKNOWN_NIP = "199912312020121999"


def trips(**counts: tuple[int, int]) -> dict[str, SourceCount]:
    """Expected trace: source name → (round trips, rows)."""
    return {name: SourceCount(round_trips=n, rows=rows) for name, (n, rows) in counts.items()}


async def test_resident_by_nik_batches_concurrent_loads(
    loaders: Loaders, trace: SourceTrace
) -> None:
    loader = loaders[ResidentByNikLoader]

    found = list(
        await asyncio.gather(
            loader.load(BUDI), loader.load(UNKNOWN_NIK), loader.load(SITI), loader.load(BUDI)
        )
    )

    assert found == [RESIDENTS[BUDI], None, RESIDENTS[SITI], RESIDENTS[BUDI]]
    assert trace.counts == trips(population=(1, 2))


async def test_a_loaded_key_is_not_fetched_again_in_the_same_request(
    loaders: Loaders, trace: SourceTrace
) -> None:
    first = await loaders[ResidentByNikLoader].load(DEWI)
    again = await loaders[ResidentByNikLoader].load_many([DEWI, RUDI])

    assert first == RESIDENTS[DEWI]
    assert again == [RESIDENTS[DEWI], RESIDENTS[RUDI]]
    # The second batch asks only for the key not seen yet.
    assert trace.counts == trips(population=(2, 2))


async def test_each_request_gets_its_own_loaders(sources: Sources, trace: SourceTrace) -> None:
    one, other = Loaders(sources, admin_scopes(sources)), Loaders(sources, admin_scopes(sources))

    assert one[ResidentByNikLoader] is one[ResidentByNikLoader]
    assert one[ResidentByNikLoader] is not other[ResidentByNikLoader]
    assert await one[ResidentByNikLoader].load(AHMAD) == RESIDENTS[AHMAD]
    assert await other[ResidentByNikLoader].load(AHMAD) == RESIDENTS[AHMAD]
    assert trace.counts == trips(population=(2, 2))


async def test_loads_on_different_sources_cost_one_round_trip_each(
    loaders: Loaders, trace: SourceTrace
) -> None:
    found = list(
        await asyncio.gather(
            loaders[ResidentByNikLoader].load(BUDI),
            loaders[OfficerByNipLoader].load(AGUS),
            loaders[ResidentByNikLoader].load(DEWI),
            loaders[OfficerByNipLoader].load(MAYA),
        )
    )

    assert found == [RESIDENTS[BUDI], OFFICERS[AGUS], RESIDENTS[DEWI], OFFICERS[MAYA]]
    assert trace.counts == trips(population=(1, 2), performance=(1, 2))


async def test_residents_by_family(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[ResidentsByFamilyLoader]

    found = list(
        await asyncio.gather(loader.load(KK_DEWI), loader.load(UNKNOWN_NIK), loader.load(KK_BUDI))
    )

    assert found == [
        [RESIDENTS[DEWI], RESIDENTS[RUDI]],
        [],
        [RESIDENTS[BUDI], RESIDENTS[SITI], RESIDENTS[ANDI]],
    ]
    assert trace.counts == trips(population=(1, 5))


async def test_family_by_number(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[FamilyByNumberLoader]

    found = list(await asyncio.gather(loader.load(UNKNOWN_NIK), loader.load(KK_DEWI)))

    assert [f and (f.number, f.head_nik) for f in found] == [None, (KK_DEWI, DEWI)]
    assert trace.counts == trips(population=(1, 1))


async def test_service_request_by_id_and_by_ticket(loaders: Loaders, trace: SourceTrace) -> None:
    by_id, by_ticket = loaders[ServiceRequestByIdLoader], loaders[ServiceRequestByTicketLoader]

    found = list(
        await asyncio.gather(
            by_id.load(5),
            by_id.load(99),
            by_id.load(1),
            by_ticket.load("LKS-2025-000004"),
            by_ticket.load("LKS-2099-000001"),
        )
    )

    assert found == [REQUESTS[5], None, REQUESTS[1], REQUESTS[4], None]
    assert trace.counts == trips(service_requests=(2, 3))


async def test_events_by_service_request(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[EventsByServiceRequestLoader]

    found = list(await asyncio.gather(loader.load(4), loader.load(99), loader.load(5)))

    assert [[(e.id, e.status) for e in events] for events in found] == [
        [(9, RequestStatus.SUBMITTED), (10, RequestStatus.REJECTED)],
        [],
        [(11, RequestStatus.SUBMITTED), (12, RequestStatus.VERIFIED)],
    ]
    assert trace.counts == trips(service_requests=(1, 4))


async def test_service_requests_by_resident_one_round_trip_per_argument_set(
    loaders: Loaders, trace: SourceTrace
) -> None:
    loader = loaders[ServiceRequestsByResidentLoader]
    newest = RequestPageArgs(statuses=None, limit=1, after=None)
    resolved = RequestPageArgs(statuses=(RequestStatus.RESOLVED,), limit=10, after=None)

    found = list(
        await asyncio.gather(
            loader.load((BUDI, newest)),
            loader.load((DEWI, newest)),
            loader.load((AHMAD, newest)),
            loader.load((BUDI, resolved)),
            loader.load((DEWI, resolved)),
        )
    )

    assert found == [
        Page([REQUESTS[2]], total=2),
        Page([REQUESTS[5]], total=2),
        Page([], total=0),
        Page([REQUESTS[1]], total=1),
        Page([], total=0),
    ]
    assert trace.counts == trips(service_requests=(2, 3))


async def test_service_requests_by_assignee_past_the_last_row_keeps_the_total(
    loaders: Loaders, trace: SourceTrace
) -> None:
    loader = loaders[ServiceRequestsByAssigneeLoader]
    after_request_2 = RequestPageArgs(statuses=None, limit=10, after=(REQUESTS[2].submitted_at, 2))

    found = list(
        await asyncio.gather(
            loader.load((AGUS, after_request_2)),
            loader.load((MAYA, after_request_2)),
            loader.load((JOKO, after_request_2)),
        )
    )

    # Maya's only request (2025) comes after the cursor; Joko has none at all.
    assert found == [
        Page([REQUESTS[1]], total=3),
        Page([REQUESTS[4]], total=1),
        Page([], total=0),
    ]
    assert trace.counts == trips(service_requests=(1, 2))


async def test_service_requests_by_resident_with_every_row_before_the_cursor(
    loaders: Loaders, trace: SourceTrace
) -> None:
    after_request_4 = RequestPageArgs(statuses=None, limit=10, after=(REQUESTS[4].submitted_at, 4))

    found = await loaders[ServiceRequestsByResidentLoader].load((DEWI, after_request_4))

    assert found == Page([], total=2)
    assert trace.counts == trips(service_requests=(1, 1))


async def test_officer_by_nip(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[OfficerByNipLoader]

    found = list(
        await asyncio.gather(loader.load(HENDRA), loader.load(UNKNOWN_NIP), loader.load(JOKO))
    )

    assert found == [OFFICERS[HENDRA], None, OFFICERS[JOKO]]
    assert trace.counts == trips(performance=(1, 2))


async def test_officers_by_unit_one_round_trip_per_argument_set(
    loaders: Loaders, trace: SourceTrace
) -> None:
    loader = loaders[OfficersByUnitLoader]
    first = OfficerPageArgs(limit=1, after=None)
    after_hendra = OfficerPageArgs(limit=1, after=HENDRA)

    found = list(
        await asyncio.gather(
            loader.load(("DISDUKCAPIL", first)),
            loader.load(("KEC-01", first)),
            loader.load(("NOPE", first)),
            loader.load(("DISDUKCAPIL", after_hendra)),
        )
    )

    assert found == [
        Page([OFFICERS[HENDRA]], total=2),
        Page([OFFICERS[JOKO]], total=1),
        Page([], total=0),
        Page([OFFICERS[AGUS]], total=2),
    ]
    assert trace.counts == trips(performance=(2, 3))


async def test_active_asn_by_unit(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[ActiveAsnByUnitLoader]

    found = list(
        await asyncio.gather(loader.load("DISDUKCAPIL"), loader.load("NOPE"), loader.load("KEC-01"))
    )

    assert found == [[AGUS], [], [JOKO]]
    assert trace.counts == trips(performance=(1, 2))


async def test_activities_by_officer(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[ActivitiesByOfficerLoader]
    in_2026 = ActivityPageArgs(date(2026, 1, 1), date(2026, 12, 31), limit=2, after=None)

    found = list(
        await asyncio.gather(
            loader.load((AGUS, in_2026)), loader.load((MAYA, in_2026)), loader.load((JOKO, in_2026))
        )
    )

    assert found == [
        Page([ACTIVITIES[4], ACTIVITIES[3]], total=4),
        Page([ACTIVITIES[6]], total=1),
        Page([], total=0),
    ]
    assert trace.counts == trips(performance=(1, 3))


async def test_performance_by_officer(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[PerformanceByOfficerLoader]
    q1, final = PerformancePeriod.Q1, PerformancePeriod.FINAL

    found = list(
        await asyncio.gather(
            loader.load((MAYA, 2026, q1)),
            loader.load((UNKNOWN_NIP, 2026, q1)),
            loader.load((AGUS, 2026, final)),
            loader.load((AGUS, 2026, q1)),
        )
    )

    assert [s and (s.predicate, s.activity_count, s.activity_minutes) for s in found] == [
        (Predicate.NEEDS_IMPROVEMENT, 1, 240),
        None,
        (None, 4, 780),
        (Predicate.GOOD, 3, 690),
    ]
    assert trace.counts == trips(performance=(1, 3))


async def test_course_by_id(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[CourseByIdLoader]

    found = list(await asyncio.gather(loader.load(3), loader.load(99), loader.load(4)))

    assert found == [COURSES[3], None, COURSES[4]]
    assert trace.counts == trips(learning=(1, 2))


async def test_learning_total_by_officer(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[LearningTotalByOfficerLoader]

    found = list(
        await asyncio.gather(
            loader.load((AGUS, 2026)),
            loader.load((HENDRA, 2026)),
            loader.load((MAYA, 2025)),
            loader.load((AGUS, 2026)),
        )
    )

    assert found == [
        LearningTotal(AGUS, 2026, jp_completed=22, courses_completed=2),
        LearningTotal(HENDRA, 2026, jp_completed=0, courses_completed=0),
        LearningTotal(MAYA, 2025, jp_completed=12, courses_completed=1),
        LearningTotal(AGUS, 2026, jp_completed=22, courses_completed=2),
    ]
    assert trace.counts == trips(learning=(1, 3))


async def test_enrollments_by_officer(loaders: Loaders, trace: SourceTrace) -> None:
    loader = loaders[EnrollmentsByOfficerLoader]

    found = list(
        await asyncio.gather(
            loader.load((JOKO, 2025)),
            loader.load((AGUS, 2026)),
            loader.load((HENDRA, 2026)),
            loader.load((JOKO, 2026)),
        )
    )

    assert found == [
        [ENROLLMENTS[6]],
        [ENROLLMENTS[1], ENROLLMENTS[2], ENROLLMENTS[3]],
        [],
        [ENROLLMENTS[6]],
    ]
    assert trace.counts == trips(learning=(1, 5))


async def test_enrollments_by_course_one_round_trip_per_argument_set(
    loaders: Loaders, trace: SourceTrace
) -> None:
    loader = loaders[EnrollmentsByCourseLoader]
    first_two = EnrollmentPageArgs(limit=2, after=None)
    after_first = EnrollmentPageArgs(limit=2, after=1)

    found = list(
        await asyncio.gather(
            loader.load((1, first_two)),
            loader.load((4, first_two)),
            loader.load((3, first_two)),
            loader.load((1, after_first)),
        )
    )

    assert found == [
        Page([ENROLLMENTS[1], ENROLLMENTS[5]], total=3),
        Page([], total=0),
        Page([ENROLLMENTS[3], ENROLLMENTS[4]], total=2),
        Page([ENROLLMENTS[5], ENROLLMENTS[7]], total=3),
    ]
    assert trace.counts == trips(learning=(2, 6))


def test_every_loader_class_names_a_configured_source(sources: Sources) -> None:
    """A loader is made by class from the source it names; no list of loaders to keep."""
    import padu.loaders.learning
    import padu.loaders.performance
    import padu.loaders.population
    import padu.loaders.service_requests
    import padu.loaders.sync
    from padu.loaders.base import SourceLoader

    modules = (padu.loaders.learning, padu.loaders.performance, padu.loaders.population,
               padu.loaders.service_requests, padu.loaders.sync)  # fmt: skip
    classes = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, SourceLoader)
        and value.__module__ == module.__name__
        and not value.__name__.startswith("_")
    ]
    assert len(classes) == 19
    loaders = Loaders(sources, admin_scopes(sources))
    for kind in classes:
        assert loaders[kind].source is sources.named(kind.source_name), kind
