"""A query at any depth costs one round trip per source per level, counted by the sources."""

from __future__ import annotations

from tests.conftest import GraphQL

DEEP = """
query {
  residents(first: 50) {
    nodes {
      nik
      serviceRequests(first: 5) {
        nodes {
          ticketNumber
          assignee {
            nip
            performance(year: 2026, quarter: 1) { predicate activityCount }
            learning(year: 2026) { jpCompleted compliant }
          }
        }
      }
    }
  }
}
"""


async def test_deep_cross_source_query_is_one_round_trip_per_source_per_level(
    gql: GraphQL,
) -> None:
    body = await gql(DEEP)
    assert "errors" not in body
    # residents (population) → serviceRequests (service_requests) → assignee (performance,
    # read with the performance asked for under it: one statement) → learning (learning).
    assert body["extensions"]["sources"] == {
        "population": {"roundTrips": 1, "rows": 6},
        "service_requests": {"roundTrips": 1, "rows": 5},
        "performance": {"roundTrips": 1, "rows": 2},
        "learning": {"roundTrips": 1, "rows": 2},
        "state": {"roundTrips": 1, "rows": 0},  # the audit entries, written once at the end
    }


async def test_assignees_and_their_performance_answer_as_when_read_apart(gql: GraphQL) -> None:
    """The joined read gives what the officer and the performance loaders give on their own:
    the same officers and summaries, other periods read apart, null where nothing is held."""
    joined = await gql(DEEP)
    assignees = {
        request["assignee"]["nip"]: request["assignee"]["performance"]
        for resident in joined["data"]["residents"]["nodes"]
        for request in resident["serviceRequests"]["nodes"]
        if request["assignee"] is not None
    }
    assert assignees
    one = "query($n: NIP!) { officer(nip: $n) { performance(year: 2026, quarter: 1) { predicate activityCount } } }"
    for nip, performance in assignees.items():  # Query.officer reads them apart
        assert (await gql(one, {"n": nip}))["data"]["officer"]["performance"] == performance
    two_periods = DEEP.replace(
        "performance(year: 2026, quarter: 1) { predicate activityCount }",
        "performance(year: 2026, quarter: 1) { predicate activityCount } "
        "final: performance(year: 2025) { predicate }",
    )
    body = await gql(two_periods)
    assert "errors" not in body, body
    assert body["extensions"]["sources"]["performance"]["roundTrips"] == 2  # the second period
    bad = await gql(DEEP.replace("quarter: 1", "quarter: 5"))
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
