from __future__ import annotations

from tests.conftest import GraphQL
from tests.data import BUDI


async def test_resident_lookup(gql: GraphQL) -> None:
    body = await gql("query($n: NIK!) { resident(nik: $n) { nik fullName } }", {"n": BUDI})
    assert body["data"] == {"resident": {"nik": BUDI, "fullName": "Budi Santoso"}}
