"""A declared application as a subgraph of its own: e-Pembayaran (MariaDB) joins the
supergraph by configuration alone, and the six-system query answers through each gateway as it
does from the single process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from padu.config import CORE_SUBGRAPHS, parse_config
from padu.principal import Role
from padu.sources.demo.applications import seed_application
from tests.api.test_access import SUBJECTS
from tests.conftest import TEST_SETTINGS, bearer, serving
from tests.data import BUDI
from tests.declared.test_e_pembayaran import APPLICATIONS, SIX_SYSTEMS
from tests.federation.test_gateways import EXACT_PATHS, GATEWAYS, comparable, federated
from tests.sources.mariadb import fresh_database

ROLES = (Role.ADMIN, Role.CITIZEN, Role.OFFICER, Role.DASHBOARD)


@pytest_asyncio.fixture(scope="module")
async def payments(dsns: dict[str, str]) -> AsyncIterator[dict[str, Any]]:
    """Settings with e-Pembayaran on MariaDB, seeded over the test residents."""
    async with fresh_database() as dsn:
        await seed_application("e_pembayaran", "mysql", dsn, dsns["population"])
        yield {
            **TEST_SETTINGS,
            "sources": {"payments": {"kind": "mysql", "dsn": dsn}},
            "applications": APPLICATIONS,
        }


@pytest_asyncio.fixture(scope="module")
async def six(
    payments: dict[str, Any], dsns: dict[str, str], tmp_path_factory: Any
) -> AsyncIterator[tuple[dict[str, str], httpx.AsyncClient]]:
    every = {**dsns, "payments": payments["sources"]["payments"]["dsn"]}
    config = parse_config(payments, "test.toml", {})
    names = (*CORE_SUBGRAPHS, "e_pembayaran")
    folder = tmp_path_factory.mktemp("supergraph")
    async with (
        federated(payments, every, names, folder) as urls,
        serving(config, every) as alone,
    ):
        yield urls, alone


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_the_six_system_query_answers_alike_through_each_gateway(
    six: tuple[dict[str, str], httpx.AsyncClient], gateway: str, role: Role
) -> None:
    urls, alone = six
    subject = SUBJECTS[role]
    assert subject is not None
    config = parse_config(TEST_SETTINGS, "test.toml", {})
    request = {"query": SIX_SYSTEMS, "variables": {"nik": BUDI}}
    headers = bearer(config, role, subject)
    single = (await alone.post("/graphql", json=request, headers=headers)).json()
    async with httpx.AsyncClient(timeout=30) as http:
        through = (await http.post(urls[gateway], json=request, headers=headers)).json()
    if role is Role.ADMIN:
        assert "errors" not in single and single["data"]["resident"]["payments"]["totalCount"]
    exact = EXACT_PATHS[gateway]
    assert comparable(through, exact) == comparable(single, exact), (through, single)
