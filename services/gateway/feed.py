"""Feeding the read model: catch up from the streams, then follow them.

The broker starts in the background so the pages keep serving the stored read model while
NATS is unreachable; `/healthz` tells whether the feed is connected.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from faststream.nats import NatsBroker
from nats.js.errors import NotFoundError
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from contracts.subjects import (
    AGENDA_STREAM,
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
    NEWS_STREAM,
    SCRAPES_STREAM,
    STREAMS,
)
from services.gateway.config import GatewaySettings
from services.gateway.present import read_present
from services.gateway.read_model.tables import (
    EnterpriseRow,
    HoldingRow,
    ProcessedCount,
    ProcessedEvent,
    PrunedPosition,
    StreamPosition,
)
from services.kit.batches import BatchConsumer
from services.kit.consumer_state import consumer_state
from services.kit.health_requests import HealthResponder
from services.kit.nats_access import NatsTarget, connect
from services.kit.nats_users import GATEWAY
from services.kit.streams import consumer_filters, ensure_streams

log = structlog.get_logger()
# Streams replayed into a new or wiped read model. Not SIGNINS: replaying it would bring back
# links already used as unused ones; after a wipe, an enterprise asks for a new link instead.
FED_STREAMS = (
    ENTERPRISES_STREAM.name,
    SCRAPES_STREAM.name,
    NEWS_STREAM.name,
    AGENDA_STREAM.name,
)


class ReadModelFeed:
    """Owns the consumers' life: start with retries at start-up, drain at shutdown. Besides
    the read model's, `consumers` holds the sign-in links' consumer: it starts and stops with
    the feed. The broker, started with them, publishes the pages' requests and answers
    `health` requests (`impactoost health`) once connected."""

    def __init__(
        self,
        settings: GatewaySettings,
        broker: NatsBroker,
        consumers: Sequence[BatchConsumer[Any]],
        engine: Engine,
        health: HealthResponder | None = None,
    ) -> None:
        self._settings = settings
        self._health = health
        self._broker = broker
        self._consumers = tuple(consumers)
        self._engine = engine
        self._task: asyncio.Task[None] | None = None
        self.started = False

    def start(self) -> None:
        """Begin connecting in the background."""
        self._task = asyncio.create_task(self._run(), name="gateway-read-model-feed")

    async def stop(self) -> None:
        """Stop connecting, or let in-flight messages finish and close the connection."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._stop_consumers()
        self.started = False
        log.info("read_model_feed_stopped")

    async def _run(self, max_delay: float = 30.0) -> None:
        delay = 1.0
        while True:
            try:
                await self._start_once()
            except Exception as exc:
                log.warning("read_model_feed_start_failed", error=repr(exc), retry_in_seconds=delay)
                with contextlib.suppress(Exception):
                    await self._stop_consumers()
                await asyncio.sleep(delay)
                delay = min(delay * 2, max_delay)
                continue
            self.started = True
            log.info("read_model_feed_started", durable=self._settings.durable)
            return

    async def ack_floors(self) -> dict[str, int]:
        """Per fed stream, the sequence up to which the gateway's durable has acked all."""
        if not self.started:
            raise RuntimeError("the feed is not connected")
        js = self._broker.connection.jetstream()
        durable = self._settings.durable
        states = [await consumer_state(js, stream, durable) for stream in FED_STREAMS]
        return {state.stream: state.ack_floor for state in states}

    async def _stop_consumers(self) -> None:
        if self._health is not None:
            await self._health.stop()
        for consumer in self._consumers:
            await consumer.stop()
        await self._broker.stop()

    async def _start_once(self) -> None:
        settings = self._settings
        await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=GATEWAY)
        await forget_if_refiltered(settings, self._engine)
        fed = await asyncio.to_thread(streams_with_position, self._engine)
        if not fed & {ENTERPRISES_STREAM.name, ENTERPRISE_STATES_STREAM.name}:
            # A new or wiped read model: the present first, then what ENTERPRISES retains.
            await reset_durables(settings.nats(), settings.durable, [ENTERPRISES_STREAM.name])
            await read_present(settings, self._engine)
            fed.add(ENTERPRISES_STREAM.name)
        await reset_durables(
            settings.nats(), settings.durable, [s for s in FED_STREAMS if s not in fed]
        )
        await self._broker.start()
        for consumer in self._consumers:
            await consumer.start()
        if self._health is not None:
            await self._health.start(self._broker.connection)


async def forget_if_refiltered(settings: GatewaySettings, engine: Engine) -> bool:
    """Forget the enterprises when the durable was filtered on other subjects (the gateway's
    provinces changed): the read model would lack some and keep others for ever. With no
    position left in ENTERPRISES, `reset_durables` then makes the durable replay afresh."""
    wanted = frozenset(settings.enterprise_subjects)
    nc = await connect(settings.nats(), connect_timeout=5, allow_reconnect=False)
    try:
        info = await nc.jetstream().consumer_info(ENTERPRISES_STREAM.name, settings.durable)
    except NotFoundError:
        return False
    finally:
        await nc.close()
    if consumer_filters(info.config) == wanted:
        return False
    await asyncio.to_thread(forget_enterprises, engine)
    log.warning(
        "read_model_enterprises_forgotten_for_replay",
        durable=settings.durable,
        filtered_on=sorted(consumer_filters(info.config)),
        now_filtering_on=sorted(wanted),
    )
    return True


def forget_enterprises(engine: Engine) -> None:
    """Delete every enterprise, the record of enterprise events applied and the streams'
    positions (ENTERPRISES and the present), in one transaction; the processed count moves
    on, so no cached answer from before is served again."""
    streams = (ENTERPRISES_STREAM.name, ENTERPRISE_STATES_STREAM.name)
    with Session(engine) as session:
        session.exec(delete(HoldingRow))
        session.exec(delete(EnterpriseRow))
        session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.stream).in_(streams)))
        session.exec(delete(StreamPosition).where(col(StreamPosition.stream).in_(streams)))
        session.exec(delete(PrunedPosition).where(col(PrunedPosition.stream).in_(streams)))
        session.exec(update(ProcessedCount).values(events=ProcessedCount.events + 1))
        session.commit()


def streams_with_position(engine: Engine) -> set[str]:
    """The streams the read model has applied at least one event from."""
    with Session(engine) as session:
        return set(session.exec(select(StreamPosition.stream)).all())


async def reset_durables(nats: NatsTarget, durable: str, streams: Iterable[str]) -> list[str]:
    """Delete `durable` on each stream, so it is created afresh and replays from the start.

    Called for streams the read model holds nothing from (a new or wiped database): an
    existing durable there has already been acknowledged past events we no longer have.
    """
    streams = list(streams)
    if not streams:
        return []
    nc = await connect(nats, connect_timeout=5, allow_reconnect=False)
    reset: list[str] = []
    try:
        js = nc.jetstream()
        for stream in streams:
            with contextlib.suppress(NotFoundError):
                info = await js.consumer_info(stream, durable)
                if not (info.delivered and info.delivered.stream_seq):
                    continue  # it has delivered nothing yet: it starts from the start anyway
                await js.delete_consumer(stream, durable)
                reset.append(stream)
                log.warning(
                    "durable_consumer_deleted_for_replay",
                    stream=stream,
                    durable=durable,
                    reason="read model holds nothing from this stream",
                )
    finally:
        await nc.close()
    return reset
