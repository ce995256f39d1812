"""No re-identification by filters: a role filters only by what it may read in clear.

A dashboard may not read names or NIPs, so it may not narrow a list down to the one person
with a name (or the one officer with a NIP) and read the rest of their record from the answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from padu.principal import Role
from tests.conftest import ADMIN_ID, GraphQL
from tests.data import AGUS, BUDI, HENDRA

DASHBOARD = (Role.DASHBOARD, "dashboard@diskominfo")

# (query, variables, the refused input field, the root field that answers null)
IDENTIFYING = [
    pytest.param(
        '{ residents(filter: {name: "Budi"}) { nodes { religion maritalStatus occupation } } }',
        {}, "ResidentFilter.name", "residents", id="resident-name-literal",
    ),
    pytest.param(
        "query($f: ResidentFilter) { residents(filter: $f) { totalCount } }",
        {"f": {"villageCode": "36.71.01.1001", "name": "santoso"}},
        "ResidentFilter.name", "residents", id="resident-name-variable-with-an-allowed-one",
    ),
    pytest.param(
        "query($n: NIP) { serviceRequests(filter: {assigneeNip: $n}) { nodes { category } } }",
        {"n": AGUS}, "ServiceRequestFilter.assigneeNip", "serviceRequests", id="request-assignee",
    ),
    pytest.param(
        '{ officers(filter: {name: "agus"}) { nodes { grade position } } }',
        {}, "OfficerFilter.name", "officers", id="officer-name",
    ),
    pytest.param(
        '{ dashboard { serviceLevels { total } } officers(filter: {name: "a"}) { totalCount } }',
        {}, "OfficerFilter.name", "officers", id="beside-an-allowed-field",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables", "refused", "root"), IDENTIFYING)
async def test_a_dashboard_may_not_filter_by_what_identifies_a_person(
    gql: GraphQL, query: str, variables: dict[str, Any], refused: str, root: str
) -> None:
    body = await gql(query, variables, as_=DASHBOARD)
    assert body["data"][root] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "field": refused}
    assert error["path"] == [root]
    assert error["message"] == (f"Your role (dashboard) may not filter by {refused}; leave it out.")
    # Nothing of the one match left the source: no row reached the answer or the audit log.
    assert body["extensions"]["sources"].get("population", {}).get("rows", 0) == 0


async def test_the_same_lists_answer_a_dashboard_with_the_filters_it_may_use(
    gql: GraphQL,
) -> None:
    body = await gql(
        "query($f: ResidentFilter) { residents(filter: $f) { totalCount } "
        'officers(filter: {unitCode: "DISDUKCAPIL"}) { totalCount } '
        'serviceRequests(filter: {districtCode: "36.71.01", status: [RESOLVED]}) { totalCount } }',
        {"f": {"villageCode": "36.71.01.1001", "name": None}},  # null filters nothing
        as_=DASHBOARD,
    )
    assert "errors" not in body, body
    assert body["data"] == {
        "residents": {"totalCount": 3},
        "officers": {"totalCount": 2},
        "serviceRequests": {"totalCount": 1},
    }


@pytest.mark.parametrize(
    "as_", [(Role.ADMIN, ADMIN_ID), (Role.SUPERVISOR, HENDRA), (Role.CITIZEN, BUDI)]
)
async def test_roles_that_read_names_filter_by_them(gql: GraphQL, as_: tuple[Role, str]) -> None:
    body = await gql('{ residents(filter: {name: "budi"}) { nodes { fullName } } }', as_=as_)
    assert "errors" not in body, body
    assert body["data"]["residents"]["nodes"] == [{"fullName": "Budi Santoso"}]


async def test_a_citizen_may_not_filter_their_requests_by_an_officers_nip(gql: GraphQL) -> None:
    """A citizen reads their assignee's name, not the NIP, so the NIP filters nothing for them."""
    body = await gql(
        f'{{ serviceRequests(filter: {{assigneeNip: "{AGUS}"}}) {{ totalCount }} }}',
        as_=(Role.CITIZEN, BUDI),
    )
    assert body["data"] == {"serviceRequests": None}
    assert body["errors"][0]["extensions"]["field"] == "ServiceRequestFilter.assigneeNip"
