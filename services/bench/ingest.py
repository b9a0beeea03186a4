"""Registry ingest: label events per second from the first publish until the registry has
committed every one (state, processed event id and outbox row in one transaction) and acked
it, against stage 1 of the bare pipeline (bare_pipeline.py) taking the same payloads through
the same commit and publish with plain nats-py and the plain database driver."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, text

from contracts.labels import LabelGranted
from contracts.subjects import LABELS_STREAM, label_subject
from services.bench.bare_pipeline import BarePipeline
from services.bench.jetstream import Message, publish_all, wait_for_acks, wait_for_pull
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.synthetic import label_granted

WARM_UP_EVENTS = 20
TIMEOUT = 900.0
DRAIN_POLL_SECONDS = 0.2


@dataclass
class IngestFigures:
    """Events/s per repetition: the registry, and the bare pipeline's stage 1."""

    registry: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


async def measure_ingest(
    plan: Plan, js: Any, database_url: str, bare: BarePipeline
) -> IngestFigures:
    """Repetitions against a running registry (and nothing else consuming) and a running
    stage 1 of the bare pipeline; each alternates baseline and registry so both see the same
    state of the machine, and starts once the registry's relay has published the enterprise
    events of the one before (the relay is not what is measured, but it shares the
    registry's process and the machine's cores)."""
    from services.registry.subscribers import DURABLE

    figures = IngestFigures()
    await wait_for_pull(js, LABELS_STREAM.name, DURABLE, 60)
    warm_up = [label_granted("iwarm", i) for i in range(WARM_UP_EVENTS)]
    await _timed(js, to_labels(warm_up), LABELS_STREAM.name, DURABLE)
    await _timed(bare.js, bare.messages(warm_up), bare.stream, bare.durable)
    for rep in range(plan.repetitions):
        await outbox_drained(database_url, TIMEOUT)
        events = [label_granted(f"i{rep}", i) for i in range(plan.ingest_events)]
        figures.bare.append(await _timed(bare.js, bare.messages(events), bare.stream, bare.durable))
        figures.registry.append(await _timed(js, to_labels(events), LABELS_STREAM.name, DURABLE))
        say(
            f"ingest: repetition {rep + 1}: {figures.registry[-1]:.0f} events/s, "
            f"bare pipeline {figures.bare[-1]:.0f} events/s"
        )
    bare_rows = await asyncio.to_thread(bare.committed, events_sent(plan))
    figures.details["bare_pipeline_rows"] = bare_rows
    return figures


async def outbox_drained(database_url: str, within: float) -> None:
    """Wait until the registry's outbox holds no event still to publish."""
    engine = create_engine(database_url)
    deadline = time.perf_counter() + within
    try:
        while time.perf_counter() < deadline:
            if not await asyncio.to_thread(_unpublished, engine):
                return
            await asyncio.sleep(DRAIN_POLL_SECONDS)
    finally:
        engine.dispose()
    raise TimeoutError(f"the registry's outbox was not published within {within:.0f}s")


def _unpublished(engine: Engine) -> int:
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return int(connection.execute(query).scalar() or 0)


def events_sent(plan: Plan) -> int:
    """How many label events `measure_ingest` publishes."""
    return WARM_UP_EVENTS + plan.repetitions * plan.ingest_events


async def _timed(js: Any, messages: Sequence[Message], stream: str, durable: str) -> float:
    """Events/s from the first publish until `durable` has acked the last message."""
    began = time.perf_counter()
    last_seq = await publish_all(js, messages)
    done = await wait_for_acks(js, stream, durable, last_seq, TIMEOUT)
    return len(messages) / (done - began)


def to_labels(events: Sequence[LabelGranted]) -> list[Message]:
    """Label events as the scraper publishes them to LABELS."""
    return [Message.of(label_subject(e.observation.label, "granted"), e) for e in events]


def committed(database_url: str, expected: int) -> dict[str, Any]:
    """What the registry's database holds afterwards: proof the acks followed commits."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            processed = connection.execute(text("SELECT count(*) FROM processed_event")).scalar()
            outbox = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
    finally:
        engine.dispose()
    if processed is None or processed < expected:
        raise RuntimeError(f"registry acked {expected} events but recorded {processed}")
    return {"events_published": expected, "processed_events": processed, "outbox_rows": outbox}
