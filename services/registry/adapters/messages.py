"""The messaging side of a unit of work: processed label event ids and the outbox.

Both are written in the same transaction as the enterprise they concern: abstract, SQL, fake.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table, update
from sqlmodel import Session, col, select

from contracts.base import Event
from services.kit.sql import insert_many
from services.registry.adapters.tables import (
    OutboxRow,
    ProcessedEventRow,
    ProcessedStreamRow,
    as_utc,
)


@dataclass
class OutboxMessage:
    """An event waiting in the outbox, in commit order."""

    id: int
    event_id: str
    subject: str
    payload: str
    created_at: datetime
    published_at: datetime | None = None
    dead_at: datetime | None = None
    dead_reason: str | None = None


@dataclass(frozen=True)
class OutboxCounts:
    """How the outbox stands: rows waiting, since when, and rows given up on."""

    backlog: int
    oldest_unpublished_at: datetime | None
    given_up: int


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


class AbstractOutbox(abc.ABC):
    """Enterprise events committed with their cause, published later by the relay."""

    @abc.abstractmethod
    def add(self, subject: str, event: Event, at: datetime, message_id: str | None = None) -> None:
        """Queue an event (an enterprise event, or a sign-in granted) for publishing, known to
        JetStream by `message_id` (its `Nats-Msg-Id`; default the event's id): one event that
        goes out under two subjects needs an id per message."""

    @abc.abstractmethod
    def pending(self, limit: int) -> list[OutboxMessage]:
        """The oldest messages not yet published, in commit order."""

    @abc.abstractmethod
    def mark_published(self, message_ids: list[int], at: datetime) -> None:
        """Record that JetStream acknowledged these messages."""

    @abc.abstractmethod
    def mark_given_up(self, message_id: int, at: datetime, reason: str) -> None:
        """Record that the message can never be published (it no longer counts as pending)."""

    @abc.abstractmethod
    def counts(self) -> OutboxCounts:
        """The backlog, its oldest row's time, and how many rows were given up on."""

    @abc.abstractmethod
    def delete_done(self, published_before: datetime, given_up_before: datetime, limit: int) -> int:
        """Delete up to `limit` rows published before `published_before` or given up on
        before `given_up_before`, oldest first; returns how many."""


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


class SqlOutbox(AbstractOutbox):
    """Messages in the `outbox` table, ordered by their serial id; added ones are written at
    `flush`, in the order they were added (one statement)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._added: list[dict[str, object]] = []

    def add(self, subject: str, event: Event, at: datetime, message_id: str | None = None) -> None:
        self._added.append(
            {
                "event_id": message_id or event.event_id,
                "subject": subject,
                "payload": event.model_dump_json(),
                "created_at": at,
            }
        )

    def flush(self) -> None:
        """Write the messages added since the last flush."""
        rows, self._added = self._added, []
        insert_many(self.session, _OUTBOX, rows)

    def pending(self, limit: int) -> list[OutboxMessage]:
        rows = self.session.exec(
            select(OutboxRow)
            .where(col(OutboxRow.published_at).is_(None), col(OutboxRow.dead_at).is_(None))
            .order_by(col(OutboxRow.id))
            .limit(limit)
        ).all()
        return [
            OutboxMessage(
                id=r.id or 0,
                event_id=r.event_id,
                subject=r.subject,
                payload=r.payload,
                created_at=as_utc(r.created_at),
            )
            for r in rows
        ]

    def mark_published(self, message_ids: list[int], at: datetime) -> None:
        self.session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(message_ids), _OUTBOX.c.published_at.is_(None))
            .values(published_at=at)
        )

    def mark_given_up(self, message_id: int, at: datetime, reason: str) -> None:
        self.session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == message_id, _OUTBOX.c.published_at.is_(None))
            .values(dead_at=at, dead_reason=reason[:REASON_MAX])
        )

    def counts(self) -> OutboxCounts:
        waiting = _OUTBOX.c.published_at.is_(None) & _OUTBOX.c.dead_at.is_(None)
        row = (
            self.session.connection()
            .execute(
                sa.select(
                    sa.func.count().filter(waiting),
                    sa.func.min(_OUTBOX.c.created_at).filter(waiting),
                    sa.func.count().filter(_OUTBOX.c.dead_at.is_not(None)),
                )
            )
            .one()
        )
        oldest = as_utc(row[1]) if row[1] is not None else None
        return OutboxCounts(backlog=row[0], oldest_unpublished_at=oldest, given_up=row[2])

    def delete_done(self, published_before: datetime, given_up_before: datetime, limit: int) -> int:
        done = sa.or_(
            _OUTBOX.c.published_at < published_before, _OUTBOX.c.dead_at < given_up_before
        )
        ids = sa.select(_OUTBOX.c.id).where(done).order_by(_OUTBOX.c.id).limit(limit)
        found = list(self.session.connection().execute(ids).scalars())
        if found:
            self.session.connection().execute(sa.delete(_OUTBOX).where(_OUTBOX.c.id.in_(found)))
        return len(found)


REASON_MAX = 500
_OUTBOX: Table = OutboxRow.__table__  # type: ignore[attr-defined]
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


class FakeOutbox(AbstractOutbox):
    """Messages in a list; additions and marks are staged until the unit of work commits."""

    def __init__(self, committed: list[OutboxMessage]) -> None:
        self.committed = committed
        self.added: list[tuple[str, Event, datetime, str]] = []
        self.marked: dict[int, datetime] = {}
        self.given_up: dict[int, tuple[datetime, str]] = {}
        self.deleted: set[int] = set()

    def add(self, subject: str, event: Event, at: datetime, message_id: str | None = None) -> None:
        self.added.append((subject, event, at, message_id or event.event_id))

    def pending(self, limit: int) -> list[OutboxMessage]:
        waiting = [m for m in self._waiting() if m.id not in self.marked]
        return [replace(m) for m in waiting[:limit]]

    def _waiting(self) -> list[OutboxMessage]:
        return [m for m in self.committed if m.published_at is None and m.dead_at is None]

    def mark_published(self, message_ids: list[int], at: datetime) -> None:
        self.marked.update(dict.fromkeys(message_ids, at))

    def mark_given_up(self, message_id: int, at: datetime, reason: str) -> None:
        self.given_up[message_id] = (at, reason[:REASON_MAX])

    def counts(self) -> OutboxCounts:
        waiting = self._waiting()
        return OutboxCounts(
            backlog=len(waiting),
            oldest_unpublished_at=min((m.created_at for m in waiting), default=None),
            given_up=sum(1 for m in self.committed if m.dead_at is not None),
        )

    def delete_done(self, published_before: datetime, given_up_before: datetime, limit: int) -> int:
        done = [
            m.id
            for m in self.committed
            if (m.published_at is not None and m.published_at < published_before)
            or (m.dead_at is not None and m.dead_at < given_up_before)
        ][:limit]
        self.deleted.update(done)
        return len(done)

    def apply(self) -> None:
        """Append the staged messages (unique event ids, as in SQL) and apply the marks."""
        ids = [m.event_id for m in self.committed] + [i for _, _, _, i in self.added]
        if len(ids) != len(set(ids)):
            raise ValueError("outbox event ids must be unique")
        for subject, event, at, message_id in self.added:
            self.committed.append(
                OutboxMessage(
                    id=max((m.id for m in self.committed), default=0) + 1,
                    event_id=message_id,
                    subject=subject,
                    payload=event.model_dump_json(),
                    created_at=at,
                )
            )
        for message in self.committed:
            if message.id in self.marked and message.published_at is None:
                message.published_at = self.marked[message.id]
            if message.id in self.given_up and message.published_at is None:
                message.dead_at, message.dead_reason = self.given_up[message.id]
        self.committed[:] = [m for m in self.committed if m.id not in self.deleted]
        self.added, self.marked, self.given_up, self.deleted = [], {}, {}, set()
