"""What the notifier's integration tests share: the app running against real servers,
publishing as the registry does, polling, and reading mails and streams back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from email.message import Message
from typing import Any

import nats
from nats.js.errors import NotFoundError
from sqlmodel import Session, select

from contracts.base import Event
from contracts.subjects import StreamSpec
from services.kit.jetstream import make_broker, publish_event
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries, Delivery
from services.notifier.mail_tables import EnterpriseMail, ProcessedEvent
from services.notifier.main import create_app
from services.notifier.outgoing import OutgoingMails

PATIENCE = 20.0


@contextlib.asynccontextmanager
async def running_notifier(settings: NotifierSettings) -> AsyncIterator[None]:
    """The notifier app against the real servers, stopped gracefully afterwards."""
    async with create_app(settings):
        yield


async def publish_on(
    nats_url: str, stream: StreamSpec, subject: str, *events: Event, msg_id_suffix: str = ""
) -> int:
    """Publish as the registry does; a suffix re-sends a payload under another Nats-Msg-Id,
    which is how a redelivery looks to the consumer. Returns the last one's stream place."""
    seq = 0
    async with make_broker(nats_url) as broker:
        await broker.start()
        for event in events:
            if not msg_id_suffix:
                seq = (await publish_event(broker, subject, event, stream=stream)).seq
                continue
            ack = await broker.publish(
                event.model_dump_json().encode(),
                subject,
                headers={"Nats-Msg-Id": event.event_id + msg_id_suffix},
                stream=stream.name,
                timeout=5,
            )
            seq = ack.seq
    return seq


async def eventually(check: Callable[[], object], what: str = "condition") -> None:
    """Poll without blocking the event loop the notifier runs on."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not reached within {PATIENCE:.0f}s")


async def consumer_settled(nats_url: str, stream: str, durable: str, last_seq: int) -> bool:
    """Whether `durable` has acknowledged everything up to stream place `last_seq` (on a
    stream it reads whole: `last_seq` messages) and holds nothing."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(stream, durable)
    except NotFoundError:
        return False
    finally:
        await nc.close()
    return bool(
        info.ack_floor.stream_seq == last_seq
        and info.num_ack_pending == 0
        and info.num_pending == 0
    )


async def wait_settled(nats_url: str, stream: str, durable: str, last_seq: int) -> None:
    """Wait until `durable` acknowledged everything up to `last_seq` (none to redeliver)."""
    deadline = time.monotonic() + PATIENCE
    while not await consumer_settled(nats_url, stream, durable, last_seq):
        assert time.monotonic() < deadline, f"{durable}: not all acked to {last_seq} in time"
        await asyncio.sleep(0.1)


async def stream_payloads(nats_url: str, stream: str, subject: str) -> list[dict[str, Any]]:
    """Every message on `subject` that `stream` holds, oldest first, as JSON."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        state = (await js.stream_info(stream)).state
        found = []
        for seq in range(state.first_seq, state.last_seq + 1):
            msg = await js.get_msg(stream, seq)
            if msg.subject == subject and msg.data:
                found.append(json.loads(msg.data))
        return found
    finally:
        await nc.close()


def delivery(settings: NotifierSettings, event_id: str) -> Delivery | None:
    """The notifier's own record of an event."""
    deliveries = Deliveries(settings.database_url)
    try:
        return deliveries.get(event_id)
    finally:
        deliveries.dispose()


def mail_row(settings: NotifierSettings, first_event_id: str) -> EnterpriseMail | None:
    """The notifier's record of the enterprise mail that began with this event."""
    deliveries = Deliveries(settings.database_url)
    try:
        with Session(deliveries.engine, expire_on_commit=False) as session:
            query = select(EnterpriseMail).where(EnterpriseMail.mail_key == first_event_id)
            return session.exec(query).first()
    finally:
        deliveries.dispose()


def mails_of(settings: NotifierSettings, enterprise_id: str) -> list[EnterpriseMail]:
    """Every enterprise mail the notifier recorded for the enterprise, oldest first."""
    deliveries = Deliveries(settings.database_url)
    try:
        return OutgoingMails(deliveries.engine).mails_of(enterprise_id)
    finally:
        deliveries.dispose()


def processed(settings: NotifierSettings, event_id: str) -> str | None:
    """What the notifier did with an event it took in (`new`, `folded`, `skipped`, …)."""
    deliveries = Deliveries(settings.database_url)
    try:
        with Session(deliveries.engine) as session:
            row = session.get(ProcessedEvent, event_id)
            return row.outcome if row else None
    finally:
        deliveries.dispose()


def body(message: Message, subtype: str) -> str:
    """The decoded text of the `text/<subtype>` part."""
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text/{subtype} part")
