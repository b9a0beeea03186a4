"""A granted sign-in gets one single-use link: its hash is published before the mail leaves,
the secret appears only in the mail, and a mail server that is down means a new link later."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from contracts.signin import token_hash
from services.kit.batches import Delivery
from services.kit.contacts import Contact, FakeContacts
from services.notifier.bootstrap import Notifier
from services.notifier.config import NotifierSettings
from services.notifier.handlers import send_due_mails, send_signin_link, take_in_enterprise_event
from services.notifier.mailer import FakeMailer, MailDeferred, classify_smtp_error
from services.notifier.publisher import FakeLinkPublisher
from services.notifier.subscribers import signin_consumer
from tests.unit.notifier.factories import granted, listed

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 20, 10, 0, 5, tzinfo=UTC)
ADDRESS = "info@kringlooptwente.example"
LINK = re.compile(r"https://impactoost\.example/aanvullen/inloggen\?token=([A-Za-z0-9_-]+)")


@pytest.fixture
def notifier(make_notifier: Callable[[FakeContacts, datetime], Notifier]) -> Notifier:
    return make_notifier(FakeContacts([Contact(ADDRESS, kvk="06123456")]), NOW)


def token_in(message: EmailMessage) -> str:
    """The link's secret, as the reader of the plain-text body would click it."""
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(text)
    assert found is not None, text
    return found.group(1)


async def test_a_granted_sign_in_mails_a_link_whose_hash_was_published(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    grant = granted()
    await send_signin_link(grant, notifier)
    (message,) = mailer.sent
    (issued,) = links.issued
    token = token_in(message)
    assert len(token) >= 40
    assert issued.token_hash == token_hash(token)
    assert (issued.enterprise_id, issued.email) == (grant.enterprise_id, ADDRESS)
    assert issued.expires_at == NOW + timedelta(minutes=30)
    assert (issued.occurred_at, issued.source) == (NOW, "impact-oost")
    assert message["To"] == ADDRESS
    assert message["Subject"] == "Uw inloglink voor Impact Oost"
    row = notifier.deliveries.get(grant.event_id)
    assert row is not None
    assert (row.status, row.kind, row.recipient, row.stream_seq) == (
        "sent",
        "signin_link",
        ADDRESS,
        None,
    )


async def test_the_same_grant_twice_mails_and_publishes_one_link(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    await send_signin_link(granted(), notifier)
    await send_signin_link(granted(), notifier)
    assert len(mailer.sent) == 1
    assert len(links.issued) == 1


async def test_no_mail_leaves_when_the_link_cannot_be_published(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    links.failures.append(TimeoutError("no ack"))
    with pytest.raises(TimeoutError):
        await send_signin_link(granted(), notifier)
    assert mailer.sent == []
    assert notifier.deliveries.get(granted().event_id) is None
    await send_signin_link(granted(), notifier)
    assert len(mailer.sent) == 1


async def test_a_mail_server_that_is_down_gets_a_new_link_when_the_grant_returns(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    mailer.failures.append(MailDeferred("ConnectionRefusedError"))
    with pytest.raises(MailDeferred):
        await send_signin_link(granted(), notifier)
    row = notifier.deliveries.get(granted().event_id)
    assert row is not None and (row.status, row.attempts) == ("retrying", 1)
    await send_signin_link(granted(), notifier)
    (message,) = mailer.sent
    first, second = links.issued
    assert first.token_hash != second.token_hash
    assert first.event_id != second.event_id  # not dropped as a duplicate by the stream
    assert second.token_hash == token_hash(token_in(message))


async def test_a_refused_address_is_recorded_and_not_retried(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 no such mailbox")})
    mailer.failures.append(classify_smtp_error(refused))
    await send_signin_link(granted(), notifier)
    await send_signin_link(granted(), notifier)
    assert mailer.sent == []
    assert len(links.issued) == 1
    row = notifier.deliveries.get(granted().event_id)
    assert row is not None and (row.status, row.attempts) == ("rejected", 1)


async def test_the_link_s_secret_is_never_logged(
    notifier: Notifier, mailer: FakeMailer, links: FakeLinkPublisher
) -> None:
    mailer.failures.append(MailDeferred("ConnectionRefusedError"))
    with capture_logs() as logs:
        with pytest.raises(MailDeferred):
            await send_signin_link(granted(), notifier)
        await send_signin_link(granted(), notifier)
    token = token_in(mailer.sent[0])
    assert logs and all(token not in repr(entry) for entry in logs)
    assert all(token not in issued.model_dump_json() for issued in links.issued)
    assert any(entry["event"] == "signin_link_sent" for entry in logs)


async def test_a_sign_in_retrying_does_not_hold_back_the_enterprise_s_mail(
    notifier: Notifier, mailer: FakeMailer
) -> None:
    mailer.failures.append(MailDeferred("ConnectionRefusedError"))
    with pytest.raises(MailDeferred):
        await send_signin_link(granted(), notifier)
    take_in_enterprise_event(listed(), notifier)
    notifier.clock = lambda: datetime.now(UTC) + timedelta(hours=1)  # past the quiet period
    send_due_mails(notifier)
    assert [m["Subject"] for m in mailer.sent] == ["U bent nu zichtbaar op Impact Oost"]


async def test_a_grant_that_fails_hands_back_an_error_without_the_frames_holding_the_secret(
    tmp_path: Path, notifier: Notifier, mailer: FakeMailer
) -> None:
    try:
        raise ConnectionRefusedError("refused")
    except ConnectionRefusedError as cause:
        deferred = MailDeferred("ConnectionRefusedError: refused")
        deferred.__cause__ = cause
    mailer.failures.append(deferred)
    consumer = signin_consumer(notifier, NotifierSettings(data_dir=tmp_path))
    grant = granted()
    item = Delivery(grant, stream_sequence=1, deliveries=1, subject="s", msg_id=grant.event_id)
    (result,) = await consumer.handle([item])
    assert isinstance(result, MailDeferred)
    assert result.__traceback__ is None
    assert result.__cause__ is None and result.__context__ is None
