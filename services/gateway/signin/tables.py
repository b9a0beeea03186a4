"""Sign-in tables, on the read model's metadata so `create_tables` makes them.

Both hold hashes only, never a usable link or session id, and rows go once they expire. The
columns every link and session table shares (the editors' tables too) are defined once here;
each table adds the column naming what it signs in to.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from services.gateway.read_model.tables import ReadModel, UtcDateTime


class LinkColumns(SQLModel):
    """A sign-in link the notifier mailed, known by the hash of its secret."""

    token_hash: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SessionColumns(SQLModel):
    """A signed-in browser, known by the hash of its cookie's random id."""

    session_hash: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


class SignInLinkRow(ReadModel, LinkColumns, table=True):
    """A sign-in link to an enterprise's edit form."""

    __tablename__ = "signin_links"

    enterprise_id: str = Field(max_length=64)


class SignInSessionRow(ReadModel, SessionColumns, table=True):
    """A browser signed in for an enterprise."""

    __tablename__ = "signin_sessions"

    enterprise_id: str = Field(max_length=64)
