"""/metrics: values move with the requests served, labels never carry personal data, and a
scrape without the metrics token is refused."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from padu.config import Config, MetricsConfig
from padu.metrics import OTHER, OperationNames
from padu.principal import Role
from tests.conftest import on_a_port, poster
from tests.data import BUDI, PERSONAL
from tests.padu_process import free_port

TOKEN = "metrics-test-token-0123456789abcdef"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

ACROSS = """query ResidentAndRequests($nik: NIK!) {
  resident(nik: $nik) { fullName serviceRequests { totalCount } }
}"""
# A citizen reaching other residents through an officer: executed, with a FORBIDDEN error.
FORBIDDEN = """query OtherResident {
  serviceRequest(id: "1") { assignee { assignedRequests { nodes { resident { nik } } } } }
}"""


def samples(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest_asyncio.fixture
async def metered(config: Config, dsns: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    protected = dataclasses.replace(config, metrics=MetricsConfig(token=TOKEN))
    async with (
        on_a_port(protected, dsns) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as http,
    ):
        yield http


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_values_move_with_the_requests_served(
    metered: httpx.AsyncClient, config: Config
) -> None:
    ask = poster(metered, config)
    before = await scrape(metered)
    body = await ask(ACROSS, {"nik": BUDI})
    assert body["data"]["resident"]["serviceRequests"]["totalCount"] == 2
    sources = body["extensions"]["sources"]
    forbidden = await ask(FORBIDDEN, as_=(Role.CITIZEN, BUDI))
    codes = [e["extensions"]["code"] for e in forbidden["errors"]]
    assert "FORBIDDEN" in codes
    refused = await metered.post("/graphql", json={"query": "query Broken { nope }"})
    assert refused.status_code in (200, 400)
    after = await scrape(metered)

    requests = "padu_graphql_requests_total"
    assert moved(before, after, requests, operation="ResidentAndRequests", outcome="ok") == 1
    assert moved(before, after, requests, operation="OtherResident", outcome="errors") == 1
    # A document that failed validation keeps no name of its own.
    assert moved(before, after, requests, operation=OTHER, outcome="refused") >= 1
    broken = [e["extensions"]["code"] for e in refused.json()["errors"]]
    for code in {*codes, *broken}:
        expected = codes.count(code) + broken.count(code)
        assert moved(before, after, "padu_graphql_errors_total", code=code) >= expected
    latency = "padu_graphql_request_duration_seconds_count"
    assert moved(before, after, latency, operation="ResidentAndRequests") == 1
    for source in ("population", "service_requests"):
        trips = moved(before, after, "padu_source_round_trips_total", source=source)
        assert trips >= sources[source]["roundTrips"] >= 1
        timed = "padu_source_round_trip_duration_seconds_count"
        assert moved(before, after, timed, source=source) == trips
    assert ("padu_source_circuit_state", (("source", "population"),)) in after
    assert moved(before, after, "padu_audit_entries_total") >= 1  # the resident read


async def test_a_scrape_without_the_token_is_refused(metered: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-the-metrics-token-0123456789abcdef"}):
        response = await metered.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "padu_graphql_requests" not in response.text


async def test_no_label_carries_personal_data_or_a_token(
    metered: httpx.AsyncClient, config: Config
) -> None:
    ask = poster(metered, config)
    await ask(f'query q{BUDI} {{ resident(nik: "{BUDI}") {{ nik }} }}')
    await ask(ACROSS, {"nik": BUDI}, as_=(Role.CITIZEN, BUDI))
    await metered.post("/graphql", json={"query": f"query n{BUDI} {{ nope }}"})
    text = (await metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text
    values = {value for _, labels in samples(text) for _, value in labels}
    assert values, "no labels scraped"
    for value in values:
        assert not re.search(r"\d{16}", value), value
        assert not any(secret in value for secret in PERSONAL), value
        assert TOKEN not in value and "Bearer" not in value


def test_operation_names_are_validated_graphql_names_and_capped() -> None:
    names = OperationNames(cap=2)
    assert names.label("Residents", validated=True) == "Residents"
    assert names.label("Residents", validated=False) == OTHER
    assert names.label(None, validated=True) == "anonymous"
    assert names.label(f"q{BUDI}", validated=True) == OTHER
    assert names.label("has space", validated=True) == OTHER
    assert names.label("Officers", validated=True) == "Officers"
    assert names.label("Courses", validated=True) == OTHER  # past the cap
    assert names.label("Residents", validated=True) == "Residents"


async def test_bind_serves_metrics_on_a_listener_of_its_own(
    config: Config, dsns: dict[str, str]
) -> None:
    port = free_port()
    apart = dataclasses.replace(config, metrics=MetricsConfig(bind=("127.0.0.1", port)))
    async with on_a_port(apart, dsns) as address, httpx.AsyncClient() as http:
        assert (await http.get(f"http://{address}/metrics")).status_code == 404
        response = await http.get(f"http://127.0.0.1:{port}/metrics")
        assert response.status_code == 200
        assert "padu_graphql_requests_total" in response.text
