"""The outbox side of a unit of work: enterprise events committed with their cause, in the
same transaction as the enterprise they concern: abstract, SQL, fake. Processed event ids,
the other side, are in processed.py."""

from __future__ import annotations

import abc
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table, update
from sqlmodel import Session, col, select

from contracts.base import Event
from services.registry.adapters.tables import OutboxRow, as_utc


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
    def last_id(self) -> int:
        """The highest id any message has (0 for an empty outbox)."""

    def take_written(self) -> list[OutboxMessage]:
        """The messages written (with their ids) since last asked; empty where the adapter
        cannot tell them before its commit."""
        return []

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


class SqlOutbox(AbstractOutbox):
    """Messages in the `outbox` table, ordered by their serial id; added ones are written at
    `flush`, in the order they were added (one statement)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._added: list[dict[str, Any]] = []
        self._written: list[OutboxMessage] = []
        self._last: tuple[Event, str] | None = None

    def add(self, subject: str, event: Event, at: datetime, message_id: str | None = None) -> None:
        # An event that tells a new state is added twice (its subject, its state subject):
        # serialised once.
        if self._last is None or self._last[0] is not event:
            self._last = (event, event.model_dump_json())
        self._added.append(
            {
                "event_id": message_id or event.event_id,
                "subject": subject,
                "payload": self._last[1],
                "created_at": at,
            }
        )

    def flush(self) -> None:
        """Write the messages added since the last flush (one statement), learning their ids."""
        rows, self._added = self._added, []
        self._last = None
        if not rows:
            return
        ids = self.session.connection().execute(_INSERT_RETURNING_ID, rows).scalars().all()
        self._written += [
            OutboxMessage(
                id=i,
                event_id=r["event_id"],
                subject=r["subject"],
                payload=r["payload"],
                created_at=r["created_at"],
            )
            for i, r in zip(ids, rows, strict=True)
        ]

    def take_written(self) -> list[OutboxMessage]:
        written, self._written = self._written, []
        return written

    def last_id(self) -> int:
        found = self.session.connection().execute(sa.select(sa.func.max(_OUTBOX.c.id))).scalar()
        return int(found or 0)

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
# Ids in the order of the rows given (SQLite and PostgreSQL both return them).
_INSERT_RETURNING_ID = sa.insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)


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

    def last_id(self) -> int:
        return max((m.id for m in self.committed), default=0)

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
