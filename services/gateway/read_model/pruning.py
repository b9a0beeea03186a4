"""Processed event ids are kept only as long as a redelivery could still need them.

An id is pruned once its event is older than the keep period and at or below its durable's
ack floor (every message up to there is acked or given up on); the highest sequence pruned
per stream stays, so an event delivered again from there (a durable made anew) is still
recognised as applied, by its sequence instead of its id. The version guard behind it would
refuse the stale state anyway; this keeps the count of applied events true as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select

from contracts.base import utc_now
from contracts.subjects import ENTERPRISE_STATES_STREAM
from services.gateway.read_model.index_follow import prune_change_log
from services.gateway.read_model.tables import ProcessedEvent, PrunedPosition

log = structlog.get_logger()
NEVER_READ_AGAIN = 2**62
"""The present (ENTERPRISE_STATES) is read only into an empty read model: no floor limits it."""


def pruned_through(session: Session) -> dict[str, int]:
    """Per stream, the sequence up to which every event counts as applied."""
    rows = session.exec(select(PrunedPosition.stream, PrunedPosition.through_seq)).all()
    return dict(rows)


def prune_processed(engine: Engine, floors: dict[str, int], older_than: datetime) -> int:
    """Delete the processed ids at or below each stream's ack floor in `floors` (and of the
    present) whose events were applied before `older_than`; returns how many went."""
    floors = {**floors, ENTERPRISE_STATES_STREAM.name: NEVER_READ_AGAIN}
    pruned = 0
    with Session(engine) as session:
        for stream, floor in floors.items():
            through = session.exec(
                select(func.max(ProcessedEvent.stream_seq)).where(
                    ProcessedEvent.stream == stream,
                    col(ProcessedEvent.stream_seq) <= floor,
                    col(ProcessedEvent.processed_at) < older_than,
                )
            ).one()
            if through is None:
                continue
            result = session.exec(
                delete(ProcessedEvent).where(
                    col(ProcessedEvent.stream) == stream,
                    col(ProcessedEvent.stream_seq) <= through,
                )
            )
            pruned += result.rowcount
            mark = session.get(PrunedPosition, stream)
            if mark is None:
                session.add(PrunedPosition(stream=stream, through_seq=through))
            else:
                mark.through_seq = max(mark.through_seq, through)
                session.add(mark)
        session.commit()
    return pruned


async def keep_pruning(
    engine: Engine,
    ack_floors: Callable[[], Awaitable[dict[str, int]]],
    keep: timedelta,
    every_seconds: float = 3600.0,
) -> None:
    """Prune every `every_seconds`, until cancelled; a round without NATS (no ack floors to
    trust) prunes nothing."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            changes = await asyncio.to_thread(prune_change_log, engine)
            log.info("search_change_log_pruned", pruned=changes)
        except Exception as exc:  # the database away: next round
            log.warning("search_change_log_not_pruned", error=f"{type(exc).__name__}: {exc}")
        try:
            floors = await ack_floors()
            pruned = await asyncio.to_thread(prune_processed, engine, floors, utc_now() - keep)
            log.info("processed_ids_pruned", pruned=pruned, floors=floors)
        except Exception as exc:  # NATS or the database away: next round
            log.warning("processed_ids_not_pruned", error=f"{type(exc).__name__}: {exc}")
