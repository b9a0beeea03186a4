"""Stopping non-essential mails, for real: the notifier (as its own NATS user) mails a welcome
with RFC 8058 headers into a real SMTP server; a one-click POST to the gateway (served over
HTTP, as its own NATS user) stops the next "gewijzigd" mail while a reminder and the removal
still arrive; the page's form, used in Chromium by keyboard alone, starts them again. The
page passes axe-core at 1280 and 320 px."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from email.message import Message
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ENTERPRISES_STREAM, enterprise_subject
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app as create_gateway
from services.kit.processes import free_port
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.preferences import MailPreferences
from tests.fixtures.browser import assert_accessible
from tests.fixtures.served import served
from tests.fixtures.servers import NatsUsers, SmtpSink, running_nats
from tests.integration.notifier.helpers import (
    body,
    eventually,
    mails_of,
    publish_on,
    running_notifier,
)
from tests.unit.notifier.factories import (
    delisted,
    enterprise,
    listed,
    recertification_due,
    updated,
)

pytestmark = pytest.mark.integration

KRINGLOOP = "info@kringlooptwente.example"
ENTERPRISE = "e1a2b3c4d5e6f708"


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    """A nats-server of this module's own, with the platform's users and their rights."""
    with running_nats(tmp_path_factory.mktemp("preferences-nats")) as running:
        yield running


@contextlib.asynccontextmanager
async def serving_gateway(settings: GatewaySettings) -> AsyncIterator[str]:
    """The gateway app over HTTP on loopback; yields its base URL."""
    async with served(create_gateway(settings), port=settings.gateway_port, lifespan="on"):
        yield settings.public_base_url


async def publish(users: NatsUsers, *events: EnterpriseEvent) -> None:
    """Publish as the registry does, as the registry's user."""
    for event in events:
        subject = enterprise_subject("overijssel", "twente", event.kind)
        await publish_on(users.url("registry"), ENTERPRISES_STREAM, subject, event)


@pytest.fixture
def contacts_file(tmp_path: Path) -> Path:
    """Kringloop Twente's address, by KvK number."""
    path = tmp_path / "contacts.csv"
    path.write_text(f"kvk,website,email\n06123456,,{KRINGLOOP}\n", encoding="utf-8")
    return path


def subjects_to(sink: SmtpSink) -> list[str]:
    return [str(m["Subject"]) for m in sink.messages_to(KRINGLOOP)]


def unsubscribe_url(mail: Message) -> str:
    """The URL in a mail's List-Unsubscribe header (a long header may be folded)."""
    found = re.fullmatch(r"<(https?://\S+)>", "".join(str(mail["List-Unsubscribe"]).split()))
    assert found is not None, mail["List-Unsubscribe"]
    return found.group(1)


def wants_non_essential(settings: NotifierSettings) -> bool:
    deliveries = Deliveries(settings.database_url)
    try:
        return MailPreferences(deliveries.engine).wants_non_essential(ENTERPRISE)
    finally:
        deliveries.dispose()


async def walk_to(page: Page, name: str, limit: int = 40) -> list[str]:
    """Press Tab until the button `name` has the focus; returns what got focus on the way."""
    seen: list[str] = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.textContent.trim()")
        seen.append(str(focused))
        if focused == name:
            return seen
    raise AssertionError(f"{name!r} not reached by keyboard; focus went to {seen}")


async def test_one_click_stops_only_non_essential_mails_and_the_page_restarts_them(
    users: NatsUsers, smtp_sink: SmtpSink, tmp_path: Path, contacts_file: Path, page: Page
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    gateway = GatewaySettings(
        nats_url=users.url("gateway"),
        data_dir=tmp_path / "gateway",
        gateway_port=port,
        public_base_url=base_url,
    )
    notifier = NotifierSettings(
        nats_url=users.url("notifier"),
        data_dir=tmp_path / "notifier",
        notifier_contacts_file=contacts_file,
        smtp_port=smtp_sink.port,
        public_base_url=base_url,
        notifier_retry_seconds=0.3,
        mail_quiet_seconds=0.3,
    )
    async with serving_gateway(gateway), running_notifier(notifier):
        await publish(users, listed())
        await eventually(lambda: subjects_to(smtp_sink), what="the welcome")
        (welcome,) = smtp_sink.messages_to(KRINGLOOP)
        assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = unsubscribe_url(welcome)
        assert link.startswith(f"{base_url}/berichten/") and link in body(welcome, "plain")

        # What a mail program sends: no cookie, no form token, exactly this body.
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                link,
                content=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        assert answer.status_code == 200
        await eventually(lambda: not wants_non_essential(notifier), what="the choice recorded")

        change = updated(enterprise(version=2, place="Hengelo"), ("place",))
        await publish(users, change, recertification_due(enterprise(version=2, place="Hengelo")))
        await eventually(lambda: len(subjects_to(smtp_sink)) == 2, what="the reminder")
        await publish(users, delisted())
        await eventually(lambda: len(subjects_to(smtp_sink)) == 3, what="the removal")
        kinds = [(m.kind, m.status) for m in mails_of(notifier, ENTERPRISE)]
        assert kinds == [
            ("listed", "sent"),
            ("updated", "stopped"),
            ("recertification_due", "sent"),
            ("delisted", "sent"),
        ]

        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.goto(link)
        await assert_accessible(page, "the mail preference page at 1280 px")
        await page.set_viewport_size({"width": 320, "height": 800})
        await assert_accessible(page, "the mail preference page at 320 px")
        passed = await walk_to(page, "Ontvang ze weer")
        assert "Stop berichten die niet noodzakelijk zijn" in passed
        await page.keyboard.press("Enter")
        await page.get_by_role("status").get_by_text("U ontvangt weer alle berichten").wait_for()
        await assert_accessible(page, "the preference page after the choice")
        await eventually(lambda: wants_non_essential(notifier), what="the choice recorded")

        await publish(users, listed(enterprise(version=4)))
        await eventually(lambda: len(subjects_to(smtp_sink)) == 4, what="a welcome again")
    assert subjects_to(smtp_sink).count("U bent nu zichtbaar op Impact Oost") == 2
    assert "Uw vermelding is gewijzigd" not in subjects_to(smtp_sink)
