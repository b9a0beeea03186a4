"""The alert pages in a real Chromium against a gateway on a real nats-server: from the
search page to the form, the confirmation, the manage page and the unsubscribe page, each
checked by axe-core (WCAG 2.1 A/AA) at 1280 and 320 px wide, and walked with the keyboard
alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from playwright.async_api import Page

from contracts.subjects import alert_subject
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from services.kit.processes import free_port
from tests.fixtures.browser import assert_accessible_at_both_widths, tab_to
from tests.fixtures.served import served
from tests.fixtures.servers import NatsUsers, running_nats
from tests.integration.notifier.helpers import eventually
from tests.unit.gateway.events import listed

pytestmark = pytest.mark.integration
ADDRESS = "inkoop@enschede.example"


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    with running_nats(tmp_path_factory.mktemp("alerts-browser-nats")) as running:
        yield running


@pytest.fixture
async def gateway_url(
    users: NatsUsers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The gateway served over HTTP (as the `gateway` NATS user), a caterer listed."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = GatewaySettings(
        nats_url=users.url("gateway"),
        data_dir=tmp_path_factory.mktemp("alerts-browser"),
        public_base_url=base,
        gateway_consumer="gw-alerts-browser",
    )
    app = create_app(settings)
    create_tables(app.state.engine)
    record_enterprise_event(app.state.engine, listed("kringloop", categories=("catering",)))
    async with served(app, port=port, lifespan="on"):
        await eventually(lambda: app.state.feed.started, "the gateway's feed")
        yield base


async def press(page: Page, key: str) -> None:
    """Press `key` on the focused element and wait for the page it loads."""
    async with page.expect_navigation():
        await page.keyboard.press(key)


async def published(users: NatsUsers, kind: str) -> dict[str, str]:
    """The newest alert event of `kind` on ALERTS."""
    nc = await nats.connect(users.url())
    try:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
        subscription = await nc.jetstream().pull_subscribe(alert_subject(kind), config=config)
        messages = await subscription.fetch(100, timeout=5)
        payload: dict[str, str] = json.loads(messages[-1].data)
        return payload
    finally:
        await nc.close()


async def test_the_alert_pages_pass_axe_and_work_by_keyboard_alone(
    page: Page, gateway_url: str, users: NatsUsers
) -> None:
    await page.goto(f"{gateway_url}/?category=catering&region=Twente")
    await tab_to(page, "text=Houd mij op de hoogte >> xpath=ancestor-or-self::button")
    await press(page, "Enter")
    assert "/meldingen/nieuw" in page.url
    await assert_accessible_at_both_widths(page, "the alert form")
    assert await page.locator("#category-catering").is_checked()
    assert await page.locator("#region").input_value() == "Twente"

    await tab_to(page, "#email")
    await page.keyboard.type(ADDRESS)
    await tab_to(page, "#frequency-weekly")
    await page.keyboard.press("ArrowUp")
    assert await page.locator("#frequency-daily").is_checked()
    await tab_to(page, "#category-schoonmaak")
    await page.keyboard.press("Space")
    await tab_to(page, "button:has-text('Melding aanvragen')")
    await press(page, "Enter")
    assert await page.locator("h1").inner_text() == "Bevestig uw melding"
    await assert_accessible_at_both_widths(page, "the page after asking")

    confirmation = await published(users, "confirmation_requested")
    assert confirmation["frequency"] == "daily"
    assert confirmation["confirm_url"].startswith(gateway_url)
    await page.goto(confirmation["confirm_url"])
    await assert_accessible_at_both_widths(page, "the confirmation page")
    await tab_to(page, "button:has-text('Melding bevestigen')")
    await press(page, "Enter")
    assert await page.locator("h1").inner_text() == "Uw melding is bevestigd"
    await assert_accessible_at_both_widths(page, "the confirmed page")

    await tab_to(page, "a:has-text('Melding nu wijzigen of stoppen')")
    await press(page, "Enter")
    await assert_accessible_at_both_widths(page, "the manage page")
    assert await page.locator("#category-schoonmaak").is_checked()
    await tab_to(page, "#label-pso")
    await page.keyboard.press("Space")
    await tab_to(page, "button:has-text('Wijzigingen opslaan')")
    await press(page, "Enter")
    assert "Uw wijzigingen zijn opgeslagen" in await page.locator("main").inner_text()
    assert await page.locator("#label-pso").is_checked()
    await assert_accessible_at_both_widths(page, "the manage page after saving")

    await page.goto(confirmation["unsubscribe_url"])
    await assert_accessible_at_both_widths(page, "the unsubscribe page")
    await tab_to(page, "button:has-text('Afmelden')")
    await press(page, "Enter")
    assert await page.locator("h1").inner_text() == "Uw melding is gestopt"
    await assert_accessible_at_both_widths(page, "the stopped page")
    await page.goto(confirmation["manage_url"])
    assert await page.locator("h1").inner_text() == "Deze melding bestaat niet meer"
