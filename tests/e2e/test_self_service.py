"""An enterprise completes its own listing, in a real Chromium against the running platform.

The owner of a listed enterprise opens its public page, asks for a sign-in link with the
address the platform knows for it, reads the link from the mail sink's Maildir, confirms,
fills in what it offers and whom buyers may contact, and sees the public page show it,
while a regional subscriber of its own receives the enterprise's new state. An address the
platform does not trust gets the same answer and no mail, and waits as a claim for an
operator. Every page on the way passes axe-core's WCAG 2.1 A/AA rules.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, Response

from contracts.enterprises import EnterpriseEvent, EnterpriseUpdated
from contracts.subjects import slug
from services.demo.contacts import contact_rows
from services.demo.platform import Platform
from services.demo.world import World
from services.kit.processes import free_port
from tests.e2e.conftest import eventually, mails, plain_text, regional_event
from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+/aanvullen/inloggen\?token=[A-Za-z0-9_\-]+")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
CONTACT_EMAIL = "verkoop@voorbeeld.example"
DESCRIPTION = "Wij verzorgen lunches en borrels met streekproducten, bereid door onze koks."
OUTSIDER = "inkoop@ergens-anders.example"


@dataclass(frozen=True)
class Known:
    """A listed enterprise and the address the operator's contacts file gives for it."""

    enterprise_id: str
    name: str
    province: str
    address: str


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    data_dir = tmp_path_factory.mktemp("self-service")
    # The platform writes the demo's contacts file here; registry and notifier both read it.
    contacts = str(data_dir / "contacts.csv")
    running = Platform(
        data_dir=data_dir,
        gateway_port=free_port(),
        env={
            "IMPACTOOST_SCRAPE_REQUEST_RATE": "50",
            "IMPACTOOST_SCRAPE_INTERVAL_SECONDS": "3600",
            "IMPACTOOST_MAIL_QUIET_SECONDS": "2",
            "IMPACTOOST_REGISTRY_CONTACTS_FILE": contacts,
            "IMPACTOOST_NOTIFIER_CONTACTS_FILE": contacts,
        },
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
async def known(platform: Platform) -> list[Known]:
    """Listed enterprises with a province and a contacts-file address of their own, once the
    first scrape has listed them."""
    by_kvk = {kvk: mail for kvk, _, mail in contact_rows(World()) if kvk}
    found: list[Known] = []

    async def listed() -> bool:
        found.clear()
        async with httpx.AsyncClient(base_url=platform.gateway_url) as client:
            response = await client.get("api/v1/enterprises", params={"page_size": 100})
        for item in response.json()["items"]:
            address = next((by_kvk[k] for k in item["kvk"] if k in by_kvk), None)
            if address and item["province"] and address not in {k.address for k in found}:
                found.append(Known(item["enterprise_id"], item["name"], item["province"], address))
        return len(found) >= 2

    await eventually(listed, 90, "the first scrape to list enterprises with a known address")
    return found


def today_nl() -> str:
    """Today in Amsterdam, as the pages write a date: `7 december 2025`."""
    today: date = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    return f"{today.day} {MONTHS[today.month - 1]} {today.year}"


async def press(page: Page, button: str) -> Response | None:
    """Press a form's button; the answer, once it has loaded."""
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name=button, exact=True).click()
    return await navigation.value


def public_page(platform: Platform, enterprise: Known) -> str:
    """The enterprise's page as buyers see it."""
    return f"{platform.gateway_url}ondernemingen/{enterprise.enterprise_id}"


async def ask_for_link(page: Page, platform: Platform, enterprise: Known, address: str) -> str:
    """From the enterprise's public page to the sign-in form, then ask for a link for
    `address`; returns the answer's main text, with the address itself left out."""
    if page.url != public_page(platform, enterprise):
        await page.goto(public_page(platform, enterprise))
    await page.get_by_role("link", name="Vul uw vermelding aan").click()
    await page.wait_for_url(f"**/ondernemingen/{enterprise.enterprise_id}/aanvullen")
    await assert_accessible(page, "the sign-in page")
    await page.get_by_label(re.compile("e-mail", re.IGNORECASE)).fill(address)
    answer = await press(page, "Stuur mij een inloglink")
    assert answer is not None
    assert answer.ok
    assert page.url.split("?")[0].endswith(f"/ondernemingen/{enterprise.enterprise_id}/aanvullen")
    return (await page.locator("main").inner_text()).replace(address, "<adres>")


async def sign_in_link(platform: Platform, address: str, timeout: float = 60.0) -> str:
    """The link in the sign-in mail to `address`, once it has arrived."""
    links: list[str] = []

    async def arrived() -> bool:
        links[:] = [
            link
            for message in mails(platform.maildir)
            if address in message["To"]
            for link in LINK.findall(plain_text(message))
        ]
        return bool(links)

    await eventually(arrived, timeout, f"a sign-in mail to {address}")
    assert len(links) == 1, links
    return links[0]


async def fill_supplement(page: Page, phone: str, category: str) -> None:
    """Describe the enterprise, choose a category and 'heel Nederland', name a contact."""
    await page.get_by_label(re.compile("beschrijving", re.IGNORECASE)).fill(DESCRIPTION)
    await page.get_by_role("checkbox", name=category, exact=True).check()
    await page.get_by_label("Heel Nederland", exact=True).check()
    contact = page.get_by_role("group", name=re.compile("contact", re.IGNORECASE))
    await contact.get_by_label(re.compile("naam", re.IGNORECASE)).fill("Sanne de Vries")
    await contact.get_by_label(re.compile("e-mail", re.IGNORECASE)).fill(CONTACT_EMAIL)
    await contact.get_by_label(re.compile("telefoon", re.IGNORECASE)).fill(phone)


async def test_an_enterprise_completes_its_listing_and_buyers_and_regions_see_it(
    platform: Platform, known: list[Known], browser_context: BrowserContext, page: Page
) -> None:
    enterprise = known[0]
    await page.goto(f"{platform.gateway_url}?{urlencode({'q': enterprise.name})}")
    await page.get_by_role("link", name=enterprise.name, exact=True).first.click()
    # The result's link carries the search it came from ("Terug naar zoeken").
    await page.wait_for_url(lambda url: url.split("?")[0] == public_page(platform, enterprise))
    await assert_accessible(page, "the enterprise's page before its supplement")

    await ask_for_link(page, platform, enterprise, enterprise.address)
    link = await sign_in_link(platform, enterprise.address)
    # A mail scanner that fetches the link first must not use it up.
    async with httpx.AsyncClient() as scanner:
        assert (await scanner.get(link)).status_code == 200
    await page.goto(link)
    await assert_accessible(page, "the sign-in confirmation page")
    await press(page, "Inloggen")
    await page.wait_for_url(f"**/aanvullen/{enterprise.enterprise_id}/bewerken")
    session = [c for c in await browser_context.cookies() if c["httpOnly"]]
    assert session, "the sign-in sets an HttpOnly session cookie"
    assert all(c["sameSite"] == "Lax" and not c["secure"] for c in session)
    await assert_accessible(page, "the edit form")

    await fill_supplement(page, phone="12345", category="Catering")
    refused = await press(page, "Aanvulling versturen")
    assert refused is not None
    assert refused.status == 400
    assert await page.get_by_label("Telefoonnummer").get_attribute("aria-invalid") == "true"
    assert "Er is nog niets gewijzigd" in await page.locator("main").inner_text()
    await assert_accessible(page, "the edit form showing an error")

    await fill_supplement(page, phone="0570 123456", category="Catering")
    accepted = await press(page, "Aanvulling versturen")
    submitted_on = today_nl()
    assert accepted is not None
    assert accepted.ok
    assert "ontvangen" in (await page.locator("main").inner_text()).lower()
    await assert_accessible(page, "the page saying the supplement was received")

    detail = public_page(platform, enterprise)

    async def shown() -> bool:
        async with httpx.AsyncClient() as client:
            text = (await client.get(detail)).text
        return DESCRIPTION in text and CONTACT_EMAIL in text

    await eventually(shown, 60, "the supplement on the public page")
    await page.goto(detail)
    main = " ".join((await page.locator("main").inner_text()).split())
    assert f"aangevuld door de onderneming op {submitted_on}" in main.lower()
    assert DESCRIPTION in main
    assert "Sanne de Vries" in main
    assert "Catering" in main
    await assert_accessible(page, "the enterprise's page with its supplement")

    def supplemented(event: EnterpriseEvent) -> bool:
        state = event.enterprise
        return (
            isinstance(event, EnterpriseUpdated)
            and state.enterprise_id == enterprise.enterprise_id
            and state.supplement is not None
            and state.supplement.description == DESCRIPTION
        )

    region = f"impact.v1.enterprises.{slug(enterprise.province)}.>"
    event = await regional_event(platform.url_for("admin"), region, supplemented)
    supplement = event.enterprise.supplement
    assert supplement is not None
    assert supplement.contact is not None
    assert (supplement.contact.email, supplement.contact.phone) == (
        CONTACT_EMAIL,
        "0570123456",
    )
    assert supplement.delivery_areas == ("heel Nederland",)
    assert event.enterprise.categories == ("catering",)
    assert event.enterprise.categories_chosen


def registry_claims(platform: Platform) -> subprocess.CompletedProcess[str]:
    """`impactoost registry claims`, run by an operator against the registry's database."""
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "registry", "claims"],
        env={
            **os.environ,
            "IMPACTOOST_DATA_DIR": str(platform.data_dir),
            "IMPACTOOST_LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_an_unknown_address_gets_the_same_answer_no_mail_and_becomes_a_claim(
    platform: Platform, known: list[Known], page: Page
) -> None:
    enterprise = known[1]
    trusted = await ask_for_link(page, platform, enterprise, enterprise.address)
    untrusted = await ask_for_link(page, platform, enterprise, OUTSIDER)
    assert untrusted == trusted

    # The trusted address's mail proves the path to the mailbox works; the claim proves the
    # registry has decided on the outsider's request; a few seconds more give a link that was
    # wrongly granted all the time it needs to arrive.
    await sign_in_link(platform, enterprise.address)
    claim_lines: list[str] = []

    async def claimed() -> bool:
        result = await asyncio.to_thread(registry_claims, platform)
        assert result.returncode == 0, result.stderr
        claim_lines[:] = [line for line in result.stdout.splitlines() if OUTSIDER in line]
        return bool(claim_lines)

    await eventually(claimed, 60, "the claim in `impactoost registry claims`")
    assert len(claim_lines) == 1
    assert enterprise.enterprise_id in claim_lines[0] or enterprise.name in claim_lines[0]
    await asyncio.sleep(3)
    assert not [m for m in mails(platform.maildir) if OUTSIDER in m["To"]]
