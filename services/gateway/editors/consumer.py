"""The editors' link hashes: `EditorLinkIssued` from SIGNINS into the editors' link table,
under a durable of its own beside the enterprises' (`<gateway durable>-editors`); expired
links and sessions are purged with every batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from contracts.signin import EditorLinkIssued
from contracts.subjects import SIGNINS_STREAM, signin_subject
from services.gateway.editors.access import purge_expired_editors, record_editor_links
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.nats_access import NatsTarget


def editor_link_consumer(
    engine: Engine,
    writing: asyncio.Lock,
    now: Callable[[], datetime],
    *,
    nats: NatsTarget,
    durable: str,
    ack_wait_seconds: float = 30.0,
    inactive_threshold_seconds: float | None = None,
) -> BatchConsumer[EditorLinkIssued]:
    """The durable consumer of editors' issued links; a batch is recorded in one transaction."""
    spec = BatchConsumerSpec(
        stream=SIGNINS_STREAM,
        subject=signin_subject("editor_link_issued"),
        durable=f"{durable}-editors",
        service="gateway",
        ack_wait_seconds=ack_wait_seconds,
        inactive_threshold_seconds=inactive_threshold_seconds,
        title="gateway/on_editor_link_issued",
        description="Hashes of mailed editors' sign-in links -> the gateway's editor links",
    )

    async def handle(
        deliveries: Sequence[Delivery[EditorLinkIssued]],
    ) -> list[Exception | None]:
        events = [d.item for d in sorted(deliveries, key=lambda d: d.stream_sequence)]
        try:
            async with writing:
                await asyncio.to_thread(record_editor_links, engine, events, now())
                await asyncio.to_thread(purge_expired_editors, engine, now())
        except Exception as exc:
            return [exc for _ in deliveries]
        return [None for _ in deliveries]

    decode = EditorLinkIssued.model_validate_json
    return BatchConsumer(nats, spec, decode, handle, schema=EditorLinkIssued)
