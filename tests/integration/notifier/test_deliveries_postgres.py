"""The delivery record also works on PostgreSQL: one row per event, attempts counted; a
table from before gains the column that keeps an enterprise's mails in order."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from services.notifier.deliveries import Deliveries
from services.notifier.schema import migrate
from tests.fixtures.servers import own_database

pytestmark = pytest.mark.integration


def test_a_delivery_is_recorded_once_per_event_on_postgres(postgres_url: str) -> None:
    event_id = uuid.uuid4().hex
    fields: dict[str, Any] = {
        "enterprise_id": "e1",
        "kind": "listed",
        "message_id": f"<{event_id}@impactoost>",
    }
    with own_database(postgres_url) as url:
        deliveries = Deliveries(url)
        migrate(deliveries.engine)
        try:
            deliveries.record(
                event_id, **fields, recipient="a@b.example", status="retrying", attempted=True
            )
            deliveries.record(
                event_id, **fields, recipient="a@b.example", status="sent", attempted=True
            )
            row = deliveries.get(event_id)
        finally:
            deliveries.dispose()
    assert row is not None
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.sent_at is not None and row.sent_at.tzinfo is not None


# The delivery table as the notifier created it before mails were kept in order.
TABLE_WITHOUT_ORDER = """
CREATE TABLE delivery (
    event_id VARCHAR(64) PRIMARY KEY, enterprise_id VARCHAR(64) NOT NULL,
    kind VARCHAR(40) NOT NULL, recipient VARCHAR(320), status VARCHAR(20) NOT NULL,
    message_id VARCHAR(100) NOT NULL, attempts INTEGER NOT NULL,
    sent_at TIMESTAMP WITH TIME ZONE, updated_at TIMESTAMP WITH TIME ZONE NOT NULL
)
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_delivery_table_from_before_gets_its_order_column_and_keeps_its_rows(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'notifier.db'}"
            if backend == "sqlite"
            else stack.enter_context(own_database(request.getfixturevalue("postgres_url")))
        )
        deliveries = Deliveries(url)
        stack.callback(deliveries.dispose)
        with deliveries.engine.begin() as connection:
            connection.execute(text(TABLE_WITHOUT_ORDER))
            connection.execute(
                text(
                    "INSERT INTO delivery VALUES ('old', 'e1', 'listed', NULL, 'retrying', "
                    "'<old@impactoost>', 1, NULL, CURRENT_TIMESTAMP)"
                )
            )
        migrate(deliveries.engine)
        migrate(deliveries.engine)
        old = deliveries.get("old")
    assert old is not None and (old.status, old.stream_seq) == ("retrying", None)


def test_a_burst_folds_into_one_mail_and_comes_due_on_postgres(postgres_url: str) -> None:
    from contracts.enterprises import EnterpriseState
    from services.notifier.coalescing import Timing
    from services.notifier.outgoing import OutgoingMails
    from tests.unit.notifier.factories import delisted, enterprise, listed, updated

    with own_database(postgres_url) as url:
        deliveries = Deliveries(url)
        try:
            migrate(deliveries.engine)
            mails = OutgoingMails(deliveries.engine)
            timing, now = Timing(quiet=timedelta(seconds=60)), datetime.now(UTC)
            kinds = [
                mails.record(event, mailed=True, now=now, timing=timing).outcome
                for event in (listed(), updated(enterprise(version=2, place="Hengelo")))
            ]
            assert mails.due_enterprises(now) == []
            assert mails.record(delisted(), mailed=True, now=now, timing=timing).due_at == now
            queue = mails.queue_of("e1a2b3c4d5e6f708", now)
            welcome = mails.take(queue[0])
        finally:
            deliveries.dispose()
    assert kinds == ["new", "folded"]
    assert len(queue) == 2  # the welcome is pulled forward by the due delisting
    assert isinstance(welcome.latest().enterprise, EnterpriseState)
    assert (welcome.kind, welcome.events, welcome.open) == ("listed", 2, False)
    assert welcome.latest().enterprise.place == "Hengelo"


def test_odd_but_valid_values_are_taken_in_on_postgres(postgres_url: str) -> None:
    from services.notifier.coalescing import Timing
    from services.notifier.outgoing import OutgoingMails
    from tests.unit.notifier.factories import enterprise, listed, updated

    name = "Kringloop\x1b Twente\r\n\u202e" + "B.V." * 70  # the contracts' longest name
    odd = enterprise(name=name, website="http://[::1", place="\x7f")
    with own_database(postgres_url) as url:
        deliveries = Deliveries(url)
        try:
            migrate(deliveries.engine)
            mails = OutgoingMails(deliveries.engine)
            timing, now = Timing(quiet=timedelta(seconds=0)), datetime.now(UTC)
            first = mails.record(listed(odd), mailed=True, now=now, timing=timing, stream_seq=1)
            change = updated(enterprise(version=2, name=name))
            second = mails.record(change, mailed=True, now=now, timing=timing, stream_seq=2)
            (mail,) = mails.mails_of(odd.enterprise_id)
        finally:
            deliveries.dispose()
    assert (first.outcome, second.outcome) == ("new", "folded")
    assert mail.latest().enterprise.name == name
