"""Each event is mailed at most once; no address and permanent refusals are recorded, not
retried; a mail server that is down makes the event come back later."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from contracts.enterprises import EnterpriseEvent
from services.kit.contacts import Contact, FakeContacts
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.handlers import (
    EARLIER_MAIL_PATIENCE,
    deliver_enterprise_mail,
    send_enterprise_mail,
)
from services.notifier.mailer import FakeMailer, MailDeferred, classify_smtp_error
from tests.unit.notifier.factories import (
    delisted,
    enterprise,
    listed,
    moved,
    recertification_due,
    supplement_hidden,
    updated,
)

pytestmark = pytest.mark.unit

ADDRESS = "info@kringlooptwente.example"


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer(sender="Impact Oost <noreply@impactoost.example>")


@pytest.fixture
def notifier(tmp_path: Path, mailer: FakeMailer) -> Notifier:
    settings = NotifierSettings(
        data_dir=tmp_path, platform_name="Impact Oost", public_base_url="https://impactoost.example"
    )
    deliveries = Deliveries(settings.database_url)
    deliveries.create_tables()
    return bootstrap(
        settings,
        mailer=mailer,
        deliveries=deliveries,
        contacts=FakeContacts([Contact(ADDRESS, kvk="06123456")]),
    )


async def test_the_same_event_twice_sends_one_mail(notifier: Notifier, mailer: FakeMailer) -> None:
    event = listed()
    await send_enterprise_mail(event, notifier)
    await send_enterprise_mail(event, notifier)
    assert len(mailer.sent) == 1
    row = notifier.deliveries.get(event.event_id)
    assert row is not None
    assert (row.status, row.recipient, row.attempts, row.kind) == ("sent", ADDRESS, 1, "listed")
    assert row.sent_at is not None


def test_a_move_to_another_province_is_recorded_as_skipped_and_mails_nothing(
    notifier: Notifier, mailer: FakeMailer
) -> None:
    for event in moved():
        deliver_enterprise_mail(event, notifier)
        row = notifier.deliveries.get(event.event_id)
        assert row is not None and (row.status, row.kind) == ("skipped", event.kind)
    assert mailer.sent == []


def test_the_mail_is_multipart_dutch_and_carries_a_message_id_from_the_event(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    event = delisted()
    deliver_enterprise_mail(event, notifier)
    message = mailer.sent[0]
    assert message["To"] == ADDRESS
    assert message["Subject"] == "Uw vermelding is verwijderd"
    assert message["Message-ID"] == f"<{event.event_id}@impactoost.example>"
    assert message["Content-Language"] == "nl"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "12 maart 2026" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_an_enterprise_without_an_address_is_recorded_undeliverable(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    event = listed(enterprise(kvk=("99999999",), website=None))
    deliver_enterprise_mail(event, notifier)
    deliver_enterprise_mail(event, notifier)
    assert mailer.sent == []
    row = notifier.deliveries.get(event.event_id)
    assert row is not None
    assert (row.status, row.recipient, row.attempts) == ("undeliverable", None, 0)


def test_a_mail_server_that_is_down_defers_the_mail_until_it_is_back(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    event = listed()
    mailer.failures.append(MailDeferred("ConnectionRefusedError"))
    with pytest.raises(MailDeferred):
        deliver_enterprise_mail(event, notifier)
    row = notifier.deliveries.get(event.event_id)
    assert row is not None and (row.status, row.attempts) == ("retrying", 1)
    deliver_enterprise_mail(event, notifier)
    row = notifier.deliveries.get(event.event_id)
    assert row is not None and (row.status, row.attempts) == ("sent", 2)
    assert len(mailer.sent) == 1


def test_a_permanently_refused_recipient_is_recorded_and_not_retried(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    event = listed()
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 no such mailbox")})
    mailer.failures.append(classify_smtp_error(refused))
    deliver_enterprise_mail(event, notifier)
    deliver_enterprise_mail(event, notifier)
    assert mailer.sent == []
    row = notifier.deliveries.get(event.event_id)
    assert row is not None and (row.status, row.attempts) == ("rejected", 1)


def test_different_events_for_one_enterprise_each_get_their_mail(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    deliver_enterprise_mail(listed(), notifier)
    deliver_enterprise_mail(delisted(), notifier)
    assert [m["Subject"] for m in mailer.sent] == [
        "U bent nu zichtbaar op Impact Oost",
        "Uw vermelding is verwijderd",
    ]


def test_each_recertification_reminder_is_mailed_once_under_its_own_kind(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    reminders = [recertification_due(lead_days=days) for days in (30, 30, 7)]
    for reminder in reminders:
        deliver_enterprise_mail(reminder, notifier)
    assert len(mailer.sent) == 2
    row = notifier.deliveries.get(reminders[0].event_id)
    assert row is not None
    assert (row.status, row.kind, row.attempts) == ("sent", "recertification_due", 1)


def _first_of_two_left_retrying(
    notifier: Notifier, mailer: FakeMailer
) -> tuple[EnterpriseEvent, EnterpriseEvent]:
    """A listing (stream place 1) whose mail the server deferred, and its delisting (2)."""
    first, second = listed(), delisted()
    mailer.failures.append(MailDeferred("ConnectionRefusedError"))
    with pytest.raises(MailDeferred):
        deliver_enterprise_mail(first, notifier, stream_seq=1)
    return first, second


def test_a_later_mail_waits_while_an_earlier_one_of_the_enterprise_retries(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    first, second = _first_of_two_left_retrying(notifier, mailer)
    with pytest.raises(MailDeferred, match="earlier mail"):
        deliver_enterprise_mail(second, notifier, stream_seq=2)
    assert notifier.deliveries.get(second.event_id) is None  # not tried, so not retrying
    other = listed(enterprise(enterprise_id="0f0f0f0f0f0f0f0f"))
    deliver_enterprise_mail(other, notifier, stream_seq=3)  # another enterprise: not held
    deliver_enterprise_mail(first, notifier, stream_seq=1)
    deliver_enterprise_mail(second, notifier, stream_seq=2)
    assert [m["Message-ID"] for m in mailer.sent] == [
        f"<{e.event_id}@impactoost.example>" for e in (other, first, second)
    ]


def test_an_earlier_mail_not_tried_for_long_holds_nothing_back(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    _, second = _first_of_two_left_retrying(notifier, mailer)
    long_ago = datetime.now(UTC) - EARLIER_MAIL_PATIENCE - timedelta(minutes=1)
    with notifier.deliveries.engine.begin() as connection:
        connection.execute(text("UPDATE delivery SET updated_at = :t"), {"t": long_ago})
    deliver_enterprise_mail(second, notifier, stream_seq=2)
    assert [m["Subject"] for m in mailer.sent] == ["Uw vermelding is verwijderd"]


def test_an_update_of_only_the_supplement_and_categories_is_recorded_skipped_not_mailed(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    event = updated(changes=("supplement", "categories", "categories_chosen"))
    deliver_enterprise_mail(event, notifier, stream_seq=4)
    deliver_enterprise_mail(event, notifier, stream_seq=4)
    assert mailer.sent == []
    row = notifier.deliveries.get(event.event_id)
    assert row is not None
    assert (row.status, row.recipient, row.attempts, row.kind) == ("skipped", None, 0, "updated")


def test_a_skipped_update_does_not_wait_behind_an_earlier_retrying_mail(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    _first_of_two_left_retrying(notifier, mailer)
    event = updated(changes=("summary",))
    deliver_enterprise_mail(event, notifier, stream_seq=2)
    row = notifier.deliveries.get(event.event_id)
    assert row is not None and row.status == "skipped"


def test_an_update_with_a_label_change_beside_the_supplement_is_mailed(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    deliver_enterprise_mail(updated(changes=("supplement", "labels")), notifier)
    assert [m["Subject"] for m in mailer.sent] == ["Uw vermelding is gewijzigd"]


def test_a_hidden_supplement_is_mailed_once_with_the_reason(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    event = supplement_hidden(reason="De website is van een ander bedrijf.")
    deliver_enterprise_mail(event, notifier)
    deliver_enterprise_mail(event, notifier)
    (message,) = mailer.sent
    assert message["Subject"] == "Gegevens in uw vermelding zijn verborgen"
    assert message["To"] == ADDRESS
    assert "De website is van een ander bedrijf." in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    row = notifier.deliveries.get(event.event_id)
    assert row is not None and (row.status, row.kind) == ("sent", "supplement_hidden")


def test_without_a_contacts_file_address_the_mail_goes_to_the_buyers_contact(
    notifier: Notifier,
    mailer: FakeMailer,
) -> None:
    from contracts.supplements import ListingSupplement

    shown = ListingSupplement(
        description="Lunches op locatie.",
        contact={"name": "Anna", "email": "anna@lunchroom.example"},
        updated_at=datetime(2026, 3, 2, tzinfo=UTC),
        hidden=("website",),
    )
    state = enterprise(kvk=("99999999",), website=None, supplement=shown)
    event = supplement_hidden(state=state, reason="De website is van een ander bedrijf.")
    deliver_enterprise_mail(event, notifier)
    (message,) = mailer.sent
    assert message["To"] == "anna@lunchroom.example"
