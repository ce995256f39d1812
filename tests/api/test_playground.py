"""The playground page: Padu's own HTML, its examples as data, every asset from Padu itself."""

from __future__ import annotations

import json
import re
from importlib import resources

import httpx

from padu.playground import CONTENT_SECURITY_POLICY, render

URL = re.compile(r"""(?:https?:|wss?:)?//[^\\s"'<>)]+""", re.IGNORECASE)
ASSET = re.compile(r"""(?:src|href)="([^"]+)\"""")


async def test_the_page_references_nothing_on_another_host(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    html = response.text
    assert "query ResidentsAcrossSources" in html  # the examples are in it
    assert URL.findall(html) == []  # no http(s), ws(s) or protocol-relative URL at all
    assets = ASSET.findall(html)
    assert len(assets) == 9 and all(a.startswith("/graphiql/") for a in assets[1:]), assets
    assert assets[0] == "data:,"  # the icon: no request for /favicon.ico
    for asset in assets[1:]:
        served = await client.get(asset)
        assert served.status_code == 200, asset


async def test_the_examples_are_data_the_page_cannot_be_broken_by() -> None:
    examples = {"query": "# </script><script>alert(1)</script> `${x}` & \\\\", "variables": "{}",
                "headers": '{"X-Padu-Trace": "1"}'}  # fmt: skip
    html = render(examples).body.decode()
    assert html.count("</script>") == html.count("<script")
    carried = re.search(r'type="application/json">(.*?)</script>', html)
    assert carried is not None and json.loads(carried.group(1)) == examples


def test_the_vendored_assets_keep_their_licences() -> None:
    vendor = resources.files("padu").joinpath("static/graphiql/vendor")
    notices = vendor.joinpath("THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    for package in ("graphiql@3.8.3", "react@18.2.0", "react-dom@18.2.0", "graphql-ws@"):
        assert f"\n{package}" in notices, package
    assert "@license React" in vendor.joinpath("react.production.min.js").read_text("utf-8")
