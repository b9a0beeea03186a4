"""The link hashes' consumer: `SignInLinkIssued` from SIGNINS into the gateway's own table,
under the gateway's durable name; expired links and sessions are purged with every batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import Engine

from contracts.signin import SignInLinkIssued
from contracts.subjects import SIGNINS_STREAM, signin_subject
from services.gateway.signin.links import purge_expired, record_links_issued
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.nats_access import NatsTarget

LINKS_ISSUED: TypeAdapter[SignInLinkIssued] = TypeAdapter(SignInLinkIssued)


def link_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    now: Callable[[], datetime],
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[SignInLinkIssued]:
    """The durable consumer of issued links; a batch is recorded in one transaction."""
    spec = BatchConsumerSpec(
        stream=SIGNINS_STREAM,
        subject=signin_subject("link_issued"),
        durable=durable,
        service="gateway",
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title="gateway/on_sign_in_link_issued",
        description="Hashes of mailed sign-in links -> the gateway's own link table",
    )

    async def handle(
        deliveries: Sequence[Delivery[SignInLinkIssued]],
    ) -> list[Exception | None]:
        events = [d.item for d in sorted(deliveries, key=lambda d: d.stream_sequence)]
        try:
            async with writing:
                await asyncio.to_thread(record_links_issued, engine, events, now())
                await asyncio.to_thread(purge_expired, engine, now())
        except Exception as exc:
            return [exc for _ in deliveries]
        return [None for _ in deliveries]

    return BatchConsumer(nats, spec, LINKS_ISSUED.validate_json, handle, schema=SignInLinkIssued)
