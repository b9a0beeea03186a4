"""Helpers for end-to-end tests: the platform as processes, JetStream introspection, the
platform's mail, a regional subscriber, and a real browser (`browser`, `page`)."""

from __future__ import annotations

import asyncio
import contextlib
import email
import mailbox
import time
import uuid
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import TypeAdapter

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.subjects import ENTERPRISES_STREAM
from services.kit.nats_access import connect


async def consumer_settled(nats_url: str, stream: str, durable: str) -> bool:
    """Whether a durable consumer exists and has nothing pending or unacknowledged."""
    nc = await connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(stream, durable)
    except nats.js.errors.NotFoundError:
        return False
    finally:
        await nc.close()
    return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0


async def stream_messages(nats_url: str, stream: str) -> int:
    """How many messages a stream holds."""
    nc = await connect(nats_url)
    try:
        return (await nc.jetstream().stream_info(stream)).state.messages
    finally:
        await nc.close()


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 60.0, what: str = "condition"
) -> None:
    """Await `check()` until it is true, or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def mails(maildir: Path) -> list[EmailMessage]:
    """Every message the platform's mail sink has stored so far, parsed with today's policy."""
    box = mailbox.Maildir(
        maildir,
        create=False,
        factory=lambda f: email.message_from_binary_file(f, policy=default),
    )
    return list(box)


def plain_text(message: EmailMessage) -> str:
    """A message's plain-text body."""
    body = message.get_body(("plain",))
    assert body is not None, f"no plain-text part in {message['Subject']!r}"
    content: str = body.get_content()
    return content


async def regional_event(
    nats_url: str,
    filter_subject: str,
    wanted: Callable[[EnterpriseEvent], bool],
    timeout: float = 60.0,
) -> EnterpriseEvent:
    """The first enterprise event on `filter_subject` that is `wanted`, read as a regional
    subscriber reads it: a JetStream pull consumer of its own on ENTERPRISES, from the start."""
    nc = await connect(nats_url)
    js = nc.jetstream()
    durable = f"e2e-region-{uuid.uuid4().hex[:12]}"
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT)
    events = TypeAdapter(AnyEnterpriseEvent)
    try:
        sub = await js.pull_subscribe(
            filter_subject, durable=durable, stream=ENTERPRISES_STREAM.name, config=config
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                batch = await sub.fetch(100, timeout=1)
            except TimeoutError:  # nats-py raises its own or the built-in one
                continue
            for message in batch:
                await message.ack()
                event = events.validate_json(message.data)
                if wanted(event):
                    return event
        raise AssertionError(f"no wanted event on {filter_subject} within {timeout:.0f}s")
    finally:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await js.delete_consumer(ENTERPRISES_STREAM.name, durable)
        await nc.close()
