"""The regions' pages in Chromium: WCAG 2.1 AA by axe-core at 1280 and 320 px, no sideways
scrolling at 320 px, and reachable with the keyboard alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page

from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from tests.fixtures.browser import assert_accessible_at_both_widths
from tests.fixtures.served import served
from tests.unit.gateway.test_region_pages import TWENTE, coordinators_file

pytestmark = pytest.mark.integration


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[str]:
    """The gateway with Twente's enterprises and coordinator, served on 127.0.0.1."""
    settings = GatewaySettings(
        gateway_database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        gateway_sroi_coordinators_file=coordinators_file(tmp_path),
        gateway_provinces="overijssel,gelderland",
    )
    app = create_app(settings)
    create_tables(app.state.engine)
    app.state.regions.load()
    app.state.regions.now = lambda: datetime(2025, 4, 15, tzinfo=UTC)
    for event in TWENTE:
        record_enterprise_event(app.state.engine, event)
    async with served(app) as url:
        yield url
    app.state.engine.dispose()


@pytest.mark.parametrize("path", ["/regios", "/regios/twente", "/regios/achterhoek"])
async def test_region_pages_are_accessible_and_reflow(page: Page, site: str, path: str) -> None:
    response = await page.goto(site + path)
    assert response is not None and response.status == 200
    await assert_accessible_at_both_widths(page, path)


async def test_the_chart_is_announced_as_one_image_with_its_description(
    page: Page, site: str
) -> None:
    await page.goto(site + "/regios/twente")
    chart = page.get_by_role("img", name="Vermelde ondernemingen en vervallen labels per maand")
    assert await chart.count() == 1
    assert "De tabel naast de grafiek geeft alle cijfers" in (
        await page.locator("#chart-desc").text_content() or ""
    )
    table = page.get_by_role("table", name="Vermelde ondernemingen aan het eind van elke maand")
    assert await table.locator("tbody tr").count() == 12


async def test_from_the_menu_to_an_enterprise_with_the_keyboard_alone(
    page: Page, site: str
) -> None:
    await page.goto(site + "/")
    focused = ""
    for _ in range(10):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Regio’s":
            break
    assert focused == "Regio’s"
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/regios")
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.textContent.trim()") == "Twente":
            break
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/regios/twente")
    for _ in range(20):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.textContent.trim()") == "Groen Werkt":
            break
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/ondernemingen/groen")
    assert await page.get_by_role("heading", level=1).text_content() == "Groen Werkt"
