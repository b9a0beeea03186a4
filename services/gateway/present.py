"""A new read model starts from the present: every enterprise's latest state, read from the
compacted ENTERPRISE_STATES (the gateway's provinces only), before ENTERPRISES is replayed.

ENTERPRISES keeps a limited history (contracts.subjects): what has aged out of it is still in
the present. Replaying what it retains afterwards is safe: the read model applies each event
id once and only a newer version of an enterprise (read_model/projection.py).
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from nats.aio.msg import Msg
from nats.js import api
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ENTERPRISE_STATES_STREAM
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_events
from services.gateway.read_model.projection import Position
from services.gateway.subscribers import ENTERPRISE_EVENTS
from services.kit.nats_access import connect

log = structlog.get_logger()
BATCH = 500


async def read_present(settings: GatewaySettings, engine: Engine) -> int:
    """Apply the latest state of every enterprise in the gateway's provinces; how many.

    Read through a durable of the gateway's own name on ENTERPRISE_STATES, made afresh and
    deleted once everything in it at the start was read and recorded.
    """
    stream, durable = ENTERPRISE_STATES_STREAM.name, settings.durable
    client = await connect(settings.nats(), connect_timeout=5, allow_reconnect=False)
    read = 0
    try:
        js = client.jetstream()
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
        config = api.ConsumerConfig(
            durable_name=durable,
            deliver_policy=api.DeliverPolicy.ALL,
            ack_policy=api.AckPolicy.EXPLICIT,
            filter_subjects=list(settings.state_subjects),
        )
        info = await js.add_consumer(stream, config)
        pull = await js.pull_subscribe_bind(durable=durable, stream=stream)
        while read < (info.num_pending or 0):
            messages = await pull.fetch(BATCH, timeout=5)
            batch = [
                (event, Position(stream, m.metadata.sequence.stream))
                for m in messages
                if (event := _readable(m)) is not None
            ]
            results = await asyncio.to_thread(record_enterprise_events, engine, batch)
            failed = [result for result in results if isinstance(result, Exception)]
            if failed:
                raise failed[0]  # the feed's start is tried again, from the present
            for message in messages:
                await message.ack()
            read += len(messages)
        await js.delete_consumer(stream, durable)
    finally:
        await client.close()
    log.info("read_model_present_read", enterprises=read, durable=durable)
    return read


def _readable(message: Msg) -> EnterpriseEvent | None:
    try:
        return ENTERPRISE_EVENTS.validate_json(message.data)
    except ValueError as exc:  # one unreadable state must not keep the gateway from starting
        log.error("state_rejected", subject=message.subject, reason=type(exc).__name__)
        return None
