"""The GraphiQL playground at GET /graphql, in a real headless Chromium (Debian's ``chromium``).

It must open, run an example and a subscription signed in by its Headers tab, and fetch
nothing from another origin: on a city network without internet it works all the same.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest_asyncio
from playwright.async_api import Page, WebSocket

from padu.principal import Role
from tests.api.subscribing import RESOLVE
from tests.conftest import ADMIN_ID, Served, bearer, node_id
from tests.data import AGUS

LOAD_MS = 15000
EVENT_MS = 5000
SETTLE_SECONDS = 0.3
RESULT = ".result-window"
READ = "e => e.CodeMirror.getValue()"
QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror')"
SUBSCRIPTION = "subscription { serviceRequestChanged { requestId kind } }"


class Requests:
    """Every URL the page asked for, WebSockets included, and the messages it sent on them."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.sent: list[dict[str, Any]] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", self._socket)

    def _socket(self, socket: WebSocket) -> None:
        self.urls.append(socket.url)
        socket.on("framesent", lambda frame: self.sent.append(json.loads(frame)))

    def elsewhere(self, site: Served) -> list[str]:
        """The URLs of another origin than Padu's (the WebSocket's ws: scheme is Padu's)."""
        return [u for u in self.urls if urlsplit(u).netloc != site.address]


@pytest_asyncio.fixture
async def playground(site: Served, page: Page) -> AsyncIterator[Requests]:
    """The playground open and ready (its schema loaded), with what it requested."""
    requests = Requests(page)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # The page's Content-Security-Policy blocks another origin before any request is made;
    # what it blocked counts as requested.
    await page.add_init_script(
        "window.blocked = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.blocked.push(e.blockedURI || e.violatedDirective))"
    )
    await page.goto(f"{site.http_url}/graphql")
    await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=LOAD_MS)
    await page.wait_for_selector(
        ".graphiql-doc-explorer, [aria-label='Show Documentation Explorer']"
    )
    assert await page.title() == "Padu GraphiQL"
    yield requests
    assert problems == []
    assert await page.evaluate("window.blocked") == []
    assert requests.elsewhere(site) == []  # no CDN, no fonts: it runs on a closed network


async def editor(page: Page, where: str, text: str) -> None:
    """Replace an editor's text as typing would (GraphiQL hears the change)."""
    await page.eval_on_selector(
        f"{where} .CodeMirror", "(e, text) => e.CodeMirror.setValue(text)", text
    )


async def answer(page: Page, showing: str) -> dict[str, Any]:
    """The result pane's JSON once it shows ``showing`` (its editor draws only the lines in
    view, so the editor is asked for its text)."""
    pane = f"{RESULT} .CodeMirror"
    await page.wait_for_function(
        "([pane, text]) => document.querySelector(pane)?.CodeMirror.getValue().includes(text)",
        arg=[pane, showing],
        timeout=EVENT_MS,
    )
    shown: dict[str, Any] = json.loads(await page.eval_on_selector(pane, READ))
    return shown


async def test_an_example_runs_and_its_answer_shows(playground: Requests, page: Page) -> None:
    query = await page.eval_on_selector(".graphiql-query-editor .CodeMirror", READ)
    assert "query ResidentsAcrossSources" in query and "query Region" in query
    await page.click(".graphiql-execute-button")  # several operations: it asks which
    await page.get_by_role("menuitem", name="Region", exact=True).click()
    shown = await answer(page, "Kota Tangerang")
    assert shown["data"]["region"]["code"] == "36.71"
    assert "sources" in shown["extensions"]  # X-Padu-Trace: 1 came from the Headers tab


async def test_a_subscription_signs_in_with_the_headers_tab(
    site: Served, playground: Requests, page: Page
) -> None:
    await page.get_by_role("button", name="Headers", exact=True).click()
    headers = {"X-Padu-Trace": "1", **bearer(site.config, Role.ADMIN, ADMIN_ID)}
    await editor(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", json.dumps(headers))
    await editor(page, ".graphiql-query-editor", SUBSCRIPTION)
    # One operation now (GraphiQL reparses after a pause): the button runs it, no menu.
    await page.wait_for_function(f"() => {QUERY_EDITOR}.CodeMirror.operations?.length === 1")
    await page.click(".graphiql-execute-button")
    await page.wait_for_selector(".graphiql-execute-button[aria-label^='Stop query']")
    assert [u for u in playground.urls if u.startswith("ws:")] == [f"ws://{site.address}/graphql"]
    # The socket signed in with the Headers tab (connection_init), then subscribed.
    for _ in range(50):
        if any(m["type"] == "subscribe" for m in playground.sent):
            break
        await asyncio.sleep(0.05)
    init, subscribe = playground.sent[:2]
    assert init == {"type": "connection_init", "payload": headers}
    assert (subscribe["type"], subscribe["payload"]["query"]) == ("subscribe", SUBSCRIPTION)
    await asyncio.sleep(SETTLE_SECONDS)  # the server registers the subscription
    body = await site.ask(RESOLVE, {"id": "2"}, (Role.OFFICER, AGUS))
    assert body["data"]["resolveServiceRequest"]["errors"] == [], body
    shown = await answer(page, "STATUS_CHANGED")  # an admin sees every request's changes
    assert shown["data"] == {
        "serviceRequestChanged": {
            "requestId": node_id("ServiceRequest", 2),
            "kind": "STATUS_CHANGED",
        }
    }
