"""A buyer builds an inkooplijst in Debian's Chromium: from the search and detail pages and
the list's own search, with notes; shares it (read-only in a fresh browser), replaces the share
link, exports the list and a search (parsed), prints it on A4; every new page passes axe-core
at 1280 and 320 px, and the list is built with the keyboard alone."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page

from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from services.kit.processes import free_port
from tests.fixtures.browser import WIDTHS, assert_accessible_at_both_widths
from tests.fixtures.served import served
from tests.unit.gateway.events import holding, listed, supplement

pytestmark = pytest.mark.integration

A4_WIDTH = 794
CATALOGUE = (
    listed(
        "kringloop",
        labels=(holding("pso", level="trede-3", pso30plus=True),),
        supplement=supplement(contact={"email": "inkoop@kringlooptwente.example"}),
    ),
    listed("fietser", name="De Groene Fietser", place="Zwolle", region="Regio Zwolle"),
    listed("bakkerij", name="Bakkerij Één", place="Deventer", kvk=("01234567",)),
    listed("formule", name="=Formule Catering", place="Apeldoorn"),
)


@pytest.fixture(scope="module")
async def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A gateway serving HTTP on a free port (no NATS: the read model is seeded directly)."""
    data = tmp_path_factory.mktemp("shortlists-browser")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = GatewaySettings(
        nats_url=f"nats://127.0.0.1:{free_port()}",
        data_dir=data,
        gateway_database_url=f"sqlite:///{data / 'gateway.db'}",
        public_base_url=url,
    )
    app = create_app(settings)
    create_tables(app.state.engine)
    for event in CATALOGUE:
        record_enterprise_event(app.state.engine, event)
    async with served(app, port=port, lifespan="on"):
        yield url


def named(name: str) -> re.Pattern[str]:
    """An accessible name with its words as given; visually hidden parts (`: Kringloop
    Twente`) join the visible text with whatever spacing the browser computes."""
    words = name.replace(":", " ").split()
    return re.compile("^" + r"[\s:]+".join(map(re.escape, words)) + "$")


async def press(page: Page, name: str) -> None:
    """Click a button and wait for the page it leads to."""
    async with page.expect_navigation():
        await page.get_by_role("button", name=named(name)).click()


async def downloaded(page: Page, link: str) -> tuple[str, bytes]:
    """Follow a download link on the page: the file's suggested name and its bytes."""
    async with page.expect_download() as info:
        await page.get_by_role("link", name=link, exact=True).click()
    download = await info.value
    path = await download.path()
    return download.suggested_filename, await asyncio.to_thread(Path(path).read_bytes)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """A CSV export read as Dutch Excel would: BOM, `;`."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


async def fits_a4(page: Page) -> None:
    """In print, at A4's width, nothing sticks out sideways, no form shows, a PDF is made."""
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": A4_WIDTH, "height": 1123})
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= A4_WIDTH
    shown = "forms => forms.filter(f => getComputedStyle(f).display !== 'none').length"
    assert await page.locator("main form").evaluate_all(shown) == 0
    assert (await page.pdf(format="A4")).startswith(b"%PDF")
    await page.emulate_media(media="screen")
    await page.set_viewport_size({"width": WIDTHS[0], "height": 900})


async def test_a_buyer_builds_shares_renews_exports_and_prints_a_list(
    gateway_url: str, browser: Browser, page: Page
) -> None:
    await page.goto(f"{gateway_url}/?q=catering")
    await page.get_by_role("link", name="Maak een inkooplijst").click()
    await page.wait_for_url("**/inkooplijsten")
    await assert_accessible_at_both_widths(page, "the start page")
    await page.get_by_label("Naam van de lijst").fill("Kerstpakketten 2026")
    await page.get_by_label("Notitie bij de lijst (niet verplicht)").fill("Voor Inkoop")
    await press(page, "Inkooplijst maken")
    assert "Uw inkooplijst is gemaakt" in await page.locator("main").inner_text()
    await assert_accessible_at_both_widths(page, "a new, empty list's edit page")
    edit_url = page.url.split("?")[0]

    await page.goto(f"{gateway_url}/?q=kringloop")
    await assert_accessible_at_both_widths(page, "the search page with add buttons")
    await press(page, "Zet op inkooplijst: Kringloop Twente")
    assert page.url == f"{gateway_url}/?q=kringloop"
    assert await page.get_by_text("Staat op uw inkooplijst").is_visible()
    await page.goto(f"{gateway_url}/ondernemingen/formule")
    await assert_accessible_at_both_widths(page, "the enterprise page with its add button")
    await press(page, "Zet op inkooplijst: =Formule Catering")

    await page.goto(edit_url)
    await page.get_by_label("Zoek een onderneming om toe te voegen").fill("bakkerij")
    await press(page, "Zoeken")
    await assert_accessible_at_both_widths(page, "the edit page with search results")
    await press(page, "Toevoegen: Bakkerij Één")
    await page.get_by_label("Notitie bij Kringloop Twente").fill("Bellen in mei")
    await press(page, "Notitie bewaren bij Kringloop Twente")
    main = await page.locator("main").inner_text()
    assert "Uw notitie is bewaard." in main and "Ondernemingen op deze lijst (3)" in main
    await assert_accessible_at_both_widths(page, "the edit page with three enterprises")

    name, data = await downloaded(page, "CSV voor Excel")
    assert re.fullmatch(r"inkooplijst-kerstpakketten-2026-\d{4}-\d{2}-\d{2}\.csv", name)
    rows = {row["Naam"]: row for row in csv_rows(data)}
    assert set(rows) == {"Kringloop Twente", "'=Formule Catering", "Bakkerij Één"}
    assert rows["Kringloop Twente"]["Notitie"] == "Bellen in mei"
    assert rows["Kringloop Twente"]["Geldig tot"] == "12-03-2026"
    assert rows["Kringloop Twente"]["E-mail contact"] == "inkoop@kringlooptwente.example"
    name, data = await downloaded(page, "Excel-bestand (XLSX)")
    sheet = load_workbook(io.BytesIO(data)).active
    assert name.endswith(".xlsx") and sheet is not None
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "Kringloop Twente",
        "=Formule Catering",
        "Bakkerij Één",
    }
    await fits_a4(page)

    share_url = await page.locator("#delen .link a").nth(1).get_attribute("href")
    assert share_url and share_url.startswith(f"{gateway_url}/inkooplijsten/bekijken/")
    colleague = await browser.new_context(
        locale="nl-NL", timezone_id="Europe/Amsterdam", bypass_csp=True
    )
    try:
        shared = await colleague.new_page()
        await shared.goto(share_url)
        text = await shared.locator("main").inner_text()
        assert "Bellen in mei" in text and "Bakkerij Één" in text
        assert await shared.locator("main form, main textarea, main button").count() == 0
        await assert_accessible_at_both_widths(shared, "the shared, read-only list")
        await fits_a4(shared)
        await press(page, "Nieuwe deellink maken")
        assert "de oude werkt niet meer" in await page.locator("main").inner_text()
        retired = await shared.goto(share_url)
        assert retired is not None and retired.status == 404
    finally:
        await colleague.close()

    await page.goto(f"{gateway_url}/?q=catering")
    name, data = await downloaded(page, "CSV voor Excel")
    assert re.fullmatch(r"ondernemingen-\d{4}-\d{2}-\d{2}\.csv", name)
    assert [row["Naam"] for row in csv_rows(data)] == ["'=Formule Catering"]


async def focus_by_tab(page: Page, name: str, limit: int = 120) -> None:
    """Press Tab until the focused element's label or text is `name` (see `named`)."""
    script = (
        "() => { const e = document.activeElement; if (!e) return ''; "
        "const label = e.labels && e.labels.length ? e.labels[0].innerText : ''; "
        "return (label || e.innerText || e.value || '').trim(); }"
    )
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if named(name).match(" ".join((await page.evaluate(script)).split())):
            return
    raise AssertionError(f"Tab never reached {name!r} on {page.url}")


async def test_a_list_is_built_with_the_keyboard_alone(gateway_url: str, page: Page) -> None:
    await page.goto(f"{gateway_url}/inkooplijsten")
    await focus_by_tab(page, "Naam van de lijst")
    await page.keyboard.type("Mijn groene lijst")
    await focus_by_tab(page, "Inkooplijst maken")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await focus_by_tab(page, "Naar de zoekpagina")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await focus_by_tab(page, "Zoekterm")
    await page.keyboard.type("fietser")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await focus_by_tab(page, "Zet op inkooplijst: De Groene Fietser")
    async with page.expect_navigation():
        await page.keyboard.press("Space")
    await focus_by_tab(page, "Mijn groene lijst")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await focus_by_tab(page, "Notitie bij De Groene Fietser")
    await page.keyboard.type("Offerte vragen")
    await focus_by_tab(page, "Notitie bewaren bij De Groene Fietser")
    async with page.expect_navigation():
        await page.keyboard.press("Space")
    main = await page.locator("main").inner_text()
    assert "Ondernemingen op deze lijst (1)" in main and "Uw notitie is bewaard." in main
    assert await page.get_by_label("Notitie bij De Groene Fietser").input_value() == (
        "Offerte vragen"
    )
