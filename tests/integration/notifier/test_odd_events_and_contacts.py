"""Against a real SMTP server: events with odd but valid values are mailed with safe content;
a mail whose enterprise is not (yet) in the contacts file waits and goes out once the file is
fixed; the large contacts file is parsed once; and a notifier killed between the mail
server's acceptance and its commit sends that mail again, its row counting both attempts."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from email.message import Message
from pathlib import Path

import pytest

from contracts.enterprises import EnterpriseRecertificationDue
from services.kit.contacts import Contacts, CsvContacts
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.handlers import send_due_mails, take_in_enterprise_event
from services.notifier.mailer import Mailer, OutgoingMail, SmtpMailer
from services.notifier.schema import migrate
from tests.fixtures.servers import SmtpSink
from tests.integration.notifier.helpers import body
from tests.unit.notifier.factories import enterprise, listed, recertification_due, updated

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KRINGLOOP = "info@kringlooptwente.example"
CONTACTS = f"kvk,website,email\n06123456,,{KRINGLOOP}\n"


class ProcessKilled(BaseException):
    """Stands in for SIGKILL: nothing in the notifier catches it."""


class DyingMailer(SmtpMailer):
    """Hands the mail to the server, then dies before the notifier can record it."""

    def send(self, mail: OutgoingMail) -> None:
        super().send(mail)
        raise ProcessKilled


def contacts_file(tmp_path: Path, text: str = CONTACTS, mtime: int = 1_000) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def settings_for(tmp_path: Path, sink: SmtpSink, contacts: Path) -> NotifierSettings:
    return NotifierSettings(
        data_dir=tmp_path / "var",
        notifier_contacts_file=contacts,
        smtp_host=sink.host,
        smtp_port=sink.port,
        mail_from="Impact Oost <noreply@impactoost.example>",
        public_base_url="https://impactoost.example",
        mail_quiet_seconds=0,
        smtp_timeout_seconds=5,
    )


def start_notifier(
    settings: NotifierSettings, *, contacts: Contacts | None = None, mailer: Mailer | None = None
) -> Notifier:
    """A notifier process's adapters over the settings' database (made if new)."""
    deliveries = Deliveries(settings.database_url)
    migrate(deliveries.engine)
    return bootstrap(
        settings, deliveries=deliveries, contacts=contacts, mailer=mailer, clock=lambda: NOW
    )


def text_of(message: Message) -> str:
    return body(message, "plain") + body(message, "html")


def test_odd_but_valid_values_are_mailed_with_safe_content(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    notifier = start_notifier(settings_for(tmp_path, smtp_sink, contacts_file(tmp_path)))
    name = "Kringloop\x1b \u202eTwente\r\nBcc: dief@elders.example " + "B.V." * 60
    odd = enterprise(name=name, website="http://[::1", place="Ensch\x07ede")
    take_in_enterprise_event(listed(odd), notifier)
    assert send_due_mails(notifier) == 1
    renamed = enterprise(version=2, name="Kringloop Twente B.V.", website="javascript:alert(1)")
    take_in_enterprise_event(updated(renamed, changes=("website",)), notifier)
    assert send_due_mails(notifier) == 1
    by_subject = {str(m["Subject"]): m for m in smtp_sink.messages_to(KRINGLOOP)}
    welcome = by_subject["U bent nu zichtbaar op Impact Oost"]
    change = by_subject["Uw vermelding is gewijzigd"]
    for message in (welcome, change):
        assert message["Bcc"] is None
        text = text_of(message)
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "Beste Kringloop Twente Bcc: dief@elders.example B.V.B.V." in body(welcome, "plain")
    assert len(body(welcome, "plain")) < 4_000
    assert "Website: http://[::1 → javascript:alert(1)" in body(change, "plain")
    assert 'href="javascript' not in body(change, "html")
    assert all(mail.status == "sent" for mail in notifier.outgoing.mails_of(odd.enterprise_id))


def test_a_label_valid_until_the_last_day_of_year_9999_is_reminded(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    notifier = start_notifier(settings_for(tmp_path, smtp_sink, contacts_file(tmp_path)))
    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    reminder = recertification_due(occurred_at=far).model_copy(
        update={"valid_until": date(9999, 12, 31)}
    )
    assert isinstance(reminder, EnterpriseRecertificationDue)
    take_in_enterprise_event(reminder, notifier)
    assert send_due_mails(notifier) == 1
    (mail,) = smtp_sink.messages_to(KRINGLOOP)
    assert mail["Subject"] == "Vernieuw uw label uiterlijk op 31 december 9999"


def test_a_mail_without_a_contact_waits_and_is_sent_once_the_file_is_fixed(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    broken = "kvk,website,email\n06123456,,info(at)kringlooptwente.example\n"
    path = contacts_file(tmp_path, broken)
    notifier = start_notifier(settings_for(tmp_path, smtp_sink, path))
    event = listed(enterprise(website=None))
    take_in_enterprise_event(event, notifier)
    assert send_due_mails(notifier) == 0
    (waiting,) = notifier.outgoing.mails_of(event.enterprise.enterprise_id)
    assert (waiting.status, waiting.attempts) == ("unaddressed", 0)
    assert send_due_mails(notifier) == 0  # not due again before the file changes
    contacts_file(tmp_path, CONTACTS, mtime=2_000)
    assert send_due_mails(notifier) == 1
    (mail,) = smtp_sink.messages_to(KRINGLOOP)
    assert mail["Message-ID"] == f"<{event.event_id}@impactoost.example>"
    (sent,) = notifier.outgoing.mails_of(event.enterprise.enterprise_id)
    assert (sent.status, sent.recipient, sent.attempts) == ("sent", KRINGLOOP, 1)


def test_a_225000_line_contacts_file_is_parsed_once_for_many_events(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    lines = "".join(
        f"{20_000_000 + n:08d},,info{n}@onderneming{n}.example\n" for n in range(225_000)
    )
    path = contacts_file(tmp_path, "kvk,website,email\n" + lines)
    contacts = CsvContacts(path)
    notifier = start_notifier(settings_for(tmp_path, smtp_sink, path), contacts=contacts)
    for n in range(0, 225_000, 4_500):
        state = enterprise(enterprise_id=f"onderneming-{n}", kvk=(f"{20_000_000 + n:08d}",))
        take_in_enterprise_event(listed(state), notifier)
    assert send_due_mails(notifier) == 50
    assert len(smtp_sink.messages()) == 50
    assert contacts.loads == 1


def test_a_notifier_killed_after_the_mail_server_accepted_sends_again_and_counts_two(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    settings = settings_for(tmp_path, smtp_sink, contacts_file(tmp_path))
    dying = start_notifier(
        settings,
        mailer=DyingMailer(smtp_sink.host, smtp_sink.port, sender=settings.mail_from),
    )
    event = listed()
    take_in_enterprise_event(event, dying)
    with pytest.raises(ProcessKilled):
        send_due_mails(dying)
    (tried,) = dying.outgoing.mails_of(event.enterprise.enterprise_id)
    assert (tried.status, tried.attempts) == ("waiting", 1)
    dying.deliveries.dispose()

    restarted = start_notifier(settings)
    assert send_due_mails(restarted) == 1
    (sent,) = restarted.outgoing.mails_of(event.enterprise.enterprise_id)
    assert (sent.status, sent.attempts) == ("sent", 2)
    first, second = smtp_sink.messages_to(KRINGLOOP)
    assert first["Message-ID"] == second["Message-ID"] == f"<{event.event_id}@impactoost.example>"
