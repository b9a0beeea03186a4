"""The news, agenda and hotspot pages in Chromium: WCAG 2.1 AA by axe-core at 1280 and
320 px, no sideways scrolling, the filter usable with the keyboard alone, and hostile item
HTML inert (no script of an item runs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.fixtures.browser import assert_accessible_at_both_widths, tab_to
from tests.fixtures.served import served
from tests.unit.gateway.news_agenda_app import hotspot_app
from tests.unit.gateway.news_agenda_events import news_item, published
from tests.unit.gateway.test_news_agenda_pages import NEWS, agenda_events

pytestmark = pytest.mark.integration

HOSTILE = published(
    news_item(
        "nieuws-hostile",
        title="Let op <img src=x onerror=window.hacked=1>",
        summary_html="<p>Tekst <script>window.hacked=2</script>"
        '<img src=x onerror="window.hacked=3">'
        '<a href="javascript:window.hacked=4">klik</a>'
        ' <b onmouseover="window.hacked=5">vet</b></p>',
    )
)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[str]:
    """The gateway with three hotspots' news and agenda, served on 127.0.0.1."""
    with hotspot_app(
        tmp_path,
        news=[*NEWS, HOSTILE],
        agenda=agenda_events(),
        public_base_url="http://127.0.0.1:8000",
        gateway_allowed_hosts="127.0.0.1,localhost",
    ) as app:
        async with served(app) as url:
            yield url


@pytest.mark.parametrize(
    "path",
    [
        "/nieuws",
        "/nieuws?region=regio-zwolle",
        "/nieuws?region=zeeland",
        "/agenda",
        "/agenda?period=past",
        "/hotspots/impact-deventer",
        "/nieuws?region=atlantis",
    ],
)
async def test_news_and_agenda_pages_are_accessible_and_reflow(
    page: Page, site: str, path: str
) -> None:
    response = await page.goto(site + path)
    assert response is not None and response.status in (200, 422)
    await assert_accessible_at_both_widths(page, path)


async def test_the_region_filter_works_with_the_keyboard_alone(page: Page, site: str) -> None:
    await page.goto(site + "/agenda")
    await tab_to(page, "#region")
    await page.keyboard.press("ArrowDown")  # a focused select takes the next option
    await tab_to(page, "button:has-text('Toon')")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/agenda?region=*")
    assert "region=regio-zwolle" in page.url
    heading = await page.get_by_role("heading", level=1).text_content()
    assert heading == "Agenda van de hotspots in Regio Zwolle"
    assert "Er zijn geen komende evenementen." in (await page.locator("main").text_content() or "")


async def test_hostile_html_of_an_item_never_runs(page: Page, site: str) -> None:
    await page.goto(site + "/nieuws")
    item = page.get_by_role("listitem").filter(has_text="Let op")
    await item.locator("b").hover()
    await item.locator("a", has_text="klik").click()  # its javascript: address was dropped
    assert await page.evaluate("window.hacked === undefined")
    assert await item.locator("img, script").count() == 0
    title = await item.get_by_role("heading").text_content()
    assert title == "Let op <img src=x onerror=window.hacked=1>"
