"""The editors' outbox relay: publishes the events written with editors' changes, in order,
each awaiting the stream's ack under its own id as `Nats-Msg-Id`, then marks it sent.

A crash between the ack and the mark sends the row again after a restart: same id, so the
stream's duplicate window drops it and every consumer's processed ids would too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from faststream.nats import NatsBroker
from sqlalchemy import Engine, delete, select, update
from sqlmodel import Session, col

from contracts.agenda import AnyAgendaEvent
from contracts.news import AnyNewsEvent
from contracts.signin import EditorSignInGranted
from contracts.subjects import (
    AGENDA_STREAM,
    NEWS_STREAM,
    PREFIX,
    SIGNINS_STREAM,
    STREAMS,
    StreamSpec,
    signin_subject,
)
from services.gateway.editors.tables import EditorOutboxRow
from services.kit.jetstream import publish_json
from services.kit.publications import Publication, check_declared

log = structlog.get_logger()
Publish = Callable[[str, bytes, str, StreamSpec], Awaitable[None]]
"""Publish (subject, payload, event id, stream) and return once the stream stored it."""
SENT_KEEP = timedelta(days=7)

EDITOR_PUBLICATIONS = (
    Publication(
        signin_subject("editor_granted"),
        EditorSignInGranted,
        SIGNINS_STREAM,
        "gateway/to_editor_signin_granted",
        "An address the operator named as a hotspot's editor asked for a sign-in link",
    ),
    Publication(
        f"{PREFIX}.news.*.*",
        AnyNewsEvent,
        NEWS_STREAM,
        "gateway/to_news",
        "A hotspot's editor published, updated or withdrew a news item (origin editor)",
    ),
    Publication(
        f"{PREFIX}.agenda.*.*",
        AnyAgendaEvent,
        AGENDA_STREAM,
        "gateway/to_agenda",
        "A hotspot's editor scheduled, changed or cancelled an agenda item (origin editor)",
    ),
)


@dataclass(frozen=True)
class Pending:
    """An outbox row to publish."""

    id: int
    event_id: str
    subject: str
    stream: str
    payload: str


def jetstream_publish(broker: NatsBroker, timeout: float) -> Publish:
    """Publishing through the gateway's broker, with the kit's retries."""

    async def publish(subject: str, payload: bytes, event_id: str, stream: StreamSpec) -> None:
        check_declared(EDITOR_PUBLICATIONS, subject)
        await publish_json(broker, subject, payload, event_id, stream=stream, timeout=timeout)

    return publish


class OutboxRelay:
    """Publishes unsent rows when woken (after a change) and every `every_seconds`."""

    def __init__(
        self,
        engine: Engine,
        publish: Publish,
        now: Callable[[], datetime],
        *,
        every_seconds: float = 5.0,
        batch: int = 50,
    ) -> None:
        self.engine = engine
        self.publish = publish
        self.now = now
        self.every_seconds = every_seconds
        self.batch = batch
        self._woken = asyncio.Event()
        self._streams = {stream.name: stream for stream in STREAMS}

    def wake(self) -> None:
        """Publish soon: a change was just written."""
        self._woken.set()

    async def publish_pending(self) -> int:
        """Publish every unsent row, oldest first; stops at the first that fails (order
        matters: an update must not overtake its item's publication). Returns how many."""
        sent = 0
        while rows := await asyncio.to_thread(pending_rows, self.engine, self.batch):
            for row in rows:
                stream = self._streams[row.stream]
                await self.publish(row.subject, row.payload.encode(), row.event_id, stream)
                await asyncio.to_thread(mark_sent, self.engine, row.id, self.now())
                sent += 1
        return sent

    async def run(self) -> None:
        """Relay until cancelled; a failed round is tried again at the next."""
        while True:
            self._woken.clear()
            try:
                count = await self.publish_pending()
                await asyncio.to_thread(purge_sent, self.engine, self.now() - SENT_KEEP)
                if count:
                    log.info("editor_outbox_relayed", events=count)
            except Exception as exc:  # NATS down or the database busy: the rows wait
                log.warning("editor_outbox_failed", error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.every_seconds)


def pending_rows(engine: Engine, limit: int) -> Sequence[Pending]:
    """The oldest unsent rows."""
    with Session(engine) as session:
        rows = session.scalars(
            select(EditorOutboxRow)
            .where(col(EditorOutboxRow.sent_at).is_(None))
            .order_by(col(EditorOutboxRow.id))
            .limit(limit)
        )
        return [Pending(r.id or 0, r.event_id, r.subject, r.stream, r.payload) for r in rows]


def mark_sent(engine: Engine, row_id: int, now: datetime) -> None:
    """Record that the stream acknowledged the row."""
    with Session(engine) as session:
        session.execute(
            update(EditorOutboxRow).where(col(EditorOutboxRow.id) == row_id).values(sent_at=now)
        )
        session.commit()


def purge_sent(engine: Engine, before: datetime) -> None:
    """Forget rows sent before `before` (far beyond the stream's duplicate window)."""
    with Session(engine) as session:
        session.execute(
            delete(EditorOutboxRow).where(
                col(EditorOutboxRow.sent_at).is_not(None), col(EditorOutboxRow.sent_at) < before
            )
        )
        session.commit()
