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
    # residents (population) → serviceRequests (service_requests) → assignee (performance)
    # → performance (performance) and learning (learning), the last two concurrently.
    assert body["extensions"]["sources"] == {
        "population": {"roundTrips": 1, "rows": 6},
        "service_requests": {"roundTrips": 1, "rows": 5},
        "performance": {"roundTrips": 2, "rows": 2 + 2},
        "learning": {"roundTrips": 1, "rows": 2},
        "state": {"roundTrips": 1, "rows": 0},  # the audit entries, written once at the end
    }
