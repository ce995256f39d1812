"""One DataLoader per relation, created fresh for every request and never shared."""

from __future__ import annotations

from functools import cached_property

from padu.access.scopes import Scopes
from padu.loaders.learning import (
    CourseByIdLoader,
    EnrollmentsByCourseLoader,
    EnrollmentsByOfficerLoader,
    LearningTotalByOfficerLoader,
)
from padu.loaders.performance import (
    ActiveAsnByUnitLoader,
    ActivitiesByOfficerLoader,
    OfficerByNipLoader,
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
    ServiceRequestByIdLoader,
    ServiceRequestByTicketLoader,
    ServiceRequestsByAssigneeLoader,
    ServiceRequestsByResidentLoader,
)
from padu.loaders.sync import SyncBySubjectLoader
from padu.sources import Sources


class Loaders:
    """The loaders of one request, each made on first use."""

    def __init__(self, sources: Sources, scopes: Scopes) -> None:
        self.sources = sources
        self.scopes = scopes

    @cached_property
    def resident_by_nik(self) -> ResidentByNikLoader:
        return ResidentByNikLoader(self.sources.population, self.scopes)

    @cached_property
    def residents_by_family(self) -> ResidentsByFamilyLoader:
        return ResidentsByFamilyLoader(self.sources.population, self.scopes)

    @cached_property
    def family_by_number(self) -> FamilyByNumberLoader:
        return FamilyByNumberLoader(self.sources.population, self.scopes)

    @cached_property
    def service_request_by_id(self) -> ServiceRequestByIdLoader:
        return ServiceRequestByIdLoader(self.sources.service_requests, self.scopes)

    @cached_property
    def service_request_by_ticket(self) -> ServiceRequestByTicketLoader:
        return ServiceRequestByTicketLoader(self.sources.service_requests, self.scopes)

    @cached_property
    def service_requests_by_resident(self) -> ServiceRequestsByResidentLoader:
        return ServiceRequestsByResidentLoader(self.sources.service_requests, self.scopes)

    @cached_property
    def service_requests_by_assignee(self) -> ServiceRequestsByAssigneeLoader:
        return ServiceRequestsByAssigneeLoader(self.sources.service_requests, self.scopes)

    @cached_property
    def events_by_service_request(self) -> EventsByServiceRequestLoader:
        return EventsByServiceRequestLoader(self.sources.service_requests, self.scopes)

    @cached_property
    def officer_by_nip(self) -> OfficerByNipLoader:
        return OfficerByNipLoader(self.sources.performance, self.scopes)

    @cached_property
    def officers_by_unit(self) -> OfficersByUnitLoader:
        return OfficersByUnitLoader(self.sources.performance, self.scopes)

    @cached_property
    def active_asn_by_unit(self) -> ActiveAsnByUnitLoader:
        return ActiveAsnByUnitLoader(self.sources.performance, self.scopes)

    @cached_property
    def activities_by_officer(self) -> ActivitiesByOfficerLoader:
        return ActivitiesByOfficerLoader(self.sources.performance, self.scopes)

    @cached_property
    def performance_by_officer(self) -> PerformanceByOfficerLoader:
        return PerformanceByOfficerLoader(self.sources.performance, self.scopes)

    @cached_property
    def course_by_id(self) -> CourseByIdLoader:
        return CourseByIdLoader(self.sources.learning, self.scopes)

    @cached_property
    def learning_total_by_officer(self) -> LearningTotalByOfficerLoader:
        return LearningTotalByOfficerLoader(self.sources.learning, self.scopes)

    @cached_property
    def enrollments_by_officer(self) -> EnrollmentsByOfficerLoader:
        return EnrollmentsByOfficerLoader(self.sources.learning, self.scopes)

    @cached_property
    def enrollments_by_course(self) -> EnrollmentsByCourseLoader:
        return EnrollmentsByCourseLoader(self.sources.learning, self.scopes)

    @cached_property
    def sync_by_subject(self) -> SyncBySubjectLoader:
        return SyncBySubjectLoader(self.sources.state, self.scopes)
