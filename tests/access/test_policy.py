"""The field policy names every field of the schema, output and input alike."""

from __future__ import annotations

from graphql import GraphQLInputObjectType, GraphQLObjectType

from padu.access.policy import FIELD_RULES, TYPE_RULES, Decision, is_structural, role_decision
from padu.principal import Role
from padu.schema.build import schema


def test_every_field_and_input_field_has_a_rule() -> None:
    """A field the table forgets is denied to everyone; that must be a choice, not a slip."""
    unnamed = [
        f"{name}.{field}"
        for name, kind in schema._schema.type_map.items()
        if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType)
        and not name.startswith("__")
        and not is_structural(name)
        for field in kind.fields
        if (name, field) not in FIELD_RULES and name not in TYPE_RULES
    ]
    assert unnamed == []


def test_an_identifying_filter_follows_the_rule_for_reading_what_it_names() -> None:
    """Whoever may not read a name or NIP in clear may not filter by it either."""
    pairs = {
        ("ResidentFilter", "name"): ("Resident", "fullName"),
        ("OfficerFilter", "name"): ("Officer", "fullName"),
        ("ServiceRequestFilter", "assigneeNip"): ("Officer", "nip"),
        ("ServiceRequestChangeFilter", "assigneeNip"): ("Officer", "nip"),
    }
    for role in Role:
        for (filter_type, name), (read_type, field) in pairs.items():
            reads = role_decision(role, read_type, field) is Decision.ALLOW
            filters = role_decision(role, filter_type, name) is Decision.ALLOW
            assert filters == reads, (role, filter_type, name)
    assert role_decision(Role.DASHBOARD, "ResidentFilter", "name") is Decision.DENY
    assert role_decision(Role.DASHBOARD, "ResidentFilter", "villageCode") is Decision.ALLOW
