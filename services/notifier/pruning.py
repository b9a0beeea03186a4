"""Processed event ids do not grow without bound: ids older than the horizon are deleted,
but only those at or below their durable's ack floor (JetStream delivers none of those
again, unless the durable is lost and made anew). Per stream the highest pruned sequence is
kept: an event delivered again with a sequence at or below it is a duplicate, though its id
is gone. Ids recorded without a stream sequence (before it was kept) are never pruned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Engine, delete, func
from sqlmodel import Field, Session, col, select

from services.notifier.deliveries import DateTimeTz, NotifierTable
from services.notifier.mail_tables import ProcessedEvent


class PrunedStream(NotifierTable, table=True):
    """The highest stream sequence whose processed ids were pruned, per stream."""

    __tablename__ = "pruned_stream"

    stream: str = Field(primary_key=True, max_length=32)
    max_seq: int = Field(sa_type=BigInteger)
    pruned_at: datetime = Field(sa_type=DateTimeTz)


def pruned_floor(session: Session, stream: str) -> int:
    """The highest pruned sequence of `stream` (0: none pruned)."""
    found = session.get(PrunedStream, stream)
    return found.max_seq if found else 0


def is_pruned_duplicate(session: Session, stream: str, stream_seq: int | None) -> bool:
    """Whether an event at `stream_seq` was taken in before and its id since pruned."""
    return stream_seq is not None and stream_seq <= pruned_floor(session, stream)


def prune_processed(engine: Engine, stream: str, ack_floor: int, before: datetime) -> int:
    """Delete the processed ids of `stream` recorded before `before` at or below `ack_floor`,
    and raise the stream's pruned sequence to the highest of them, in one transaction;
    returns how many were deleted."""
    prunable = (
        col(ProcessedEvent.stream) == stream,
        col(ProcessedEvent.stream_seq) <= ack_floor,
        col(ProcessedEvent.recorded_at) < before,
    )
    with Session(engine) as session:
        highest = session.exec(select(func.max(ProcessedEvent.stream_seq)).where(*prunable)).one()
        if highest is None:
            return 0
        result = session.exec(delete(ProcessedEvent).where(*prunable))
        kept = session.get(PrunedStream, stream) or PrunedStream(
            stream=stream, max_seq=0, pruned_at=before
        )
        kept.max_seq, kept.pruned_at = max(kept.max_seq, int(highest)), before
        session.add(kept)
        session.commit()
        return int(result.rowcount or 0)
