"""The knowledge pages and the SROI calculator in Chromium: WCAG 2.1 AA by axe-core at 1280
and 320 px, no sideways scrolling, and the calculator used with the keyboard alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page

from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.knowledge.library import Knowledge
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from tests.fixtures.browser import assert_accessible_at_both_widths, tab_to
from tests.fixtures.served import served
from tests.unit.gateway.bouwblokken_support import TEST_MODEL
from tests.unit.gateway.events import holding, listed

pytestmark = pytest.mark.integration

ENTERPRISES = (
    listed("kringloop", labels=(holding("pso", level="trede-3", pso30plus=True),)),
    listed("bakkerij", name="Bakkerij Trede", labels=(holding("pso", level="trede-1"),)),
)


async def _site(tmp_path: Path, knowledge: Knowledge | None = None) -> AsyncIterator[str]:
    settings = GatewaySettings(gateway_database_url=f"sqlite:///{tmp_path / 'gateway.db'}")
    app = create_app(settings)
    if knowledge is not None:
        app.state.knowledge = knowledge
    create_tables(app.state.engine)
    for event in ENTERPRISES:
        record_enterprise_event(app.state.engine, event)
    async with served(app) as url:
        yield url
    app.state.engine.dispose()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[str]:
    """The gateway with the shipped model, served on 127.0.0.1."""
    async for url in _site(tmp_path):
        yield url


@pytest.fixture
async def test_model_site(tmp_path: Path) -> AsyncIterator[str]:
    """The gateway whose calculator uses made-up test factors."""
    async for url in _site(tmp_path, Knowledge(model_file=TEST_MODEL, allow_test_data=True)):
        yield url


@pytest.mark.parametrize(
    "path",
    [
        "/kennis",
        "/kennis/sroi",
        "/kennis/pso",
        "/kennis/inkopen-via-het-platform",
        "/ondernemingen/kringloop",
        "/ondernemingen/kringloop?inkoopbedrag=10.000",
        "/ondernemingen/kringloop?inkoopbedrag=abc",
        "/ondernemingen/bakkerij?inkoopbedrag=500",
    ],
)
async def test_knowledge_and_calculator_pages_are_accessible_and_reflow(
    page: Page, site: str, path: str
) -> None:
    response = await page.goto(site + path)
    assert response is not None and response.status == 200
    await assert_accessible_at_both_widths(page, path)


async def test_the_calculator_answers_with_the_keyboard_alone(
    page: Page, test_model_site: str
) -> None:
    await page.goto(test_model_site + "/ondernemingen/kringloop")
    await tab_to(page, "#inkoopbedrag")
    await page.keyboard.type("12.500")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/ondernemingen/kringloop?inkoopbedrag=12.500#sroi-rekenhulp")
    figure = page.locator(".calculator-figure")
    assert "€ 10.000,00" in (await figure.text_content() or "")
    await assert_accessible_at_both_widths(page, "calculator with a figure")


async def test_the_menu_leads_to_the_knowledge_pages(page: Page, site: str) -> None:
    await page.goto(site + "/")
    await tab_to(page, "nav >> text=Kennis")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/kennis")
    await page.get_by_role("link", name="Social return (SROI) in Oost-Nederland").click()
    table = page.get_by_role(
        "table", name="Doelgroepen: wat het in dienst nemen of plaatsen van iemand waard is"
    )
    assert await table.locator("tbody tr").count() == 8
