"""Which enterprises stopped the mails they do not need, and the random token of each one's
preference link.

The token is the only thing that names an enterprise's preference outside this database: it
goes into the link of non-essential mails and comes back in `MailPreferenceChanged` from the
gateway, which cannot tell whose it is.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, Row, Table, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, col, select

from contracts.preferences import MailPreferenceChanged
from contracts.subjects import PREFERENCES_STREAM
from services.notifier.deliveries import DateTimeTz, NotifierTable
from services.notifier.mail_tables import ProcessedEvent
from services.notifier.pruning import is_pruned_duplicate

Applied = Literal["applied", "duplicate", "unknown_token", "stale"]


class MailPreference(NotifierTable, table=True):
    """An enterprise's preference link and choice; without a row it receives every mail."""

    __tablename__ = "mail_preference"

    enterprise_id: str = Field(primary_key=True, max_length=64)
    token: str = Field(max_length=64, unique=True)
    non_essential: bool = True
    changed_at: datetime | None = Field(default=None, sa_type=DateTimeTz)


_TABLE: Table = MailPreference.__table__  # type: ignore[attr-defined]
_KEPT = sa_select(_TABLE.c.token, _TABLE.c.non_essential).where(
    _TABLE.c.enterprise_id == bindparam("id")
)


def new_token() -> str:
    """32 URL-safe characters from 24 random bytes: unguessable, fits the contract's pattern."""
    return secrets.token_urlsafe(24)


class MailPreferences:
    """The preference table over SQLAlchemy; blocking, so callers run it in a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def token_for(self, enterprise_id: str) -> str:
        """The enterprise's token, made (and committed) on first use (usually it was made
        with the enterprise's first mail that links to it)."""
        for _ in range(3):
            if (kept := self._kept(enterprise_id)) is not None:
                return str(kept.token)
            with Session(self.engine) as session:
                token = new_token()
                session.add(MailPreference(enterprise_id=enterprise_id, token=token))
                try:
                    session.commit()
                except IntegrityError:  # made by another thread meanwhile: read it again
                    continue
                return token
        raise RuntimeError(f"no preference token for {enterprise_id}")

    def wants_non_essential(self, enterprise_id: str) -> bool:
        """Whether the enterprise still receives the mails it does not need."""
        kept = self._kept(enterprise_id)
        return kept is None or bool(kept.non_essential)

    def _kept(self, enterprise_id: str) -> Row[Any, Any] | None:
        """The enterprise's token and choice, if it has a row (a Core read: the sender
        asks for every mail)."""
        with self.engine.connect() as connection:
            return connection.execute(_KEPT, {"id": enterprise_id}).first()

    def apply(self, changed: MailPreferenceChanged, stream_seq: int | None = None) -> Applied:
        """Record the choice once (`stream_seq`: its place in PREFERENCES, so it is known
        once its id is pruned); an older choice than the one kept changes nothing."""
        with Session(self.engine) as session:
            if session.get(ProcessedEvent, changed.event_id) is not None:
                return "duplicate"
            if is_pruned_duplicate(session, PREFERENCES_STREAM.name, stream_seq):
                return "duplicate"
            query = select(MailPreference).where(col(MailPreference.token) == changed.token)
            found = session.exec(query).first()
            outcome: Applied = "unknown_token" if found is None else "applied"
            if found is not None:
                kept = found.changed_at
                if kept is not None and _aware(kept) > changed.occurred_at:
                    outcome = "stale"
                else:
                    found.non_essential = changed.non_essential
                    found.changed_at = changed.occurred_at
                    session.add(found)
            session.add(
                ProcessedEvent(
                    event_id=changed.event_id,
                    outcome=outcome,
                    recorded_at=datetime.now(UTC),
                    stream=PREFERENCES_STREAM.name if stream_seq is not None else None,
                    stream_seq=stream_seq,
                )
            )
            session.commit()
            return outcome


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
