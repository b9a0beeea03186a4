"""Finding enterprises in a real Chromium: search, sort, several labels and reserved contracts
(article 2.82), back to the same search, and the page of an enterprise that is gone; each
page checked with axe-core at 1280 and 320 px, and the whole way walked with the keyboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.async_api import Page

from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from tests.fixtures.browser import assert_accessible_at_both_widths, tab_to
from tests.fixtures.served import served
from tests.unit.gateway.test_finding import ENTERPRISES
from tests.unit.gateway.test_sorting import CATALOGUE, EXPECTED

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def gateway_url() -> AsyncIterator[str]:
    """The gateway's pages over real HTTP, its read model (SQLite) holding the test
    catalogues; no feed (nothing to consume), so the app runs without its lifespan."""
    app = create_app(GatewaySettings(gateway_database_url="sqlite://"))
    create_tables(app.state.engine)
    for event in [*CATALOGUE, *ENTERPRISES]:
        record_enterprise_event(app.state.engine, event)
    async with served(app) as url:
        yield url
    app.state.engine.dispose()


async def result_ids(page: Page) -> list[str]:
    """The enterprises listed, in order, by their links."""
    hrefs = await page.locator("ol.result-list h3 a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return [urlsplit(href).path.rsplit("/", 1)[-1] for href in hrefs]


async def test_a_buyer_sorts_and_filters_by_several_labels_and_reserved_contracts(
    page: Page, gateway_url: str
) -> None:
    await page.goto(f"{gateway_url}/")
    await assert_accessible_at_both_widths(page, "the search page")
    await page.get_by_label("Sorteren op").select_option("ending")
    await page.get_by_role("button", name="Zoeken").click()
    await page.wait_for_url("**/?*sort=ending*")
    ids = await result_ids(page)
    assert [i for i in ids if i in EXPECTED["ending"]] == EXPECTED["ending"]

    await page.get_by_role("checkbox", name="PSO").check()
    await page.get_by_role("checkbox", name="Social Enterprise NL").check()
    await page.get_by_role("button", name="Zoeken").click()
    await page.wait_for_url("**label=senl*")
    assert parse_qs(urlsplit(page.url).query)["label"] == ["pso", "senl"]
    assert await page.get_by_role("checkbox", name="Social Enterprise NL").is_checked()
    await assert_accessible_at_both_widths(page, "the search page with two labels, sorted")

    reserved = page.get_by_role("checkbox", name="Alleen voor voorbehouden opdrachten")
    await reserved.check()
    await page.get_by_role("button", name="Zoeken").click()
    await page.wait_for_url("**reserved=true*")
    assert await result_ids(page) == ["kringloop"]
    assert await reserved.is_checked()
    hint = page.locator(f"#{await reserved.get_attribute('aria-describedby')}")
    assert "artikel 2.82 van de Aanbestedingswet 2012" in await hint.inner_text()
    await assert_accessible_at_both_widths(page, "the search page for reserved contracts")


async def test_a_buyer_walks_from_a_sorted_search_to_a_result_and_back_by_keyboard(
    page: Page, gateway_url: str
) -> None:
    await page.goto(f"{gateway_url}/?page_size=5")
    await tab_to(page, "#sort")
    await page.keyboard.press("ArrowDown")
    assert await page.locator("#sort").input_value() == "newest"
    await tab_to(page, "button[type=submit]")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await tab_to(page, "a[rel=next]")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    searched = page.url
    asked = parse_qs(urlsplit(searched).query)
    assert (asked["sort"], asked["page_size"], asked["page"]) == (["newest"], ["5"], ["2"])
    first = (await result_ids(page))[0]
    async with httpx.AsyncClient() as client:
        api = await client.get(f"{gateway_url}/api/v1/enterprises?sort=newest&page_size=100")
    assert first == api.json()["items"][5]["enterprise_id"]

    await tab_to(page, "ol.result-list h3 a")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert urlsplit(page.url).path == f"/ondernemingen/{first}"
    await assert_accessible_at_both_widths(page, "an enterprise's page")

    await tab_to(page, "p.back a")
    assert await page.evaluate("document.activeElement.textContent") == "Terug naar zoeken"
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    restored = parse_qs(urlsplit(page.url).query)
    assert restored == {key: values for key, values in asked.items() if any(values)}
    assert await page.locator("#sort").input_value() == "newest"


async def test_the_page_of_an_enterprise_that_is_gone_is_accessible_and_leads_on(
    page: Page, gateway_url: str
) -> None:
    response = await page.goto(f"{gateway_url}/ondernemingen/verlopen")
    assert response is not None and response.status == 410
    await assert_accessible_at_both_widths(page, "the page of an enterprise that is gone")
    await tab_to(page, "a[href*='verdwijnen']")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/over-het-overzicht"
    await assert_accessible_at_both_widths(page, "the page about the listing")
    await page.go_back()
    await tab_to(page, "a[href*='category=catering']")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert parse_qs(urlsplit(page.url).query)["category"] == ["catering", "schoonmaak"]
