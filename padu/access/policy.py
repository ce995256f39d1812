"""Field rules: for every GraphQL field, what each role gets (allow, mask or deny).

One table for the whole schema, output and input alike, enforced for every field before its
resolver runs (``padu.access.extension``); a field the table does not name is denied, and
tests/access/test_policy.py checks that every schema field is named. An input field is a
filter or a value the caller gives: a role may filter by an attribute only where it may read
that attribute in clear, so a role that may not read names cannot find the one resident with a
name and read the rest of their record. Row rules (which residents, requests, officers) live in
``scopes.py`` and the sources' SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from padu.lookup_enum import LookupEnum
from padu.principal import Principal, Role


class Decision(LookupEnum):
    ALLOW = "allow"
    MASK = "mask"  # identifiers shown with their middle hidden, e.g. 3671********0001
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a rule may know of the caller: the principal, and a supervisor's unit."""

    principal: Principal
    unit: str | None = None
    # The principal's role, stored: every field's decision reads it.
    role: Role = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", self.principal.role)


Rule = Callable[[Viewer, Any], Decision]

EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.ANONYMOUS}
STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.DASHBOARD})
CASEWORKERS = frozenset({Role.OFFICER, Role.SUPERVISOR})
DASHBOARD_READERS = frozenset({Role.DASHBOARD, Role.SUPERVISOR, Role.ADMIN})


class RoleRule:
    """Allow some roles, mask for others, deny everyone else: a decision by role alone."""

    def __init__(self, allowed: frozenset[Role], mask: frozenset[Role]) -> None:
        self.by_role = {
            role: Decision.MASK
            if role in mask
            else Decision.ALLOW
            if role in allowed
            else Decision.DENY
            for role in Role
        }

    def __call__(self, viewer: Viewer, root: Any) -> Decision:
        return self.by_role[viewer.role]


def roles(allowed: frozenset[Role], *, mask: frozenset[Role] = frozenset()) -> Rule:
    """Allow ``allowed``, mask for ``mask``, deny everyone else."""
    return RoleRule(allowed, mask)


def own_work(viewer: Viewer, officer: Any) -> Decision:
    """An officer's own record, their supervisor's unit, or an admin."""
    role = viewer.role
    if role is Role.ADMIN:
        return Decision.ALLOW
    if role is Role.OFFICER and officer.nip == viewer.principal.subject:
        return Decision.ALLOW
    if role is Role.SUPERVISOR and viewer.unit is not None and officer.unit.code == viewer.unit:
        return Decision.ALLOW
    return Decision.DENY


ALLOW_ALL = roles(EVERYONE)
NOT_DASHBOARD = roles(SIGNED_IN - {Role.DASHBOARD})
IDENTIFIER = roles(frozenset({Role.ADMIN, Role.CITIZEN}), mask=CASEWORKERS)

# Resident fields a dashboard may read: nothing that identifies a person.
DASHBOARD_RESIDENT_FIELDS = frozenset(
    {"gender", "religion", "maritalStatus", "occupation", "education", "bloodType",
     "familyRelationship", "serviceRequests"}
)  # fmt: skip


def _resident_field(name: str) -> Rule:
    if name in ("nik", "familyCardNumber"):
        return IDENTIFIER
    if name == "family":
        return roles(frozenset({Role.ADMIN, Role.CITIZEN}))
    if name in DASHBOARD_RESIDENT_FIELDS or name == "id":  # an opaque id reveals nothing
        return roles(SIGNED_IN)
    return NOT_DASHBOARD


RESIDENT_FIELDS = (
    "id", "nik", "fullName", "gender", "birthPlace", "birthDate", "religion", "maritalStatus",
    "occupation", "education", "bloodType", "familyRelationship", "familyCardNumber",
    "address", "family", "serviceRequests",
)  # fmt: skip

# Reached only through Query.dashboard; a supervisor's figures are their unit's.
DASHBOARD_TYPES = (
    "Dashboard", "ServiceLevels", "ServiceLevelGroup", "ResidentGroup", "ResolverCount",
    "PredicateCount", "UnitPerformance",
)  # fmt: skip

# Types whose every field follows one rule.
TYPE_RULES: dict[str, Rule] = {
    "Region": ALLOW_ALL,
    "District": ALLOW_ALL,
    "Village": ALLOW_ALL,
    "PageInfo": ALLOW_ALL,
    "Address": roles(SIGNED_IN),  # reached only through a resident or family already allowed
    "Family": roles(frozenset({Role.ADMIN, Role.CITIZEN})),
    "PerformanceSummary": roles(SIGNED_IN),  # reached only through Officer.performance
    "Activity": roles(SIGNED_IN),  # reached only through Officer.activities
    "LearningSummary": roles(SIGNED_IN),  # reached only through Officer.learning
    "UnitLearningCompliance": roles(STAFF),
    "Enrollment": roles(STAFF),
    "AuditEntry": roles(frozenset({Role.ADMIN})),
    "Delivery": roles(frozenset({Role.ADMIN})),
    "ServiceRequestPayload": roles(SIGNED_IN),
    "EnrollmentPayload": roles(STAFF),
    "MutationError": roles(SIGNED_IN),
    "SyncStatus": roles(SIGNED_IN),
    "ServiceRequestChange": roles(SIGNED_IN),
    **dict.fromkeys(DASHBOARD_TYPES, roles(DASHBOARD_READERS)),
    # Inputs whose every field the caller of their one field may give.
    "DashboardFilter": roles(DASHBOARD_READERS),
    "AuditFilter": roles(frozenset({Role.ADMIN})),
    "SubmitServiceRequestInput": roles(SIGNED_IN - {Role.DASHBOARD}),
}

# Fields with their own rule; a type here denies any field it does not list.
FIELD_RULES: dict[tuple[str, str], Rule] = {
    ("Query", "region"): ALLOW_ALL,
    # Global ids: what they find comes through the scoped loaders, its fields by this table.
    ("Query", "node"): ALLOW_ALL,
    ("Query", "nodes"): ALLOW_ALL,
    ("Node", "id"): ALLOW_ALL,
    ("Query", "course"): ALLOW_ALL,
    ("Query", "courses"): ALLOW_ALL,
    ("Query", "resident"): roles(SIGNED_IN - {Role.DASHBOARD}),
    ("Query", "residents"): roles(SIGNED_IN),
    ("Query", "serviceRequest"): roles(SIGNED_IN),
    ("Query", "serviceRequests"): roles(SIGNED_IN),
    ("Query", "officer"): roles(STAFF),
    ("Query", "officers"): roles(STAFF),
    ("Query", "units"): roles(STAFF),
    ("Query", "auditLog"): roles(frozenset({Role.ADMIN})),
    ("Query", "deliveries"): roles(frozenset({Role.ADMIN})),
    ("Query", "dashboard"): roles(DASHBOARD_READERS),
    # A subgraph's (padu.schema.federation): entities come through the scoped loaders, and
    # each of their fields has its rule here, so finding one by key reveals nothing more.
    ("Query", "_entities"): ALLOW_ALL,
    ("Query", "_service"): ALLOW_ALL,
    ("_Service", "sdl"): ALLOW_ALL,
    ("Subscription", "serviceRequestChanged"): roles(SIGNED_IN),  # within the request scope
    ("Subscription", "dashboardCounters"): roles(DASHBOARD_READERS),
    ("Mutation", "submitServiceRequest"): roles(SIGNED_IN - {Role.DASHBOARD}),
    ("Mutation", "assignServiceRequest"): roles(frozenset({Role.SUPERVISOR, Role.ADMIN})),
    ("Mutation", "updateServiceRequestStatus"): roles(CASEWORKERS | {Role.ADMIN}),
    ("Mutation", "resolveServiceRequest"): roles(CASEWORKERS | {Role.ADMIN}),
    ("ServiceRequest", "sync"): roles(SIGNED_IN),
    ("Mutation", "enrollInCourse"): roles(CASEWORKERS),
    ("Mutation", "recordCourseCompletion"): roles(frozenset({Role.SUPERVISOR, Role.ADMIN})),
    **{("Resident", name): _resident_field(name) for name in RESIDENT_FIELDS},
    **{
        ("ServiceRequest", name): roles(SIGNED_IN)
        for name in (
            "id",
            "ticketNumber",
            "category",
            "categoryName",
            "status",
            "submittedAt",
            "dueAt",
            "resolvedAt",
            "overdue",
            "resident",
            "village",
            "district",
            "assignee",
            "events",
        )
    },
    ("ServiceRequest", "title"): NOT_DASHBOARD,  # the resident's own words
    ("ServiceRequest", "description"): NOT_DASHBOARD,
    ("RequestEvent", "status"): roles(SIGNED_IN),
    ("RequestEvent", "at"): roles(SIGNED_IN),
    ("RequestEvent", "actor"): roles(SIGNED_IN),
    ("RequestEvent", "note"): NOT_DASHBOARD,
    ("Officer", "id"): roles(SIGNED_IN),  # opaque: reveals nothing, so for all who reach one
    ("Officer", "nip"): roles(STAFF - {Role.DASHBOARD}),
    ("Officer", "fullName"): NOT_DASHBOARD,
    **{
        ("Officer", name): roles(SIGNED_IN)
        for name in ("position", "employmentType", "grade", "active", "unit")
    },
    **{
        ("Officer", name): own_work
        for name in ("assignedRequests", "performance", "activities", "learning")
    },
    ("Unit", "id"): roles(SIGNED_IN),
    ("Unit", "code"): roles(SIGNED_IN),
    ("Unit", "name"): roles(SIGNED_IN),
    ("Unit", "kind"): roles(SIGNED_IN),
    ("Unit", "officers"): roles(STAFF),
    ("Unit", "learningCompliance"): roles(STAFF),
    **{
        ("Course", name): ALLOW_ALL
        for name in ("id", "title", "shortName", "summary", "jp", "mandatory")
    },
    ("Course", "enrollments"): roles(STAFF),
    ("Enrollment", "officer"): roles(STAFF - {Role.DASHBOARD}),
}

# Filters: an attribute that identifies someone filters only for the roles that read it in
# clear; the others filter what their list's own rule already lets them call.
_BY_ATTRIBUTE = {
    ("ResidentFilter", "name"): ("Resident", "fullName"),
    ("ServiceRequestFilter", "assigneeNip"): ("Officer", "nip"),
    ("OfficerFilter", "name"): ("Officer", "fullName"),
    ("ServiceRequestChangeFilter", "assigneeNip"): ("Officer", "nip"),
}
_PLAIN_FILTERS = {
    "ResidentFilter": (("districtCode", "villageCode"), roles(SIGNED_IN)),
    "ServiceRequestFilter": (
        ("status", "category", "districtCode", "villageCode", "submittedFrom",
         "submittedBefore", "overdue"),
        roles(SIGNED_IN),
    ),
    "OfficerFilter": (("unitCode", "employmentType", "active"), roles(STAFF)),
    "ServiceRequestChangeFilter": (("kind", "districtCode", "unitCode"), roles(SIGNED_IN)),
}  # fmt: skip
FIELD_RULES.update(
    {key: FIELD_RULES[attribute] for key, attribute in _BY_ATTRIBUTE.items()}
    | {
        (type_name, name): rule
        for type_name, (names, rule) in _PLAIN_FILTERS.items()
        for name in names
    }
)


def is_structural(type_name: str) -> bool:
    """Connections and edges only carry what their fields' own rules allowed."""
    return type_name.endswith(("Connection", "Edge"))


def _rule_for(type_name: str, field_name: str) -> Rule | None:
    rule = FIELD_RULES.get((type_name, field_name))
    return rule if rule is not None else TYPE_RULES.get(type_name)


# (type, field, role) → decision, for fields whose rule looks at the role only.
_BY_ROLE: dict[tuple[str, str, Role], Decision | None] = {}


def role_decision(role: Role, type_name: str, field_name: str) -> Decision | None:
    """The decision for ``role`` when the role alone decides; None when the object does."""
    key = (type_name, field_name, role)
    try:
        return _BY_ROLE[key]
    except KeyError:
        pass
    rule = _rule_for(type_name, field_name)
    if rule is None:
        decision: Decision | None = Decision.ALLOW if is_structural(type_name) else Decision.DENY
    elif isinstance(rule, RoleRule):
        decision = rule.by_role[role]
    else:
        decision = None
    _BY_ROLE[key] = decision
    return decision


def decide(viewer: Viewer, type_name: str, field_name: str, root: Any) -> Decision:
    """The decision for one field of one object."""
    decision = role_decision(viewer.role, type_name, field_name)
    if decision is not None:
        return decision
    rule = _rule_for(type_name, field_name)
    assert rule is not None
    return rule(viewer, root)


def mask_identifier(value: str) -> str:
    """Keep the region prefix and the serial: 3671011505800001 → 3671********0001."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)
