"""The reference dashboard at /dashboard, in a real headless Chromium (Debian's ``chromium``).

The page must load, show the numbers the API gives, and move them within two seconds when a
request is resolved through the API, with no reload and nothing fetched from elsewhere.
"""

from __future__ import annotations

from playwright.async_api import Page

from padu.principal import Role
from tests.conftest import ADMIN_ID, Served
from tests.data import AGUS

UPDATE_MS = 2000  # the bound for a live update on the open page
LOAD_MS = 15000


async def metric(page: Page, name: str) -> str:
    return await page.inner_text(f'[data-metric="{name}"]')


async def test_the_page_shows_the_citys_numbers(site: Served, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(f"{site.http_url}/dashboard")
    await page.wait_for_selector('body[data-loaded="true"]', timeout=LOAD_MS)
    assert await page.inner_text("#region-name") == "Kota Tangerang"
    levels = (
        await site.ask(
            "{ dashboard { serviceLevels { total backlog overdue resolved } } }", {},
            (Role.DASHBOARD, "mayor-office"),
        )
    )["data"]["dashboard"]["serviceLevels"]  # fmt: skip
    for name, value in levels.items():
        assert await metric(page, name) == str(value), name
    assert await metric(page, "slaCompliance") == "100.0%"
    # Breakdowns are drawn: districts, units' learning compliance, predicates.
    assert await page.locator('#by-district .row[data-name="Tangerang"]').count() == 1
    learning = page.locator(
        '#learning .row[data-name="Dinas Kependudukan dan Pencatatan Sipil"] .num'
    )
    assert await learning.inner_text() == "1/1"  # Agus met 20 JP; Hendra is not active
    # Two units were rated, one officer each: too few for the dashboard role to see.
    assert "2 small unit-quarters not shown" in await page.inner_text("#predicate-legend")
    await page.wait_for_selector('#live[data-state="live"]', timeout=LOAD_MS)
    assert problems == []
    outside = [u for u in requested if not u.startswith((site.http_url, "data:"))]
    assert outside == []  # no CDN, no fonts: it runs on a closed network
    assert await page.is_hidden("#signin")


async def test_resolving_a_request_moves_the_numbers_without_a_reload(
    site: Served, page: Page
) -> None:
    await page.goto(f"{site.http_url}/dashboard")
    await page.wait_for_selector('#live[data-state="live"]', timeout=LOAD_MS)
    await page.wait_for_selector('body[data-loaded="true"]', timeout=LOAD_MS)
    await page.evaluate("window.notReloaded = true")
    before = int(await metric(page, "resolved"))
    backlog = int(await metric(page, "backlog"))

    body = await site.ask(
        'mutation { resolveServiceRequest(id: "2", resolution: "KK dicetak") { errors { code } } }',
        {}, (Role.OFFICER, AGUS),
    )  # fmt: skip
    assert body["data"]["resolveServiceRequest"]["errors"] == [], body
    await page.wait_for_function(
        "([resolved, backlog]) => document.querySelector('[data-metric=resolved]').textContent"
        " == resolved && document.querySelector('[data-metric=backlog]').textContent == backlog",
        arg=[str(before + 1), str(backlog - 1)],
        timeout=UPDATE_MS,
    )
    assert await page.evaluate("window.notReloaded") is True
    await page.wait_for_function(
        "() => document.querySelector('#changes').textContent.includes('LKS-2026-000002')",
        timeout=UPDATE_MS,
    )


async def test_without_a_token_the_page_asks_for_one(site: Served, page: Page) -> None:
    await page.goto(f"{site.http_url}/dashboard#token=not-a-token")
    await page.wait_for_selector("#signin:not([hidden])", timeout=LOAD_MS)
    assert "token" in (await page.inner_text("#signin-reason")).lower()
    admin = await site.ask("{ region { name } }", {}, (Role.ADMIN, ADMIN_ID))
    assert admin["data"]["region"]["name"] == "Kota Tangerang"
