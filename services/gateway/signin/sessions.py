"""Sessions of signed-in enterprises: a random id in the cookie, only its hash stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from contracts.signin import token_hash
from services.gateway.signin.tables import SignInSessionRow

COOKIE = "impactoost_sessie"
COOKIE_PATH = "/aanvullen"
MAX_ID = 200


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, for which enterprise, until when."""

    enterprise_id: str
    email: str
    expires_at: datetime


def start_session(
    session: Session, enterprise_id: str, email: str, now: datetime, length: timedelta
) -> tuple[str, SignedIn]:
    """Add a session in the caller's transaction; returns the id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    row = SignInSessionRow(
        session_hash=token_hash(session_id),
        enterprise_id=enterprise_id,
        email=email,
        created_at=now,
        expires_at=now + length,
    )
    session.add(row)
    return session_id, SignedIn(enterprise_id, email, row.expires_at)


def find_session(engine: Engine, session_id: str | None, now: datetime) -> SignedIn | None:
    """The unexpired session of a cookie's id, or None."""
    if not session_id or len(session_id) > MAX_ID:
        return None
    with Session(engine) as session:
        row = session.get(SignInSessionRow, token_hash(session_id))
        if row is None or row.expires_at <= now:
            return None
        return SignedIn(row.enterprise_id, row.email, row.expires_at)


def end_session(engine: Engine, session_id: str | None) -> None:
    """Forget a session (signing out); an unknown id is no error."""
    if not session_id or len(session_id) > MAX_ID:
        return
    with Session(engine) as session:
        row = session.get(SignInSessionRow, token_hash(session_id))
        if row is not None:
            session.delete(row)
            session.commit()
