"""The notifier's own database: one row per event, so no event is ever mailed twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import DateTime
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, create_engine

Status = Literal["sent", "undeliverable", "rejected", "retrying"]
FINAL: frozenset[str] = frozenset({"sent", "undeliverable", "rejected"})


class NotifierTable(SQLModel, registry=registry()):
    """Base of the notifier's tables: its own metadata, apart from other services' tables."""


class Delivery(NotifierTable, table=True):
    """What became of the mail for one event.

    `retrying` means the mail server was unavailable: the event is redelivered later and
    `attempts` counts the tries. The other statuses are final.
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


class Deliveries:
    """The delivery table over SQLAlchemy; blocking, so callers run it in a thread."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        sqlite = self.url.get_backend_name() == "sqlite"
        self.engine: Engine = create_engine(
            url,
            connect_args={"check_same_thread": False} if sqlite else {},
            pool_pre_ping=not sqlite,
        )

    def create_tables(self) -> None:
        """Create the table (and a SQLite file's directory) if missing."""
        database = self.url.database
        if self.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        NotifierTable.metadata.create_all(self.engine)

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
            row.attempts += int(attempted)
            row.sent_at = now if status == "sent" else row.sent_at
            row.updated_at = now
            session.add(row)
            session.commit()
            return row

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
