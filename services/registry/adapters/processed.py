"""Processed event ids, written in the same transaction as their effect: abstract, SQL,
fake. A label event's id keeps its stream sequence, so ids can be pruned once the durable
acknowledged them while a redelivery is still recognised (by the stream's pruned-through
sequence)."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table
from sqlmodel import Session

from services.kit.sql import insert_many
from services.registry.adapters.tables import ProcessedEventRow, ProcessedStreamRow


class AbstractProcessedEvents(abc.ABC):
    """Ids of events whose effect is committed; a label event's with its stream sequence."""

    @abc.abstractmethod
    def contains(self, event_id: str) -> bool:
        """Whether the event was processed before."""

    @abc.abstractmethod
    def claim(
        self, event_id: str, at: datetime, stream: str | None = None, sequence: int | None = None
    ) -> bool:
        """Remember the event as processed (committed with its effect), unless it was:
        False then (a duplicate). An event delivered at `sequence` of `stream` at or below
        where that stream's ids were pruned is a duplicate too."""

    @abc.abstractmethod
    def prune(self, stream: str, through: int, before: datetime, limit: int) -> int:
        """Forget up to `limit` ids of `stream` at or below sequence `through` and processed
        before `before`, lowest first, raising the stream's pruned-through sequence to the
        highest forgotten; returns how many."""

    @abc.abstractmethod
    def prune_unsequenced(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` ids kept without a stream sequence, processed before
        `before`; returns how many."""


class SqlProcessedEvents(AbstractProcessedEvents):
    """Processed ids in the `processed_event` table, written at `flush` (one statement), and
    each stream's pruned-through sequence in `processed_stream`.

    The check reads (`prefetch` reads a batch's ids at once); the insert at the commit is
    plain, so should another registry commit the same id first, this transaction fails on
    the key instead of recording the event twice. The pruned-through sequences are read after
    the ids: an id pruned meanwhile is then covered by its stream's new sequence.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seen: dict[str, bool] = {}
        self._claimed: dict[str, dict[str, Any]] = {}
        self._pruned: dict[str, int] | None = None

    def prefetch(self, event_ids: Iterable[str]) -> None:
        """Look the ids up in one statement."""
        wanted = sorted(set(event_ids) - self._seen.keys())
        if not wanted:
            return
        found = set(self.session.connection().execute(_PROCESSED, {"ids": wanted}).scalars())
        self._seen.update({event_id: event_id in found for event_id in wanted})
        self._pruned = None

    def _pruned_through(self, stream: str) -> int:
        if self._pruned is None:
            rows = self.session.connection().execute(sa.select(_STREAMS))
            self._pruned = {row.stream: row.pruned_through for row in rows}
        return self._pruned.get(stream, 0)

    def contains(self, event_id: str) -> bool:
        if event_id not in self._seen:
            self.prefetch([event_id])
        return self._seen[event_id]

    def claim(
        self, event_id: str, at: datetime, stream: str | None = None, sequence: int | None = None
    ) -> bool:
        if self.contains(event_id):
            return False
        if stream is not None and sequence is not None and sequence <= self._pruned_through(stream):
            return False
        self._seen[event_id] = True
        self._claimed[event_id] = {
            "event_id": event_id,
            "processed_at": at,
            "stream": stream if sequence is not None else None,
            "stream_sequence": sequence,
        }
        return True

    def flush(self) -> None:
        """Write the ids claimed since the last flush."""
        rows = list(self._claimed.values())
        self._claimed = {}
        insert_many(self.session, _PROCESSED_EVENTS, rows)

    def prune(self, stream: str, through: int, before: datetime, limit: int) -> int:
        table, connection = _PROCESSED_EVENTS, self.session.connection()
        found = connection.execute(
            sa.select(table.c.event_id, table.c.stream_sequence)
            .where(
                table.c.stream == stream,
                table.c.stream_sequence <= through,
                table.c.processed_at < before,
            )
            .order_by(table.c.stream_sequence)
            .limit(limit)
        ).all()
        if not found:
            return 0
        # The sequence first: from this commit on, a redelivery is known by it.
        highest = max(row.stream_sequence for row in found)
        if self._pruned_through(stream) == 0 and not self._has_stream(stream):
            connection.execute(sa.insert(_STREAMS).values(stream=stream, pruned_through=highest))
        elif highest > self._pruned_through(stream):
            connection.execute(
                sa.update(_STREAMS)
                .where(_STREAMS.c.stream == stream, _STREAMS.c.pruned_through < highest)
                .values(pruned_through=highest)
            )
        connection.execute(
            sa.delete(table).where(table.c.event_id.in_([r.event_id for r in found]))
        )
        self._pruned = None
        return len(found)

    def _has_stream(self, stream: str) -> bool:
        query = sa.select(_STREAMS.c.stream).where(_STREAMS.c.stream == stream)
        return self.session.connection().execute(query).first() is not None

    def prune_unsequenced(self, before: datetime, limit: int) -> int:
        table, connection = _PROCESSED_EVENTS, self.session.connection()
        ids = list(
            connection.execute(
                sa.select(table.c.event_id)
                .where(table.c.stream_sequence.is_(None), table.c.processed_at < before)
                .limit(limit)
            ).scalars()
        )
        if ids:
            connection.execute(sa.delete(table).where(table.c.event_id.in_(ids)))
        return len(ids)


_PROCESSED_EVENTS: Table = ProcessedEventRow.__table__  # type: ignore[attr-defined]
_STREAMS: Table = ProcessedStreamRow.__table__  # type: ignore[attr-defined]
_PROCESSED = sa.select(_PROCESSED_EVENTS.c.event_id).where(
    _PROCESSED_EVENTS.c.event_id.in_(sa.bindparam("ids", expanding=True))
)


@dataclass
class ProcessedRecord:
    """A processed id as the fake keeps it."""

    at: datetime
    stream: str | None = None
    sequence: int | None = None


class FakeProcessedEvents(AbstractProcessedEvents):
    """Processed ids in a set (with their times and sequences beside it); additions and
    prunings are staged until the unit of work commits."""

    def __init__(
        self,
        committed: set[str],
        records: dict[str, ProcessedRecord] | None = None,
        pruned: dict[str, int] | None = None,
    ) -> None:
        self.committed = committed
        self.records = records if records is not None else {}
        self.pruned = pruned if pruned is not None else {}
        self.staged: dict[str, ProcessedRecord] = {}
        self.forgotten: set[str] = set()
        self.raised: dict[str, int] = {}

    def contains(self, event_id: str) -> bool:
        return event_id in self.committed or event_id in self.staged

    def claim(
        self, event_id: str, at: datetime, stream: str | None = None, sequence: int | None = None
    ) -> bool:
        if self.contains(event_id):
            return False
        if stream is not None and sequence is not None and sequence <= self.pruned.get(stream, 0):
            return False
        self.staged[event_id] = ProcessedRecord(at, stream, sequence)
        return True

    def prune(self, stream: str, through: int, before: datetime, limit: int) -> int:
        found = sorted(
            (r.sequence, event_id)
            for event_id, r in self.records.items()
            if event_id in self.committed
            and r.stream == stream
            and r.sequence is not None
            and r.sequence <= through
            and r.at < before
        )[:limit]
        if found:
            self.raised[stream] = max(self.pruned.get(stream, 0), found[-1][0])
        self.forgotten.update(event_id for _, event_id in found)
        return len(found)

    def prune_unsequenced(self, before: datetime, limit: int) -> int:
        found = [
            event_id
            for event_id in sorted(self.committed)
            if (r := self.records.get(event_id)) is not None
            and r.sequence is None
            and r.at < before
        ][:limit]
        self.forgotten.update(found)
        return len(found)

    def apply(self) -> None:
        """Make the staged ids and prunings permanent."""
        self.committed.update(self.staged)
        self.records.update(self.staged)
        self.committed.difference_update(self.forgotten)
        for event_id in self.forgotten:
            self.records.pop(event_id, None)
        self.pruned.update(self.raised)
        self.staged, self.forgotten, self.raised = {}, set(), {}
