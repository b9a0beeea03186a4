"""Shortlist tables, in their own metadata: `create_tables` of the read model drops and
rebuilds the read model's tables when their schema version changes, and a buyer's lists must
survive that. Both links are stored as hashes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Engine, ForeignKey, String
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from services.gateway.read_model.tables import UtcDateTime


class ShortlistTable(SQLModel, registry=registry()):
    """Base of the shortlist tables; `ShortlistTable.metadata` holds exactly these."""


class ShortlistRow(ShortlistTable, table=True):
    """A buyer's list, known by the hashes of its edit and share links."""

    __tablename__ = "shortlists"

    list_id: str = Field(primary_key=True, max_length=32)
    edit_hash: str = Field(max_length=64, unique=True)
    share_hash: str = Field(max_length=64, unique=True)
    # Raised to renew the share link (see tokens.share_token).
    share_generation: int = 0
    name: str = Field(max_length=200)
    note: str = ""
    created_at: datetime = Field(sa_type=UtcDateTime)
    changed_at: datetime = Field(sa_type=UtcDateTime)
    # Last opened or changed: a list unused for the kept days is purged (see purge.py).
    used_at: datetime = Field(sa_type=UtcDateTime, index=True)


class ShortlistEntryRow(ShortlistTable, table=True):
    """An enterprise on a list, with the buyer's note; `name` is the enterprise's name when it
    was added, shown should the read model no longer know the enterprise."""

    __tablename__ = "shortlist_entries"

    list_id: str = Field(
        sa_column=Column(
            String(32),
            ForeignKey("shortlists.list_id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    enterprise_id: str = Field(primary_key=True, max_length=64)
    name: str
    note: str = ""
    added_at: datetime = Field(sa_type=UtcDateTime)


def create_shortlist_tables(engine: Engine) -> None:
    """Create the shortlist tables when missing (never dropped by a read model rebuild)."""
    ShortlistTable.metadata.create_all(engine)
