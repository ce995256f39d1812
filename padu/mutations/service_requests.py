"""Mutations of service requests: submit, assign, change status, resolve (which credits e-Kinerja).

Reads that decide whether a mutation may run go straight to the sources (not the loaders),
so the answer is built from fresh data; the writes themselves are conditional on every fact
that decision used (the request's status and its assignee), so two callers racing on one
request cannot both succeed (the loser gets CONFLICT), and what resolving credits follows
the row the write committed.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from padu.dispatcher import credit_effect
from padu.loaders.service_requests import ServiceRequestByIdLoader
from padu.mutations.common import Payload, refused, replay, run
from padu.principal import Principal, Role
from padu.resolvers.entities import number_of
from padu.resolvers.info import Info
from padu.schema.enums import RequestStatus, ServiceCategory
from padu.schema.scalars import NIK, NIP
from padu.sources.learning import WIB
from padu.sources.outbox import Effect
from padu.sources.performance import ALL_OFFICERS, ActivityCategory
from padu.sources.performance_writes import Credit
from padu.sources.population import ALL_RESIDENTS
from padu.sources.service_request_writes import (
    CategoryStandard,
    Committed,
    Expected,
    NewRequest,
    Stale,
    Transition,
)
from padu.sources.service_requests import ALL_REQUESTS, ServiceRequest
from padu.workdays import add_working_days
from padu.writes import Call, UserError, Written

S = RequestStatus
# The request's life: waiting → verified → in progress → resolved; rejected before work starts.
TRANSITIONS: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    S.SUBMITTED: (S.VERIFIED, S.REJECTED),
    S.VERIFIED: (S.IN_PROGRESS, S.REJECTED),
    S.IN_PROGRESS: (S.RESOLVED,),
    S.RESOLVED: (),
    S.REJECTED: (),
}
MAX_TITLE, MAX_DESCRIPTION = 200, 4000
OFFICERS = (Role.OFFICER, Role.SUPERVISOR)


@strawberry.input(description="A citizen's request or complaint.")
class SubmitServiceRequestInput:
    category: ServiceCategory
    title: str
    description: str
    village_code: str = strawberry.field(description="Where it concerns, e.g. 36.71.01.1001.")
    resident_nik: NIK | None = strawberry.field(
        default=None, description="For officers filing on a resident's behalf; citizens omit it."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None,
        description="Sent again with the same value and input, replays the first answer; "
        "1 to 128 printable characters.",
    )


def _now() -> datetime:
    return datetime.now(WIB)


def _subject(request_id: int) -> str:
    return f"serviceRequest:{request_id}"


def _actor_nip(principal: Principal) -> str | None:
    """Who the timeline names: an officer's NIP; an admin's id is no NIP and is not kept there."""
    return principal.subject if principal.role in OFFICERS else None


def _conflict(request_id: int) -> UserError:
    return UserError(
        "CONFLICT",
        f"Service request {request_id} changed while you were updating it; reload it and retry.",
    )


def _text(value: str, name: str, limit: int) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise UserError("BAD_USER_INPUT", f"{name} must be 1 to {limit} characters.", name)
    return value


def _note(value: str | None, name: str) -> str | None:
    """An optional note: blank is none, longer than a description is refused."""
    return _text(value, name, MAX_DESCRIPTION) if value and value.strip() else None


def _expected(request: ServiceRequest) -> Expected:
    return Expected(request.id, request.status, request.assignee_nip)


def _owed(committed: Committed, standard: CategoryStandard | None) -> list[Effect]:
    """What a resolved request owes e-Kinerja: the work, credited to the officer the resolved
    row names as its assignee, dated the day it was resolved."""
    if (
        committed.status is not S.RESOLVED
        or committed.assignee_nip is None
        or committed.resolved_at is None
        or standard is None
    ):
        return []
    credit = Credit(
        nip=committed.assignee_nip,
        date=committed.resolved_at.astimezone(WIB).date(),
        description=f"Menyelesaikan {committed.ticket_number}: {standard.name}",
        category=ActivityCategory.PUBLIC_SERVICE,
        minutes=standard.minutes,
        evidence=committed.ticket_number,
        ticket_number=committed.ticket_number,
    )
    subject = _subject(committed.request_id)
    return [credit_effect(f"credit:{committed.ticket_number}", credit, subject)]


async def _visible_request(info: Info, request_id: str) -> ServiceRequest:
    """The request if the caller may act on it (by their row scope), else NOT_FOUND."""
    context = info.context
    scope = await context.scopes.requests()
    number = number_of(context, "ServiceRequest", request_id)
    hits = (
        []
        if number is None
        else await context.sources.service_requests.requests_by_id([number], scope)
    )
    found = hits[0] if hits else None
    if found is None:
        raise UserError("NOT_FOUND", f"No service request {request_id} that you may change.", "id")
    context.loaders[ServiceRequestByIdLoader].clear(found.id)
    return found


async def submit_service_request(info: Info, input: SubmitServiceRequestInput) -> Payload:
    context, principal = info.context, info.context.viewer.principal
    call = Call.of(
        "submitServiceRequest",
        input.client_mutation_id,
        category=input.category,
        title=input.title,
        description=input.description,
        village_code=input.village_code,
        resident_nik=input.resident_nik,
    )
    if earlier := await replay(info, call):
        return earlier
    try:
        if principal.role is Role.CITIZEN:
            if input.resident_nik not in (None, principal.subject):
                raise UserError("FORBIDDEN", "Citizens submit in their own name.", "residentNik")
            nik = principal.subject
        elif input.resident_nik is None:
            raise UserError("BAD_USER_INPUT", "Give the resident's NIK.", "residentNik")
        else:
            nik = input.resident_nik
        assert nik is not None  # a citizen token always names a NIK
        if not await context.sources.population.residents_by_nik([nik], ALL_RESIDENTS):
            raise UserError("NOT_FOUND", "No resident with that NIK.", "residentNik")
        village = context.config.region.village(input.village_code)
        if village is None:
            raise UserError(
                "BAD_USER_INPUT",
                f"{input.village_code!r} is not a village (kelurahan) of "
                f"{context.config.region.name}.",
                "villageCode",
            )
        standard = await context.sources.service_requests.writes.standard(input.category)
        if standard is None:
            raise UserError("BAD_USER_INPUT", "This category is not offered.", "category")
        now = _now()
        new = NewRequest(
            resident_nik=nik,
            category=input.category,
            title=_text(input.title, "title", MAX_TITLE),
            description=_text(input.description, "description", MAX_DESCRIPTION),
            village_code=village.code,
            district_code=village.district_code,
            submitted_at=now,
            actor_nip=_actor_nip(principal),
        )
    except UserError as error:
        return refused(input.client_mutation_id, error)
    context.audit.record(("ServiceRequest.title", "ServiceRequest.description"), "write", nik)
    source = context.sources.service_requests
    due = add_working_days(now, standard.working_days)

    async def write(key: str) -> Written:
        return Written(_subject(await source.writes.submit(key, new, due)))

    return await run(info, call, owning=source, subject="serviceRequest:new", write=write)


async def assign_service_request(
    info: Info, id: strawberry.ID, nip: NIP, client_mutation_id: str | None = None
) -> Payload:
    context, principal = info.context, info.context.viewer.principal
    call = Call.of("assignServiceRequest", client_mutation_id, id=id, nip=nip)
    if earlier := await replay(info, call):
        return earlier
    try:
        number = number_of(context, "ServiceRequest", id)
        source = context.sources.service_requests
        hits = [] if number is None else await source.requests_by_id([number], ALL_REQUESTS)
        officers = await context.sources.performance.officers_by_nip([nip], ALL_OFFICERS)
        request = hits[0] if hits else None
        unit = context.viewer.unit
        if principal.role is Role.SUPERVISOR and request is not None and request.assignee_nip:
            # A supervisor reassigns only within their unit; the write is conditional on this
            # assignee, so a reassignment in between makes it a CONFLICT.
            current = await context.sources.performance.officers_by_nip(
                [request.assignee_nip], ALL_OFFICERS
            )
            if not current or current[0].unit.code != unit:
                request = None
        if request is None:
            raise UserError("NOT_FOUND", f"No service request {id} that you may assign.", "id")
        if not officers:
            raise UserError("NOT_FOUND", f"No officer with NIP {nip}.", "nip")
        officer = officers[0]
        if not officer.active:
            raise UserError("OFFICER_INACTIVE", f"Officer {nip} is not active.", "nip")
        if principal.role is Role.SUPERVISOR and officer.unit.code != unit:
            raise UserError("FORBIDDEN", "Assign to an officer of your own unit.", "nip")
        if request.status not in (S.SUBMITTED, S.VERIFIED, S.IN_PROGRESS):
            raise UserError(
                "ILLEGAL_TRANSITION", f"A {request.status.name} request cannot be assigned.", "id"
            )
        if request.assignee_nip == nip:  # someone else made this assignment first
            raise UserError(
                "CONFLICT", f"Service request {request.id} is already assigned to {nip}.", "nip"
            )
    except UserError as error:
        return refused(client_mutation_id, error)
    context.loaders[ServiceRequestByIdLoader].clear(request.id)
    source = context.sources.service_requests
    expected = _expected(request)

    async def write(key: str) -> Written:
        try:
            committed = await source.writes.assign(
                key, expected, nip, _actor_nip(principal), _now()
            )
        except Stale:
            raise _conflict(request.id) from None
        return Written(_subject(committed.request_id))

    return await run(info, call, owning=source, subject=_subject(request.id), write=write)


async def update_service_request_status(
    info: Info,
    id: strawberry.ID,
    status: RequestStatus,
    note: str | None = None,
    client_mutation_id: str | None = None,
) -> Payload:
    if status is S.RESOLVED:  # resolving always credits the assignee's e-Kinerja
        return await _resolve(info, id, note or "Selesai", "note", client_mutation_id)
    call = Call.of("updateServiceRequestStatus", client_mutation_id, id=id, status=status,
                   note=note)  # fmt: skip
    return await _change(info, call, id, status, note, "note")


async def resolve_service_request(
    info: Info, id: strawberry.ID, resolution: str, client_mutation_id: str | None = None
) -> Payload:
    return await _resolve(info, id, resolution, "resolution", client_mutation_id)


async def _resolve(
    info: Info, id: str, resolution: str, field: str, client_mutation_id: str | None
) -> Payload:
    call = Call.of("resolveServiceRequest", client_mutation_id, id=id, resolution=resolution)
    return await _change(info, call, id, S.RESOLVED, resolution, field)


async def _change(
    info: Info,
    call: Call,
    id: str,
    status: RequestStatus,
    note: str | None,
    note_field: str,
) -> Payload:
    context, principal = info.context, info.context.viewer.principal
    if earlier := await replay(info, call):
        return earlier
    try:
        request = await _visible_request(info, id)
        if request.status is status:  # someone else made this change first
            raise UserError(
                "CONFLICT", f"Service request {request.id} is already {status.name}.", "status"
            )
        allowed = TRANSITIONS[request.status]
        if status not in allowed:
            nexts = ", ".join(s.name for s in allowed) or "none (it is closed)"
            raise UserError(
                "ILLEGAL_TRANSITION",
                f"A {request.status.name} request cannot become {status.name}; "
                f"allowed next: {nexts}.",
                "status",
            )
        if (
            status is S.RESOLVED
            and principal.role is not Role.ADMIN
            and request.assignee_nip != principal.subject
        ):
            raise UserError("FORBIDDEN", "Only the assigned officer resolves a request.", "id")
        if status is S.RESOLVED:
            note = _text(note or "", note_field, MAX_DESCRIPTION)
        else:
            note = _note(note, note_field)
        standard = await context.sources.service_requests.writes.standard(request.category)
    except UserError as error:
        return refused(call.client_mutation_id, error)
    now = _now()
    # The write applies only while the request has the status and assignee seen here, so
    # what it owes if it commits is known now (and logged, to survive a crash).
    change = Transition(_expected(request), status, note, _actor_nip(principal), now)
    seen = Committed(request.id, request.ticket_number, status, request.assignee_nip, now)
    source = context.sources.service_requests

    async def write(key: str) -> Written:
        try:
            committed = await source.writes.transition(key, change)
        except Stale:
            raise _conflict(request.id) from None
        return Written(_subject(committed.request_id), _owed(committed, standard))

    return await run(
        info,
        call,
        owning=source,
        subject=_subject(request.id),
        write=write,
        owed=_owed(seen, standard),
    )
