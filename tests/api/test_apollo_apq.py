"""Persisted operations with a real client: Apollo Client's persisted-queries link
(clients/persisted.mjs, pinned in clients/package-lock.json) against Padu on a port."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from padu.config import Config, parse_config
from padu.principal import Role
from tests.conftest import ADMIN_ID, APPS, TEST_SETTINGS, bearer, on_a_port

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
REGION = {"region": {"code": "36.71", "name": "Kota Tangerang", "__typename": "Region"}}


async def apollo(*arguments: str) -> Any:
    """What clients/persisted.mjs printed for one scenario."""
    if shutil.which("node") is None or not (CLIENTS / "node_modules").is_dir():
        pytest.fail("these tests need Node and `npm ci --prefix clients` (make test does it)")
    node = await asyncio.create_subprocess_exec(
        "node", str(CLIENTS / "persisted.mjs"), *arguments,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(node.communicate(), timeout=60)
    assert node.returncode == 0, err.decode()
    return json.loads(out)


def token(config: Config) -> str:
    return bearer(config, Role.ADMIN, ADMIN_ID)["Authorization"].removeprefix("Bearer ")


def sent(method: str, query: bool, status: int = 200) -> tuple[str, bool, int]:
    return (method, query, status)


async def test_apollo_client_learns_then_sends_hashes_alone(
    config: Config, dsns: dict[str, str]
) -> None:
    async with on_a_port(config, dsns) as address:
        view = APPS[address].state.graphql
        got = await apollo("automatic", f"http://{address}/graphql", token(config))
        learned = {text for _, text in view.persisted.learned.items()}

    districts = got["answers"][2]["data"]["region"]["districts"]
    assert len(districts) == 13
    assert got["answers"] == [{"data": REGION}, {"data": REGION}, *[{"data": {"region": {
        "districts": districts, "__typename": "Region"}}}] * 2]  # fmt: skip
    requests = [(r["method"], r["query"], r["status"]) for r in got["sent"]]
    assert requests == [
        sent("POST", False),  # by hash: PersistedQueryNotFound (a 200, as Apollo Server's)
        sent("POST", True),  # the link resends with the document; Padu learns it
        sent("POST", False),  # by hash alone, answered
        sent("GET", False),  # useGETForHashedQueries: not found either
        sent("POST", True),  # resent (as a POST, the link's way), learned
        sent("GET", False),  # by hash alone over GET, answered
    ]
    assert all(r["hash"] for r in got["sent"])
    assert len(learned) == 2
    assert view.persisted.by_hash == 2  # the two answers by hash alone, seen by the server


async def test_trusted_padu_answers_the_manifest_and_refuses_the_rest(
    tmp_path: Path, dsns: dict[str, str]
) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps(await apollo("manifest")))
    settings = {
        **TEST_SETTINGS,
        "persisted_queries": {"mode": "trusted", "manifest": str(manifest)},
    }
    config = parse_config(settings, str(tmp_path / "padu.toml"), {})

    async with on_a_port(config, dsns) as address:
        got = await apollo("trusted", f"http://{address}/graphql", token(config))

    assert got["answers"] == [{"data": REGION}, {"codes": ["PERSISTED_QUERY_NOT_ALLOWED"]}]
    requests = [(r["method"], r["query"], r["status"]) for r in got["sent"]]
    assert requests == [sent("GET", False), sent("GET", False, 400)]
