"""Sign-in links: projected from `SignInLinkIssued`, redeemed once, purged when expired."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy import Engine, delete, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from contracts.signin import SignInLinkIssued, token_hash
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.signin.sessions import SignedIn, start_session
from services.gateway.signin.tables import SignInLinkRow, SignInSessionRow

log = structlog.get_logger()
Refusal = Literal["unknown", "used", "expired", "delisted"]
MAX_TOKEN = 200


@dataclass(frozen=True)
class Redeemed:
    """A link just used: the session it opened (its cookie value) and its enterprise."""

    session_id: str
    signed_in: SignedIn


@dataclass(frozen=True)
class Refused:
    """Why a link does not sign in; `enterprise_id` when the link was ours."""

    reason: Refusal
    enterprise_id: str | None = None


def record_links_issued(engine: Engine, events: Sequence[SignInLinkIssued], now: datetime) -> int:
    """Keep the hashes of mailed links; a redelivered one changes nothing (a used link stays
    used), an already expired one is not kept. Returns how many were new."""
    added = 0
    with Session(engine) as session:
        for event in events:
            known = session.get(SignInLinkRow, event.token_hash)
            if known is not None or event.expires_at <= now:
                continue
            session.add(
                SignInLinkRow(
                    token_hash=event.token_hash,
                    enterprise_id=event.enterprise_id,
                    email=event.email,
                    expires_at=event.expires_at,
                )
            )
            added += 1
        session.commit()
    log.info("signin_links_recorded", received=len(events), added=added)
    return added


def check_link(engine: Engine, token: str, now: datetime) -> Refused | None:
    """Why `token` would not sign in now (None: it would); changes nothing."""
    if not token or len(token) > MAX_TOKEN:
        return Refused("unknown")
    with Session(engine) as session:
        row = session.get(SignInLinkRow, token_hash(token))
        return _refusal(session, row, now) if row else Refused("unknown")


def redeem_link(
    engine: Engine, token: str, now: datetime, session_length: timedelta
) -> Redeemed | Refused:
    """Use the link once and open a session for its enterprise, in one transaction.

    The first statement marks the link used only while it is unused and unexpired, so of two
    browsers posting the same link at once exactly one wins; the write also takes SQLite's
    lock up front, which a read-then-write transaction could not upgrade to under contention.
    """
    if not token or len(token) > MAX_TOKEN:
        return Refused("unknown")
    hashed = token_hash(token)
    with Session(engine) as session:
        result: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
            update(SignInLinkRow)
            .where(
                col(SignInLinkRow.token_hash) == hashed,
                col(SignInLinkRow.used_at).is_(None),
                col(SignInLinkRow.expires_at) > now,
            )
            .values(used_at=now)
        )
        row = session.get(SignInLinkRow, hashed)
        if row is None:
            return Refused("unknown")
        if result.rowcount != 1:
            return _refusal(session, row, now) or Refused("used", row.enterprise_id)
        if not _listed(session, row.enterprise_id):
            session.rollback()  # the link stays usable should the listing return in time
            return Refused("delisted", row.enterprise_id)
        session_id, signed_in = start_session(
            session, row.enterprise_id, row.email, now, session_length
        )
        session.commit()
    log.info("signin_link_redeemed", enterprise_id=signed_in.enterprise_id)
    return Redeemed(session_id, signed_in)


def purge_expired(engine: Engine, now: datetime) -> tuple[int, int]:
    """Delete expired links and sessions (the addresses they name are kept no longer than
    they are of use); returns how many of each."""
    with Session(engine) as session:
        links = session.execute(delete(SignInLinkRow).where(col(SignInLinkRow.expires_at) <= now))
        sessions = session.execute(
            delete(SignInSessionRow).where(col(SignInSessionRow.expires_at) <= now)
        )
        session.commit()
    counts = (_rowcount(links), _rowcount(sessions))
    if any(counts):
        log.info("signin_rows_purged", links=counts[0], sessions=counts[1])
    return counts


def _refusal(session: Session, row: SignInLinkRow, now: datetime) -> Refused | None:
    if row.used_at is not None:
        return Refused("used", row.enterprise_id)
    if row.expires_at <= now:
        return Refused("expired", row.enterprise_id)
    if not _listed(session, row.enterprise_id):
        return Refused("delisted", row.enterprise_id)
    return None


def _listed(session: Session, enterprise_id: str) -> bool:
    enterprise = session.get(EnterpriseRow, enterprise_id)
    return enterprise is not None and enterprise.listed


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
