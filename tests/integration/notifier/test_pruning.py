"""Processed event ids are pruned on a real nats-server, only up to what the durable has
acknowledged, and a redelivery of a pruned event (the durable lost and made anew) is still
recognised by its stream sequence: no second mail."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.subjects import ALL_ENTERPRISE_EVENTS, ENTERPRISES_STREAM, enterprise_subject
from services.kit.consumer_state import consumer_state
from services.kit.nats_users import NOTIFIER_MAIL
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.handlers import send_due_mails, take_in_enterprise_event
from services.notifier.mail_tables import ProcessedEvent
from services.notifier.pruner import ProcessedPruner
from services.notifier.pruning import PrunedStream
from services.notifier.schema import migrate
from tests.fixtures.servers import SmtpSink
from tests.integration.notifier.helpers import PATIENCE, eventually, publish_on
from tests.unit.notifier.factories import enterprise, listed

pytestmark = pytest.mark.integration

EVENTS: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)
STREAM = ENTERPRISES_STREAM.name


async def eventually_async(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll an async check without blocking the event loop until it holds."""
    deadline = time.monotonic() + PATIENCE
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


def notifier_for(tmp_path: Path, sink: SmtpSink, nats_url: str) -> Notifier:
    contacts = tmp_path / "contacts.csv"
    lines = "".join(f"{10_000_000 + n},,info{n}@onderneming{n}.example\n" for n in range(5))
    contacts.write_text("kvk,website,email\n" + lines, encoding="utf-8")
    os.utime(contacts, (1_000, 1_000))
    settings = NotifierSettings(
        nats_url=nats_url,
        data_dir=tmp_path / "var",
        notifier_contacts_file=contacts,
        smtp_host=sink.host,
        smtp_port=sink.port,
        public_base_url="https://impactoost.example",
        mail_quiet_seconds=0,
    )
    deliveries = Deliveries(settings.database_url)
    migrate(deliveries.engine)
    return bootstrap(settings, deliveries=deliveries)


def event(n: int) -> EnterpriseEvent:
    return listed(enterprise(enterprise_id=f"onderneming-{n}", kvk=(f"{10_000_000 + n}",)))


async def durable(js: JetStreamContext) -> JetStreamContext.PullSubscription:
    """The notifier's durable on ENTERPRISES, made anew if it is gone (all from the start)."""
    config = ConsumerConfig(
        durable_name=NOTIFIER_MAIL,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        filter_subject=ALL_ENTERPRISE_EVENTS,
    )
    return await js.pull_subscribe(
        ALL_ENTERPRISE_EVENTS, durable=NOTIFIER_MAIL, stream=STREAM, config=config
    )


async def take_in(
    subscription: JetStreamContext.PullSubscription, notifier: Notifier, count: int, *, ack: bool
) -> list[str]:
    """Fetch `count` messages and take each in with its stream sequence; the outcomes."""
    outcomes: list[str] = []
    for msg in await subscription.fetch(count, timeout=5):
        recorded = take_in_enterprise_event(
            EVENTS.validate_json(msg.data), notifier, msg.metadata.sequence.stream
        )
        outcomes.append(recorded.outcome)
        if ack:
            await msg.ack_sync()
    return outcomes


def processed_seqs(notifier: Notifier) -> list[int]:
    with Session(notifier.deliveries.engine) as session:
        query = select(ProcessedEvent.stream_seq).where(col(ProcessedEvent.stream) == STREAM)
        return sorted(seq for seq in session.exec(query) if seq is not None)


async def test_pruned_events_redelivered_from_a_new_durable_are_not_mailed_again(
    tmp_path: Path, smtp_sink: SmtpSink, nats_url_clean: str
) -> None:
    notifier = notifier_for(tmp_path, smtp_sink, nats_url_clean)
    pruner = ProcessedPruner(
        notifier.deliveries.engine,
        nats_url_clean,
        horizon=timedelta(hours=1),
        clock=lambda: datetime.now(UTC) + timedelta(hours=2),
    )
    subject = enterprise_subject(None, None, "listed")
    await publish_on(nats_url_clean, ENTERPRISES_STREAM, subject, *(event(n) for n in range(4)))
    nc = await nats.connect(nats_url_clean)
    try:
        js = nc.jetstream()
        subscription = await durable(js)
        assert await take_in(subscription, notifier, 3, ack=True) == ["new"] * 3
        assert await take_in(subscription, notifier, 1, ack=False) == ["new"]  # not acked
        assert send_due_mails(notifier) == 4

        async def acked_to_three() -> bool:
            return (await consumer_state(js, STREAM, NOTIFIER_MAIL)).ack_floor == 3

        await eventually_async(acked_to_three)
        assert await pruner.prune_once() == 3
        assert processed_seqs(notifier) == [4]  # above the ack floor: kept
        with Session(notifier.deliveries.engine) as session:
            kept = session.get(PrunedStream, STREAM)
            assert kept is not None and kept.max_seq == 3

        # The durable is lost and made anew: every event comes again, with its old sequence.
        await subscription.unsubscribe()
        await js.delete_consumer(STREAM, NOTIFIER_MAIL)
        subscription = await durable(js)
        assert await take_in(subscription, notifier, 4, ack=True) == ["duplicate"] * 4
        assert send_due_mails(notifier) == 0
    finally:
        await nc.close()
    await eventually(lambda: len(smtp_sink.messages()) == 4, what="four mails")
    assert len(smtp_sink.messages()) == 4
