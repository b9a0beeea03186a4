"""The notifier's own database and its sign-in deliveries: one row per granted sign-in, so no
link is mailed twice. (Enterprise mails are in `outgoing`; rows of enterprise events from
before mails were coalesced stay here and still count as handled.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel

from services.notifier.database import make_engine

Status = Literal["sent", "undeliverable", "rejected", "retrying", "skipped"]
FINAL: frozenset[str] = frozenset({"sent", "undeliverable", "rejected", "skipped"})
DateTimeTz = DateTime(timezone=True)
"""Every moment the notifier stores: aware, UTC (SQLite keeps it as written, in UTC)."""


class NotifierTable(SQLModel, registry=registry()):
    """Base of the notifier's tables: its own metadata, apart from other services' tables."""


class Delivery(NotifierTable, table=True):
    """What became of the mail for one event (a sign-in grant; enterprise events before mails
    were coalesced).

    `retrying` means the mail server was unavailable, or a try began and its outcome was never
    recorded (the process died): the event is redelivered later and `attempts` counts the tries,
    each committed before the mail server is asked. The other statuses are final; `skipped` is
    an event the enterprise is not mailed about. `stream_seq` is an enterprise event's place in
    ENTERPRISES, kept from when it ordered an enterprise's mails.
    """

    __tablename__ = "delivery"

    event_id: str = Field(primary_key=True, max_length=64)
    enterprise_id: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=40)
    recipient: str | None = Field(default=None, max_length=320)
    status: str = Field(max_length=20)
    message_id: str = Field(max_length=100)
    attempts: int = 0
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    stream_seq: int | None = Field(default=None, sa_type=BigInteger)


class Deliveries:
    """The delivery table over SQLAlchemy, and the engine of the notifier's database (its
    schema made by `schema.migrate`); blocking, so callers run it in a thread."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.engine: Engine = make_engine(url)

    def get(self, event_id: str) -> Delivery | None:
        """The row for this event, if any."""
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(Delivery, event_id)

    def record(
        self,
        event_id: str,
        *,
        enterprise_id: str,
        kind: str,
        recipient: str | None,
        status: Status,
        message_id: str,
        attempted: bool,
        stream_seq: int | None = None,
    ) -> Delivery:
        """Insert or update the event's row and commit; `attempted` counts one SMTP try."""
        now = datetime.now(UTC)
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.get(Delivery, event_id) or Delivery(
                event_id=event_id,
                enterprise_id=enterprise_id,
                kind=kind,
                status=status,
                message_id=message_id,
                updated_at=now,
            )
            row.recipient = recipient
            row.status = status
            row.stream_seq = stream_seq if stream_seq is not None else row.stream_seq
            row.attempts += int(attempted)
            row.sent_at = now if status == "sent" else row.sent_at
            row.updated_at = now
            session.add(row)
            session.commit()
            return row

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
