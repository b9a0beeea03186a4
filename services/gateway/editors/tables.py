"""The editors' tables, in metadata of their own: the read model is dropped and rebuilt from
the streams, while editors' items exist nowhere else. Links and sessions hold hashes only and
go once they expire (they name people's addresses)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from services.gateway.read_model.tables import UtcDateTime
from services.gateway.signin.tables import LinkColumns, SessionColumns


class EditorTable(SQLModel, registry=registry()):
    """Base of the editors' tables; `EditorTable.metadata` holds exactly these."""


class EditorLinkRow(EditorTable, LinkColumns, table=True):
    """A sign-in link the notifier mailed to an editor."""

    __tablename__ = "editor_links"

    hotspot: str = Field(max_length=40)


class EditorSessionRow(EditorTable, SessionColumns, table=True):
    """A signed-in editor's browser."""

    __tablename__ = "editor_sessions"

    hotspot: str = Field(max_length=40)


class EditorItemRow(EditorTable, table=True):
    """A news or agenda item an editor entered, as it stands: `item` is the contract's item
    (NewsItem or AgendaItem) as JSON, `text` the plain text typed (the item holds its HTML),
    `version` counts its events (each event's id derives from it)."""

    __tablename__ = "editor_items"

    hotspot: str = Field(primary_key=True, max_length=40)
    item_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=8, description="news or agenda")
    status: str = Field(max_length=16, description="current, withdrawn or cancelled")
    text: str = ""
    item: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_at: datetime = Field(sa_type=UtcDateTime, index=True)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class EditorFormRow(EditorTable, table=True):
    """A form submission applied, by the random key the form carried: the same form posted
    twice (a double click, a retry) is applied once."""

    __tablename__ = "editor_forms"

    form_key: str = Field(primary_key=True, max_length=64)
    hotspot: str = Field(max_length=40)
    item_id: str = Field(max_length=64)
    applied_at: datetime = Field(sa_type=UtcDateTime, index=True)


class EditorOutboxRow(EditorTable, table=True):
    """An event to publish, written with the change it reports; `sent_at` once the stream
    acknowledged it."""

    __tablename__ = "editor_outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    subject: str = Field(max_length=200)
    stream: str = Field(max_length=64)
    payload: str
    created_at: datetime = Field(sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)


def create_editor_tables(engine: Engine) -> None:
    """Create the editors' tables when missing."""
    EditorTable.metadata.create_all(engine)
