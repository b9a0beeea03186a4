"""A hotspot editor's grant gets one single-use link to the editors' area: its hash is
published before the mail leaves, the mail is Dutch and formal, and a repeat sends nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from contracts.signin import EditorSignInGranted, token_hash
from services.kit.contacts import FakeContacts
from services.notifier.bootstrap import Notifier
from services.notifier.handlers import send_editor_signin_link
from services.notifier.mailer import FakeMailer
from services.notifier.publisher import FakeLinkPublisher

pytestmark = pytest.mark.unit

NOW = datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
ADDRESS = "redactie@stadslab.example"
LINK = re.compile(r"https://impactoost\.example/redactie/inloggen\?token=([A-Za-z0-9_-]+)")


def grant(name: str = "Stadslab <Apeldoorn>") -> EditorSignInGranted:
    return EditorSignInGranted(
        event_id="editor-grant-0001",
        occurred_at=NOW,
        source="gateway",
        hotspot="stadslab",
        hotspot_name=name,
        email=ADDRESS,
    )


@pytest.fixture
def notifier(make_notifier: Callable[[FakeContacts, datetime], Notifier]) -> Notifier:
    return make_notifier(FakeContacts([]), NOW)


def bodies(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return plain, html


async def test_an_editor_grant_mails_a_link_to_the_editors_area_whose_hash_was_published(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    await send_editor_signin_link(grant(), notifier)
    (message,) = mailer.sent
    (issued,) = links.editor_issued
    plain, html = bodies(message)
    found = LINK.search(plain)
    assert found is not None, plain
    token = found.group(1)
    assert issued.token_hash == token_hash(token) and links.issued == []
    assert (issued.hotspot, issued.email) == ("stadslab", ADDRESS)
    assert issued.expires_at == NOW + timedelta(minutes=30)
    assert message["To"] == ADDRESS
    assert message["Subject"] == "Uw inloglink voor de redactie van Stadslab <Apeldoorn>"
    assert "Beste redacteur van Stadslab <Apeldoorn>," in plain
    assert "U heeft gevraagd om in te loggen" in plain
    assert "https://impactoost.example/redactie/stadslab/inloggen" in plain
    assert "Stadslab &lt;Apeldoorn&gt;" in html and "<Apeldoorn>" not in html
    row = notifier.deliveries.get("editor-grant-0001")
    assert row is not None and (row.status, row.kind) == ("sent", "editor_signin_link")


async def test_the_same_editor_grant_twice_mails_and_publishes_one_link(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    await send_editor_signin_link(grant(), notifier)
    await send_editor_signin_link(grant(), notifier)
    assert len(mailer.sent) == 1 and len(links.editor_issued) == 1


async def test_no_editor_mail_leaves_when_its_link_cannot_be_published(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    links.failures.append(TimeoutError("no ack"))
    with pytest.raises(TimeoutError):
        await send_editor_signin_link(grant(), notifier)
    assert mailer.sent == []
