"""A fetched batch of enterprise events is taken in with one commit, each on its own should
the batch fail; an SMTP session the server closed while idle is noticed before the next mail."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from contracts.enterprises import EnterpriseEvent
from services.kit.contacts import Contact, FakeContacts
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.handlers import send_due_mails, take_in_enterprise_events
from services.notifier.intake import Recorded, record_in
from services.notifier.mailer import FakeMailer, SmtpMailer, closed_by_server
from services.notifier.schema import migrate
from tests.unit.notifier.factories import enterprise, listed, updated

pytestmark = pytest.mark.unit

ADDRESS = "info@kringlooptwente.example"


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
def notifier(tmp_path: Path, mailer: FakeMailer) -> Notifier:
    settings = NotifierSettings(data_dir=tmp_path, mail_quiet_seconds=0)
    deliveries = Deliveries(settings.database_url)
    migrate(deliveries.engine)
    contacts = FakeContacts([Contact(ADDRESS, kvk="06123456")])
    return bootstrap(settings, mailer=mailer, deliveries=deliveries, contacts=contacts)


def outcome(result: Recorded | Exception) -> str:
    return result.outcome if isinstance(result, Recorded) else type(result).__name__


def test_a_batch_taken_in_at_once_sees_its_own_earlier_events_and_duplicates(
    notifier: Notifier, mailer: FakeMailer
) -> None:
    first = listed()
    change = updated(enterprise(version=2, name="Kringloop Twente B.V."), changes=("name",))

    results = take_in_enterprise_events([(first, 1), (first, 1), (change, 2)], notifier)

    # The change folds into the welcome the same batch queued: one mail, after the burst.
    assert [outcome(r) for r in results] == ["new", "duplicate", "folded"]
    assert notifier.outgoing.is_processed(first.event_id)
    assert notifier.outgoing.is_processed(change.event_id)
    assert send_due_mails(notifier) == 1
    assert [m["To"] for m in mailer.sent] == [ADDRESS]


def test_when_the_batch_fails_each_event_is_taken_in_on_its_own(
    notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = listed()
    bad = listed(enterprise(enterprise_id="groene-fietser", kvk=("07654321",)))

    def failing(session: Any, item: Any, *args: Any) -> Recorded:
        event: EnterpriseEvent = item.event
        if event.event_id == bad.event_id:
            raise RuntimeError("no template foresaw this")
        return record_in(session, item, *args)

    monkeypatch.setattr("services.notifier.outgoing.record_in", failing)

    results = take_in_enterprise_events([(bad, 1), (good, 2)], notifier)

    assert [outcome(r) for r in results] == ["RuntimeError", "new"]
    assert notifier.outgoing.is_processed(good.event_id)
    assert not notifier.outgoing.is_processed(bad.event_id)


def test_an_idle_session_is_closed_by_the_server_once_it_has_something_to_say() -> None:
    ours, theirs = socket.socketpair()
    session = SmtpMailer("127.0.0.1", 25, sender="noreply@impactoost.example")
    try:
        smtp: Any = type("Session", (), {"sock": ours})()
        assert not closed_by_server(smtp)
        theirs.sendall(b"421 4.4.2 idle too long\r\n")
        assert closed_by_server(smtp)
        smtp.sock = None
        assert closed_by_server(smtp)
    finally:
        ours.close()
        theirs.close()
        session.close()
