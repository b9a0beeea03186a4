"""The notifier's tables of enterprise mails: every event taken in, the latest state seen of
each enterprise, and the mails themselves (see `outgoing` for how they are used)."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import BigInteger, Index, Text
from sqlmodel import Field

from contracts.enterprises import (
    AnyEnterpriseEvent,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseState,
)
from services.notifier.deliveries import DateTimeTz, NotifierTable

_EVENTS: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)


class ProcessedEvent(NotifierTable, table=True):
    """An event the notifier has taken in (enterprise events and preference changes), the
    mail it went into, if any, and its place in its stream (see `pruning`)."""

    __tablename__ = "processed_event"
    __table_args__ = (Index("ix_processed_event_stream_seq", "stream", "stream_seq"),)

    event_id: str = Field(primary_key=True, max_length=64)
    mail_id: int | None = Field(default=None, index=True)
    outcome: str = Field(max_length=20)
    recorded_at: datetime = Field(sa_type=DateTimeTz)
    stream: str | None = Field(default=None, max_length=32)
    stream_seq: int | None = Field(default=None, sa_type=BigInteger)


class SeenState(NotifierTable, table=True):
    """The latest state of each enterprise the notifier has seen: a change mail says what
    changed since."""

    __tablename__ = "seen_state"

    enterprise_id: str = Field(primary_key=True, max_length=64)
    version: int
    state: str = Field(sa_type=Text)


class EnterpriseMail(NotifierTable, table=True):
    """One mail to an enterprise, about one event or a coalesced burst of them.

    `mail_key` is its first event's id (its Message-ID derives from it); `event` is the latest
    event (JSON), which the mail shows; `before` the state seen before the first (a change
    mail's starting point); `open` while later events may still fold in. `status`: `waiting`
    (until `due_at`), `retrying` (the mail server deferred it; tried again from `due_at`),
    `unaddressed` (no address for the enterprise yet; tried again from `due_at`, or at once when
    the contacts change), or final: `sent`, `undeliverable`, `rejected`, `superseded` (a
    delisting made a change mail moot, or a renewal a reminder), `stopped` (the enterprise
    stopped non-essential mails), `skipped` (nothing visible changed after all), `failed` (our
    own code failed on it every time it was tried: given up, at error). `attempts` counts the
    tries at the mail server, each committed before the server is asked.
    """

    __tablename__ = "enterprise_mail"
    # An enterprise's open waiting mail is looked up for every event taken in.
    __table_args__ = (Index("ix_enterprise_mail_enterprise_status", "enterprise_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    mail_key: str = Field(max_length=64, unique=True)
    enterprise_id: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=40)
    status: str = Field(default="waiting", max_length=20, index=True)
    open: bool = False
    first_at: datetime = Field(sa_type=DateTimeTz)
    due_at: datetime = Field(sa_type=DateTimeTz, index=True)
    event: str = Field(sa_type=Text)
    before: str | None = Field(default=None, sa_type=Text)
    changes: str = Field(default="[]", sa_type=Text)
    events: int = 1
    recipient: str | None = Field(default=None, max_length=320)
    attempts: int = 0
    sent_at: datetime | None = Field(default=None, sa_type=DateTimeTz)
    updated_at: datetime = Field(sa_type=DateTimeTz)

    def latest(self) -> EnterpriseEvent:
        """The event the mail shows: the latest folded in, as a welcome when the mail is one
        (a welcome shows the state after the whole burst)."""
        event = _EVENTS.validate_json(self.event)
        if self.kind == "listed" and not isinstance(event, EnterpriseListed):
            return EnterpriseListed(
                event_id=self.mail_key,
                occurred_at=event.occurred_at,
                source=event.source,
                enterprise=event.enterprise,
            )
        return event

    def state_before(self) -> EnterpriseState | None:
        """The state seen before the mail's first event, if any."""
        return EnterpriseState.model_validate_json(self.before) if self.before else None

    def change_keys(self) -> tuple[str, ...]:
        """The `changes` of every event folded in, in order, each once."""
        return tuple(json.loads(self.changes))
