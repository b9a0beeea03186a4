"""Editors' sign-in links and sessions: links projected from `EditorLinkIssued`, redeemed
once into a session; both known by hashes only and purged once expired. A session is good
only while its address is still one of its hotspot's editors in the operator's file."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy import Engine, delete, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from contracts.signin import EditorLinkIssued, token_hash
from services.gateway.editors.tables import EditorLinkRow, EditorSessionRow

log = structlog.get_logger()
MAX_TOKEN = 200
Refusal = Literal["unknown", "used", "expired"]


@dataclass(frozen=True)
class Editor:
    """A signed-in editor: the hotspot, the address, until when."""

    hotspot: str
    email: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """A link just used: the session it opened (its cookie value) and who it is."""

    session_id: str
    editor: Editor


def record_editor_links(engine: Engine, events: Sequence[EditorLinkIssued], now: datetime) -> int:
    """Keep the hashes of mailed links; a redelivered one changes nothing (a used link stays
    used), an expired one is not kept. Returns how many were new."""
    added = 0
    with Session(engine) as session:
        for event in events:
            if session.get(EditorLinkRow, event.token_hash) or event.expires_at <= now:
                continue
            session.add(
                EditorLinkRow(
                    token_hash=event.token_hash,
                    hotspot=event.hotspot,
                    email=event.email,
                    expires_at=event.expires_at,
                )
            )
            added += 1
        session.commit()
    log.info("editor_links_recorded", received=len(events), added=added)
    return added


def check_link(engine: Engine, token: str, now: datetime) -> Refusal | None:
    """Why `token` would not sign in now (None: it would); changes nothing."""
    if not token or len(token) > MAX_TOKEN:
        return "unknown"
    with Session(engine) as session:
        row = session.get(EditorLinkRow, token_hash(token))
        return _refusal(row, now)


def redeem_link(engine: Engine, token: str, now: datetime, length: timedelta) -> Redeemed | Refusal:
    """Use the link once and open a session, in one transaction (the guarded update lets
    exactly one of two simultaneous posts win, as for enterprises)."""
    if not token or len(token) > MAX_TOKEN:
        return "unknown"
    hashed = token_hash(token)
    with Session(engine) as session:
        result: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
            update(EditorLinkRow)
            .where(
                col(EditorLinkRow.token_hash) == hashed,
                col(EditorLinkRow.used_at).is_(None),
                col(EditorLinkRow.expires_at) > now,
            )
            .values(used_at=now)
        )
        row = session.get(EditorLinkRow, hashed)
        if row is None or result.rowcount != 1:
            return _refusal(row, now) or "used"
        session_id = secrets.token_urlsafe(32)
        editor = Editor(row.hotspot, row.email, now + length)
        session.add(
            EditorSessionRow(
                session_hash=token_hash(session_id),
                hotspot=row.hotspot,
                email=row.email,
                created_at=now,
                expires_at=editor.expires_at,
            )
        )
        session.commit()
    log.info("editor_link_redeemed", hotspot=editor.hotspot)
    return Redeemed(session_id, editor)


def find_session(engine: Engine, session_id: str | None, now: datetime) -> Editor | None:
    """The unexpired session of a cookie's id, or None."""
    if not session_id or len(session_id) > MAX_TOKEN:
        return None
    with Session(engine) as session:
        row = session.get(EditorSessionRow, token_hash(session_id))
        if row is None or row.expires_at <= now:
            return None
        return Editor(row.hotspot, row.email, row.expires_at)


def end_session(engine: Engine, session_id: str | None) -> None:
    """Forget a session (signing out); an unknown id is no error."""
    if not session_id or len(session_id) > MAX_TOKEN:
        return
    with Session(engine) as session:
        session.execute(
            delete(EditorSessionRow).where(
                col(EditorSessionRow.session_hash) == token_hash(session_id)
            )
        )
        session.commit()


def purge_expired_editors(engine: Engine, now: datetime) -> tuple[int, int]:
    """Delete expired links and sessions (with the addresses they name); how many of each."""
    with Session(engine) as session:
        links = session.execute(delete(EditorLinkRow).where(col(EditorLinkRow.expires_at) <= now))
        sessions = session.execute(
            delete(EditorSessionRow).where(col(EditorSessionRow.expires_at) <= now)
        )
        session.commit()
    counts = (_rowcount(links), _rowcount(sessions))
    if any(counts):
        log.info("editor_rows_purged", links=counts[0], sessions=counts[1])
    return counts


def _refusal(row: EditorLinkRow | None, now: datetime) -> Refusal | None:
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    if row.expires_at <= now:
        return "expired"
    return None


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
