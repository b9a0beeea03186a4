"""The editors' pages in Chromium, served over HTTP with the notifier and a real SMTP server
beside them: an editor asks for a link, signs in with the mailed link, and adds, corrects and
withdraws items; every page passes axe-core (WCAG 2.1 AA) at 1280 and 320 px."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page

from services.gateway.config import GatewaySettings
from services.gateway.main import create_app as create_gateway
from services.kit.processes import free_port
from services.notifier.config import NotifierSettings
from tests.fixtures.browser import assert_accessible_at_both_widths, tab_to
from tests.fixtures.served import served
from tests.fixtures.servers import NatsUsers, SmtpSink, running_nats, running_smtp
from tests.integration.notifier.helpers import body, eventually, running_notifier

pytestmark = pytest.mark.integration
pytest_plugins = ("tests.fixtures.browser",)

EDITOR = "redactie@buurtkracht.example"
HOTSPOTS = [
    {
        "slug": "buurtkracht",
        "name": "Buurtkracht Deventer",
        "region": "Stedendriehoek en Noordwest Veluwe",
        "website": "https://buurtkracht.example/",
        "editors": [EDITOR],
    }
]


@pytest.fixture
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    with running_nats(tmp_path_factory.mktemp("editor-browser-nats")) as running:
        yield running


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpSink]:
    with running_smtp(tmp_path / "maildir") as sink:
        yield sink


async def test_an_editor_signs_in_and_keeps_the_agenda_by_keyboard_on_accessible_pages(
    users: NatsUsers, smtp: SmtpSink, tmp_path: Path, page: Page
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hotspots = tmp_path / "hotspots.json"
    hotspots.write_text(json.dumps(HOTSPOTS), encoding="utf-8")
    gateway = GatewaySettings(
        nats_url=users.url("gateway"),
        data_dir=tmp_path / "gateway",
        gateway_port=port,
        public_base_url=base,
        hotspots_file=hotspots,
    )
    notifier = NotifierSettings(
        nats_url=users.url("notifier"),
        data_dir=tmp_path / "notifier",
        smtp_port=smtp.port,
        public_base_url=base,
    )
    app = create_gateway(gateway)
    async with served(app, port=port, lifespan="on"), running_notifier(notifier):
        await page.goto(f"{base}/redactie")
        await assert_accessible_at_both_widths(page, "the editors' index")
        await page.get_by_role("link", name="Buurtkracht Deventer").click()
        await assert_accessible_at_both_widths(page, "the editor's sign-in form")

        await page.get_by_label("Uw e-mailadres").fill("geen-adres")
        await page.get_by_role("button", name="Stuur mij een inloglink").click()
        await page.get_by_role("alert").wait_for()
        await assert_accessible_at_both_widths(page, "the sign-in form with its error")
        await page.get_by_label("Uw e-mailadres").fill(EDITOR)
        await page.get_by_role("button", name="Stuur mij een inloglink").click()
        await page.get_by_role("status").wait_for()
        await assert_accessible_at_both_widths(page, "the page after asking for a link")

        await eventually(lambda: smtp.messages_to(EDITOR), what="the sign-in mail")
        (mail,) = smtp.messages_to(EDITOR)
        found = re.search(rf"{re.escape(base)}/redactie/inloggen\?token=\S+", body(mail, "plain"))
        assert found is not None
        for _ in range(100):  # until the gateway has recorded the link's hash
            if (await page.goto(found.group(0))) and "Inloggen" in await page.title():
                break
            await page.wait_for_timeout(100)
        await assert_accessible_at_both_widths(page, "the sign-in confirmation")
        await page.get_by_role("button", name="Inloggen").click()
        await page.get_by_role("heading", name="Redactie van Buurtkracht Deventer").wait_for()
        await assert_accessible_at_both_widths(page, "the editor's empty item list")

        await page.get_by_role("link", name="Agenda-item toevoegen").click()
        await assert_accessible_at_both_widths(page, "the agenda form")
        await page.get_by_label("Titel").fill("Buurtlunch")
        await page.get_by_label("Datum", exact=True).fill("2027-03-28")
        await page.get_by_label("Begintijd").fill("02:30")
        await page.get_by_role("button", name="Opslaan en publiceren").click()
        await page.get_by_role("alert").wait_for()
        assert "bestaat niet op die dag" in await page.get_by_role("alert").inner_text()
        assert await page.get_by_label("Titel").input_value() == "Buurtlunch"
        await assert_accessible_at_both_widths(page, "the agenda form with its error")
        await page.get_by_label("Begintijd").fill("12:00")
        await tab_to(page, "role=button[name='Opslaan en publiceren']")
        await page.keyboard.press("Enter")
        await page.get_by_role("status").wait_for()
        assert "verschijnt binnen enkele minuten" in await page.get_by_role("status").inner_text()
        await assert_accessible_at_both_widths(page, "the saved confirmation")

        await page.get_by_role("link", name="Terug naar de redactie van").click()
        await page.get_by_role("link", name="Nieuwsbericht toevoegen").click()
        await page.get_by_role("button", name="Opslaan en publiceren").click()
        await page.get_by_role("alert").wait_for()
        await assert_accessible_at_both_widths(page, "the news form with its errors")
        await page.get_by_label("Titel").fill("Nieuwe buurtkamer open")
        await page.get_by_label("Tekst").fill("Vanaf maandag open.\n\nWelkom!")
        await page.get_by_role("button", name="Opslaan en publiceren").click()
        await page.get_by_role("status").wait_for()
        await page.get_by_role("link", name="Terug naar de redactie van").click()
        await assert_accessible_at_both_widths(page, "the editor's item list")

        withdraw = re.compile(r"^Intrekken\W+Nieuwe buurtkamer open$")
        await page.get_by_role("link", name=withdraw).click()
        await assert_accessible_at_both_widths(page, "the withdrawal confirmation")
        await page.get_by_role("button", name="Ja, intrekken").click()
        await page.get_by_role("status").wait_for()
        await page.get_by_role("button", name="Uitloggen").click()
        await page.get_by_role("status").wait_for()
        await assert_accessible_at_both_widths(page, "the signed-out page")
