"""The region comes from configuration and the bundled Kemendagri table, not from a source."""

from __future__ import annotations

from tests.conftest import GraphQL


async def test_region_lists_the_thirteen_kecamatan_of_kota_tangerang(gql: GraphQL) -> None:
    body = await gql("{ region { code name districts { code name villages { code } } } }")
    assert "errors" not in body
    region = body["data"]["region"]
    assert (region["code"], region["name"]) == ("36.71", "Kota Tangerang")
    districts = region["districts"]
    assert [d["code"] for d in districts] == [f"36.71.{n:02d}" for n in range(1, 14)]
    assert (districts[0]["name"], districts[-1]["name"]) == ("Tangerang", "Larangan")
    assert sum(len(d["villages"]) for d in districts) == 104
    assert body["extensions"]["sources"] == {}


async def test_district_and_village_lookups(gql: GraphQL) -> None:
    body = await gql(
        """{ region {
              district(code: "36.71.05") { name villages { code name } }
              village(code: "36.71.01.1001") { name district { code name } }
              unknown: village(code: "36.71.99.9999") { name } } }"""
    )
    region = body["data"]["region"]
    assert region["district"]["name"] == "Cipondoh"
    assert region["district"]["villages"][0] == {"code": "36.71.05.1001", "name": "Cipondoh"}
    assert region["village"] == {
        "name": "Sukarasa",
        "district": {"code": "36.71.01", "name": "Tangerang"},
    }
    assert region["unknown"] is None
