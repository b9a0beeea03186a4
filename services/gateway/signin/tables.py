"""Sign-in tables, on the read model's metadata so `create_tables` makes them.

Both hold hashes only, never a usable link or session id, and rows go once they expire.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from services.gateway.read_model.tables import ReadModel, UtcDateTime


class SignInLinkRow(ReadModel, table=True):
    """A sign-in link the notifier mailed, known by the hash of its secret."""

    __tablename__ = "signin_links"

    token_hash: str = Field(primary_key=True, max_length=64)
    enterprise_id: str = Field(max_length=64)
    email: str = Field(max_length=254)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SignInSessionRow(ReadModel, table=True):
    """A signed-in browser, known by the hash of its cookie's random id."""

    __tablename__ = "signin_sessions"

    session_hash: str = Field(primary_key=True, max_length=64)
    enterprise_id: str = Field(max_length=64)
    email: str = Field(max_length=254)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
