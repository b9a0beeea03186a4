"""Events are taken in once and become mails: a burst is one mail after the quiet period, a
delisting goes at once, a change says from what to what, a mail server that is down makes a
mail wait (and the enterprise's later ones behind it), and an enterprise that stopped
non-essential mails still gets the essential ones."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from contracts.enterprises import EnterpriseState
from services.kit.contacts import Contact, FakeContacts
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.handlers import (
    MAX_FAILED_TRIES,
    send_due_mails,
    take_in_enterprise_event,
)
from services.notifier.mailer import FakeMailer, MailDeferred, classify_smtp_error
from services.notifier.schema import migrate
from services.notifier.sender import MailSender
from tests.unit.notifier.factories import (
    delisted,
    enterprise,
    listed,
    moved,
    pso_holding,
    recertification_due,
    supplement_hidden,
    updated,
)

pytestmark = pytest.mark.unit

ADDRESS = "info@kringlooptwente.example"
QUIET = timedelta(seconds=60)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer(sender="Impact Oost <noreply@impactoost.example>")


@pytest.fixture
def notifier(tmp_path: Path, mailer: FakeMailer, clock: Clock) -> Notifier:
    settings = NotifierSettings(
        data_dir=tmp_path,
        platform_name="Impact Oost",
        public_base_url="https://impactoost.example",
        mail_quiet_seconds=QUIET.total_seconds(),
    )
    deliveries = Deliveries(settings.database_url)
    migrate(deliveries.engine)
    return bootstrap(
        settings,
        mailer=mailer,
        deliveries=deliveries,
        contacts=FakeContacts([Contact(ADDRESS, kvk="06123456")]),
        clock=clock,
    )


def three_labels(version: int, labels: int) -> EnterpriseState:
    """Kringloop Twente as the first scrapes see it: PSO, then Code SO, then SE NL."""
    holdings = (
        pso_holding(),
        pso_holding(label="codeso", holding_id="code-17", level=None, valid_until=None),
        pso_holding(label="senl", holding_id="senl-9", level="boost", valid_until=None),
    )
    return enterprise(version=version, labels=holdings[:labels])


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def subjects(mailer: FakeMailer) -> list[str]:
    return [str(m["Subject"]) for m in mailer.sent]


def test_a_first_scrape_with_three_labels_is_one_welcome_naming_all_three(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    first = listed(three_labels(1, 1))
    take_in_enterprise_event(first, notifier)
    clock.advance(timedelta(seconds=20))
    take_in_enterprise_event(updated(three_labels(2, 2)), notifier)
    clock.advance(timedelta(seconds=20))
    take_in_enterprise_event(updated(three_labels(3, 3)), notifier)
    clock.advance(QUIET - timedelta(seconds=1))
    assert send_due_mails(notifier) == 0  # the burst is still coming in
    clock.advance(timedelta(seconds=1))
    assert send_due_mails(notifier) == 1
    (welcome,) = mailer.sent
    assert welcome["Subject"] == "U bent nu zichtbaar op Impact Oost"
    assert welcome["Message-ID"] == f"<{first.event_id}@impactoost.example>"
    text = plain(welcome)
    for name in ("PSO", "Code Sociale Ondernemingen", "Social Enterprise NL"):
        assert name in text
    assert send_due_mails(notifier) == 0


def test_a_burst_that_never_goes_quiet_is_mailed_after_five_quiet_periods(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(three_labels(1, 1)), notifier)
    for version in range(2, 12):
        clock.advance(QUIET / 2)
        take_in_enterprise_event(updated(three_labels(version, 1 + version % 3)), notifier)
        send_due_mails(notifier)
    assert subjects(mailer) == ["U bent nu zichtbaar op Impact Oost"]


def test_the_same_event_twice_is_taken_in_once(notifier: Notifier, clock: Clock) -> None:
    event = listed()
    assert take_in_enterprise_event(event, notifier).outcome == "new"
    assert take_in_enterprise_event(event, notifier).outcome == "duplicate"
    clock.advance(QUIET)
    assert send_due_mails(notifier) == 1
    assert take_in_enterprise_event(event, notifier).outcome == "duplicate"
    assert send_due_mails(notifier) == 0


def test_a_delisting_during_a_quiet_period_goes_at_once_and_makes_the_change_mail_moot(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    take_in_enterprise_event(updated(enterprise(version=2, place="Hengelo")), notifier)
    clock.advance(timedelta(seconds=5))
    recorded = take_in_enterprise_event(delisted(), notifier)
    assert recorded.due_at == clock.now
    assert send_due_mails(notifier) == 1
    assert subjects(mailer) == ["U bent nu zichtbaar op Impact Oost", "Uw vermelding is verwijderd"]
    statuses = [m.status for m in notifier.outgoing.mails_of("e1a2b3c4d5e6f708")]
    assert statuses == ["sent", "superseded", "sent"]


def test_a_delisting_right_after_a_listing_sends_the_welcome_first_without_waiting(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    clock.advance(timedelta(seconds=5))
    take_in_enterprise_event(delisted(), notifier)
    assert send_due_mails(notifier) == 2
    assert subjects(mailer) == ["U bent nu zichtbaar op Impact Oost", "Uw vermelding is verwijderd"]
    assert "Op deze pagina ziet u sinds wanneer en waarom" in plain(mailer.sent[1])
    assert "https://impactoost.example/ondernemingen/e1a2b3c4d5e6f708" in plain(mailer.sent[1])


def test_a_change_after_the_quiet_period_gets_its_own_mail_saying_from_what_to_what(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    renewed = pso_holding(level="trede-2", valid_until=date(2029, 3, 31))
    take_in_enterprise_event(
        updated(enterprise(version=2, labels=(renewed,)), changes=("level", "valid_until")),
        notifier,
    )
    clock.advance(QUIET)
    assert send_due_mails(notifier) == 1
    change = mailer.sent[1]
    assert change["Subject"] == "Uw vermelding is gewijzigd"
    text = plain(change)
    assert "Niveau: Trede 3 → Trede 2" in text
    assert "Geldig tot en met: 12 maart 2026 → 31 maart 2029" in text


def test_changes_that_undo_each_other_within_the_quiet_period_send_nothing(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    take_in_enterprise_event(updated(enterprise(version=2, place="Hengelo"), ("place",)), notifier)
    take_in_enterprise_event(updated(enterprise(version=3), ("place",)), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    assert len(mailer.sent) == 1
    assert notifier.outgoing.mails_of("e1a2b3c4d5e6f708")[-1].status == "skipped"


def test_a_reminder_waits_for_the_welcome_being_gathered_but_no_longer_than_the_quiet_period(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    clock.advance(timedelta(seconds=30))
    take_in_enterprise_event(recertification_due(), notifier)
    clock.advance(timedelta(seconds=30))
    assert send_due_mails(notifier) == 1  # the welcome is due; the reminder not yet
    clock.advance(timedelta(seconds=30))
    assert send_due_mails(notifier) == 1
    assert subjects(mailer) == [
        "U bent nu zichtbaar op Impact Oost",
        "Vernieuw uw label uiterlijk op 12 maart 2026",
    ]


def test_a_reminder_for_a_label_renewed_within_the_quiet_period_is_not_sent(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(recertification_due(), notifier)
    clock.advance(timedelta(seconds=20))
    renewed = enterprise(version=2, labels=(pso_holding(valid_until=date(2029, 3, 12)),))
    take_in_enterprise_event(updated(renewed, ("valid_until",)), notifier)
    clock.advance(QUIET * 2)
    send_due_mails(notifier)
    assert subjects(mailer) == ["Uw vermelding is gewijzigd"]
    (reminder, _) = notifier.outgoing.mails_of("e1a2b3c4d5e6f708")
    assert (reminder.kind, reminder.status) == ("recertification_due", "superseded")


def test_a_reminder_is_sent_when_a_later_change_leaves_its_label_as_it_was(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(recertification_due(), notifier)
    take_in_enterprise_event(updated(enterprise(version=2, place="Hengelo"), ("place",)), notifier)
    clock.advance(QUIET * 2)
    send_due_mails(notifier)
    assert "Vernieuw uw label uiterlijk op 12 maart 2026" in subjects(mailer)


def test_a_move_is_taken_in_and_mails_nothing(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    for event in moved():
        assert take_in_enterprise_event(event, notifier).outcome == "skipped"
    clock.advance(QUIET)
    assert send_due_mails(notifier) == 0 and mailer.sent == []


def test_an_update_only_of_the_supplement_is_taken_in_and_not_mailed(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    event = updated(changes=("supplement", "categories", "categories_chosen"))
    assert take_in_enterprise_event(event, notifier).outcome == "skipped"
    clock.advance(QUIET)
    assert send_due_mails(notifier) == 0


def test_a_mail_without_an_address_waits_and_is_given_up_only_after_the_address_wait(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(enterprise(kvk=("99999999",), website=None)), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    (mail,) = notifier.outgoing.mails_of("e1a2b3c4d5e6f708")
    assert (mail.status, mail.recipient, mail.attempts) == ("unaddressed", None, 0)
    clock.advance(notifier.address_wait)
    send_due_mails(notifier)
    (mail,) = notifier.outgoing.mails_of("e1a2b3c4d5e6f708")
    assert (mail.status, mail.recipient, mail.attempts) == ("undeliverable", None, 0)
    assert mailer.sent == []


def test_a_mail_server_that_is_down_makes_the_mail_and_the_later_ones_wait_in_order(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    take_in_enterprise_event(delisted(), notifier)
    other = listed(enterprise(enterprise_id="0f0f0f0f0f0f0f0f"))
    take_in_enterprise_event(other, notifier)
    mailer.failures.append(MailDeferred("ConnectionRefusedError"))
    clock.advance(QUIET)
    assert send_due_mails(notifier) == 1  # the other enterprise's welcome
    first, second = notifier.outgoing.mails_of("e1a2b3c4d5e6f708")
    assert (first.status, first.attempts, second.status) == ("retrying", 1, "waiting")
    assert send_due_mails(notifier) == 0  # not again before the retry delay
    clock.advance(notifier.retry_delay)
    assert send_due_mails(notifier) == 2
    assert [m["Message-ID"] for m in mailer.sent][1:] == [
        f"<{listed().event_id}@impactoost.example>",
        f"<{delisted().event_id}@impactoost.example>",
    ]


def test_a_permanently_refused_recipient_is_recorded_and_not_retried(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 no such mailbox")})
    mailer.failures.append(classify_smtp_error(refused))
    take_in_enterprise_event(delisted(), notifier)
    send_due_mails(notifier)
    clock.advance(QUIET * 10)
    send_due_mails(notifier)
    (mail,) = notifier.outgoing.mails_of("e1a2b3c4d5e6f708")
    assert (mail.status, mail.attempts) == ("rejected", 1) and mailer.sent == []


def test_only_non_essential_mails_carry_the_one_click_unsubscribe(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    take_in_enterprise_event(listed(), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    take_in_enterprise_event(delisted(), notifier)
    send_due_mails(notifier)
    welcome, goodbye = mailer.sent
    token = notifier.preferences.token_for("e1a2b3c4d5e6f708")
    assert welcome["List-Unsubscribe"] == f"<https://impactoost.example/berichten/{token}>"
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"https://impactoost.example/berichten/{token}" in plain(welcome)
    assert goodbye["List-Unsubscribe"] is None
    assert "Dit bericht is noodzakelijk" in plain(goodbye)


def test_an_enterprise_that_stopped_non_essential_mails_still_gets_the_essential_ones(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    from contracts.preferences import MailPreferenceChanged

    token = notifier.preferences.token_for("e1a2b3c4d5e6f708")
    stop = MailPreferenceChanged(
        event_id="stop-0001", occurred_at=START, source="test", token=token,
        non_essential=False, via="one_click",
    )  # fmt: skip
    assert notifier.preferences.apply(stop) == "applied"
    assert notifier.preferences.apply(stop) == "duplicate"
    take_in_enterprise_event(listed(), notifier)
    clock.advance(QUIET)
    take_in_enterprise_event(recertification_due(), notifier)
    take_in_enterprise_event(supplement_hidden(), notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    assert subjects(mailer) == [
        "Vernieuw uw label uiterlijk op 12 maart 2026",
        "Gegevens in uw vermelding zijn verborgen",
    ]
    assert notifier.outgoing.mails_of("e1a2b3c4d5e6f708")[0].status == "stopped"


def test_without_a_contacts_file_address_the_mail_goes_to_the_buyers_contact(
    notifier: Notifier, mailer: FakeMailer
) -> None:
    from contracts.supplements import ListingSupplement

    shown = ListingSupplement(
        description="Lunches op locatie.",
        contact={"name": "Anna", "email": "anna@lunchroom.example"},
        updated_at=datetime(2026, 3, 2, tzinfo=UTC),
        hidden=("website",),
    )
    state = enterprise(kvk=("99999999",), website=None, supplement=shown)
    take_in_enterprise_event(supplement_hidden(state=state), notifier)
    send_due_mails(notifier)
    (message,) = mailer.sent
    assert message["To"] == "anna@lunchroom.example"


def test_a_mails_address_is_forgotten_after_the_recipient_days_and_it_stays_sent_once(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    welcome = listed()
    take_in_enterprise_event(welcome, notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    sender = MailSender(notifier)
    clock.advance(timedelta(days=179))
    assert sender.forget() == 0
    assert [m.recipient for m in notifier.outgoing.mails_of("e1a2b3c4d5e6f708")] == [ADDRESS]
    clock.advance(timedelta(days=2))
    assert sender.forget() == 1
    assert [m.recipient for m in notifier.outgoing.mails_of("e1a2b3c4d5e6f708")] == [None]
    take_in_enterprise_event(welcome, notifier)  # redelivered a year later
    clock.advance(QUIET)
    send_due_mails(notifier)
    assert len(mailer.sent) == 1


def test_a_reminder_for_a_label_valid_until_the_calendars_last_day_is_mailed(
    notifier: Notifier, mailer: FakeMailer, clock: Clock
) -> None:
    last = date.max
    state = enterprise(labels=(pso_holding(valid_until=last),))
    reminder = recertification_due(state).model_copy(update={"valid_until": last})
    take_in_enterprise_event(reminder, notifier)
    clock.advance(QUIET)
    send_due_mails(notifier)
    assert subjects(mailer) == ["Vernieuw uw label uiterlijk op 31 december 9999"]


def test_a_mail_that_fails_in_our_code_holds_up_no_other_and_is_given_up_in_the_end(
    notifier: Notifier, mailer: FakeMailer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    render = notifier.renderer.render_event

    def failing_for_one(event: Any, **details: Any) -> Any:
        if event.enterprise.enterprise_id == "broken0000000001":
            raise ValueError("a state no template foresaw")
        return render(event, **details)

    monkeypatch.setattr(notifier.renderer, "render_event", failing_for_one)
    broken = enterprise(enterprise_id="broken0000000001", name="Kapot B.V.")
    take_in_enterprise_event(listed(broken), notifier)
    take_in_enterprise_event(listed(), notifier)
    clock.advance(QUIET)
    assert send_due_mails(notifier) == 1
    assert subjects(mailer) == ["U bent nu zichtbaar op Impact Oost"]
    for _ in range(MAX_FAILED_TRIES):
        clock.advance(timedelta(days=1))
        send_due_mails(notifier)
    (mail,) = notifier.outgoing.mails_of("broken0000000001")
    assert (mail.status, mail.attempts) == ("failed", MAX_FAILED_TRIES)
    assert len(mailer.sent) == 1
