"""Attempts are counted before the mail server is asked, so a crash after its acceptance
shows in the row; processed ids are pruned only up to the acknowledged sequence and older
than the horizon, and a pruned event is still a duplicate by its stream sequence; what a mail
shows is one clean line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contracts.subjects import ENTERPRISES_STREAM
from services.kit.contacts import Contact, FakeContacts
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.handlers import send_signin_link, take_in_enterprise_event
from services.notifier.mailer import FakeMailer, OutgoingMail
from services.notifier.mails import MAX_SHOWN, shown
from services.notifier.pruning import prune_processed
from services.notifier.publisher import FakeLinkPublisher
from services.notifier.schema import migrate
from tests.unit.notifier.factories import enterprise, granted, listed

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
ADDRESS = "info@kringlooptwente.example"
STREAM = ENTERPRISES_STREAM.name


class ProcessKilled(BaseException):
    """Stands in for SIGKILL: nothing in the notifier catches it."""


@dataclass
class DyingMailer(FakeMailer):
    """Accepts the mail, then the process dies before the notifier records it."""

    def send(self, mail: OutgoingMail) -> None:
        super().send(mail)
        raise ProcessKilled


def notifier_with(tmp_path: Path, mailer: FakeMailer) -> Notifier:
    settings = NotifierSettings(data_dir=tmp_path, public_base_url="https://impactoost.example")
    deliveries = Deliveries(settings.database_url)
    migrate(deliveries.engine)
    return bootstrap(
        settings,
        mailer=mailer,
        deliveries=deliveries,
        contacts=FakeContacts([Contact(ADDRESS, kvk="06123456")]),
        links=FakeLinkPublisher(),
        clock=lambda: NOW,
    )


async def test_a_sign_in_mail_sent_before_a_crash_is_sent_again_and_counted_twice(
    tmp_path: Path,
) -> None:
    grant = granted()
    dying = DyingMailer()
    with pytest.raises(ProcessKilled):
        await send_signin_link(grant, notifier_with(tmp_path, dying))
    notifier = notifier_with(tmp_path, FakeMailer())
    row = notifier.deliveries.get(grant.event_id)
    assert row is not None and (row.status, row.attempts) == ("retrying", 1)
    await send_signin_link(grant, notifier)  # the grant, redelivered
    row = notifier.deliveries.get(grant.event_id)
    assert row is not None and (row.status, row.attempts) == ("sent", 2)
    assert len(dying.sent) == 1 and len(notifier.mailer.sent) == 1  # type: ignore[attr-defined]


def test_ids_are_pruned_only_up_to_the_ack_floor_and_past_the_horizon(tmp_path: Path) -> None:
    notifier = notifier_with(tmp_path, FakeMailer())
    events = [listed(enterprise(enterprise_id=f"e-{n}", version=1)) for n in range(1, 5)]
    for seq, event in enumerate(events, start=1):
        assert take_in_enterprise_event(event, notifier, stream_seq=seq).outcome == "new"
    engine = notifier.deliveries.engine
    assert prune_processed(engine, STREAM, ack_floor=2, before=NOW) == 0  # none old enough
    assert prune_processed(engine, STREAM, ack_floor=2, before=NOW + timedelta(days=3)) == 2
    for seq, event in enumerate(events, start=1):
        again = take_in_enterprise_event(event, notifier, stream_seq=seq)
        assert again.outcome == "duplicate", seq  # 1, 2 by sequence; 3, 4 by their ids
    assert prune_processed(engine, STREAM, ack_floor=1, before=NOW + timedelta(days=3)) == 0
    later = listed(enterprise(enterprise_id="e-5"))
    assert take_in_enterprise_event(later, notifier, stream_seq=5).outcome == "new"


def test_a_shown_value_is_one_clean_line_of_bounded_length() -> None:
    assert shown("Kringloop\r\nTwente\x00 \u202eB.V.") == "Kringloop Twente B.V."
    long = shown("x" * 5_000)
    assert isinstance(long, str) and len(long) == MAX_SHOWN and long.endswith("…")
    assert shown(None) is None and shown(3) == 3
