"""A link book: the sign-in links the notifier mailed for one kind of sign-in, redeemed once
into a session, both known by hashes only and purged once expired.

Enterprises and hotspot editors each keep one, in tables of their own; what differs is what a
link signs in to (the `principal` column: an enterprise id, a hotspot slug), who is signed in,
and whether that principal may still be signed in to when the link is used.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Literal, Protocol, TypeVar

import structlog
from sqlalchemy import Engine, delete, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from contracts.signin import token_hash
from services.gateway.signin.tables import LinkColumns, SessionColumns

log = structlog.get_logger()
Refusal = Literal["unknown", "used", "expired", "delisted"]
MAX_TOKEN = 200
S = TypeVar("S")


class IssuedLink(Protocol):
    """What an issued-link event tells (besides the principal, named by the book)."""

    @property
    def token_hash(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def expires_at(self) -> datetime: ...


@dataclass(frozen=True)
class Refused:
    """Why a link does not sign in; `principal` when the link was ours."""

    reason: Refusal
    principal: str | None = None


@dataclass(frozen=True)
class Redeemed(Generic[S]):
    """A link just used: the session it opened (its cookie value) and who is signed in."""

    session_id: str
    signed_in: S


@dataclass(frozen=True)
class LinkBook(Generic[S]):
    """One kind of sign-in's links and sessions.

    `signed_in` builds who is signed in from (principal, email, expires_at); `admits`, when
    given, says whether a principal may still be signed in to (else the link is refused as
    "delisted" and stays usable); `name` prefixes the log events.
    """

    name: str
    links: type[LinkColumns]
    sessions: type[SessionColumns]
    principal: str
    signed_in: Callable[[str, str, datetime], S]
    admits: Callable[[Session, str], bool] | None = None

    def record(self, engine: Engine, events: Sequence[IssuedLink], now: datetime) -> int:
        """Keep the hashes of mailed links; a redelivered one changes nothing (a used link
        stays used), an already expired one is not kept. Returns how many were new."""
        added = 0
        with Session(engine) as session:
            for event in events:
                known = session.get(self.links, event.token_hash)
                if known is not None or event.expires_at <= now:
                    continue
                principal = str(getattr(event, self.principal))
                session.add(
                    self.links.model_validate(
                        {
                            "token_hash": event.token_hash,
                            self.principal: principal,
                            "email": event.email,
                            "expires_at": event.expires_at,
                        }
                    )
                )
                added += 1
            session.commit()
        log.info(f"{self.name}_links_recorded", received=len(events), added=added)
        return added

    def check(self, engine: Engine, token: str, now: datetime) -> Refused | None:
        """Why `token` would not sign in now (None: it would); changes nothing."""
        if not token or len(token) > MAX_TOKEN:
            return Refused("unknown")
        with Session(engine) as session:
            return self._refusal(session, session.get(self.links, token_hash(token)), now)

    def redeem(
        self, engine: Engine, token: str, now: datetime, length: timedelta
    ) -> Redeemed[S] | Refused:
        """Use the link once and open a session for its principal, in one transaction.

        The first statement marks the link used only while it is unused and unexpired, so of
        two browsers posting the same link at once exactly one wins; the write also takes
        SQLite's lock up front, which a read-then-write transaction could not upgrade to
        under contention.
        """
        if not token or len(token) > MAX_TOKEN:
            return Refused("unknown")
        hashed = token_hash(token)
        with Session(engine) as session:
            result: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
                update(self.links)
                .where(
                    col(self.links.token_hash) == hashed,
                    col(self.links.used_at).is_(None),
                    col(self.links.expires_at) > now,
                )
                .values(used_at=now)
            )
            row = session.get(self.links, hashed)
            if row is None:
                return Refused("unknown")
            if result.rowcount != 1:
                return self._refusal(session, row, now) or Refused("used", self._of(row))
            principal = self._of(row)
            if not self._admits(session, principal):
                session.rollback()  # the link stays usable should the principal return in time
                return Refused("delisted", principal)
            session_id, signed_in = self._start_session(session, principal, row.email, now, length)
            session.commit()
        log.info(f"{self.name}_link_redeemed", **{self.principal: principal})
        return Redeemed(session_id, signed_in)

    def find_session(self, engine: Engine, session_id: str | None, now: datetime) -> S | None:
        """Who is signed in with a cookie's id while its session lasts, or None."""
        if not session_id or len(session_id) > MAX_TOKEN:
            return None
        with Session(engine) as session:
            row = session.get(self.sessions, token_hash(session_id))
            if row is None or row.expires_at <= now:
                return None
            return self.signed_in(self._of(row), row.email, row.expires_at)

    def end_session(self, engine: Engine, session_id: str | None) -> None:
        """Forget a session (signing out); an unknown id is no error."""
        if not session_id or len(session_id) > MAX_TOKEN:
            return
        hashed = token_hash(session_id)
        with Session(engine) as session:
            session.execute(delete(self.sessions).where(col(self.sessions.session_hash) == hashed))
            session.commit()

    def purge_expired(self, engine: Engine, now: datetime) -> tuple[int, int]:
        """Delete expired links and sessions (the addresses they name are kept no longer than
        they are of use); returns how many of each."""
        with Session(engine) as session:
            links = session.execute(delete(self.links).where(col(self.links.expires_at) <= now))
            sessions = session.execute(
                delete(self.sessions).where(col(self.sessions.expires_at) <= now)
            )
            session.commit()
        counts = (_rowcount(links), _rowcount(sessions))
        if any(counts):
            log.info(f"{self.name}_rows_purged", links=counts[0], sessions=counts[1])
        return counts

    def _start_session(
        self, session: Session, principal: str, email: str, now: datetime, length: timedelta
    ) -> tuple[str, S]:
        session_id = secrets.token_urlsafe(32)
        row = self.sessions.model_validate(
            {
                "session_hash": token_hash(session_id),
                self.principal: principal,
                "email": email,
                "created_at": now,
                "expires_at": now + length,
            }
        )
        session.add(row)
        return session_id, self.signed_in(principal, email, row.expires_at)

    def _refusal(self, session: Session, row: LinkColumns | None, now: datetime) -> Refused | None:
        if row is None:
            return Refused("unknown")
        if row.used_at is not None:
            return Refused("used", self._of(row))
        if row.expires_at <= now:
            return Refused("expired", self._of(row))
        if not self._admits(session, self._of(row)):
            return Refused("delisted", self._of(row))
        return None

    def _admits(self, session: Session, principal: str) -> bool:
        return self.admits is None or self.admits(session, principal)

    def _of(self, row: LinkColumns | SessionColumns) -> str:
        return str(getattr(row, self.principal))


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
