"""Taking an enterprise event in (the consumer's side of `outgoing`): once only, its state
seen, and its place in a mail (new, or folded into the enterprise's open mail; see
`coalescing`), all on the caller's session, so a batch of events is one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, Table, bindparam, insert, select, update
from sqlmodel import Session

from contracts.enterprises import EnterpriseEvent, EnterpriseState
from contracts.subjects import ENTERPRISES_STREAM
from services.kit.sql import insert_many, upsert
from services.notifier.coalescing import (
    COALESCING_KINDS,
    OpenMail,
    Plan,
    Timing,
    is_essential,
    plan_mail,
)
from services.notifier.deliveries import FINAL, Delivery
from services.notifier.mail_tables import EnterpriseMail, ProcessedEvent, SeenState
from services.notifier.preferences import MailPreference, new_token
from services.notifier.pruning import is_pruned_duplicate

Outcome = Literal["duplicate", "skipped", "new", "folded"]
_PREFERENCES: Table = MailPreference.__table__  # type: ignore[attr-defined]
_MAILS: Table = EnterpriseMail.__table__  # type: ignore[attr-defined]
_PROCESSED_EVENTS: Table = ProcessedEvent.__table__  # type: ignore[attr-defined]
_SEEN_STATES: Table = SeenState.__table__  # type: ignore[attr-defined]
_DELIVERIES: Table = Delivery.__table__  # type: ignore[attr-defined]
_PROCESSED = select(_PROCESSED_EVENTS.c.event_id).where(
    _PROCESSED_EVENTS.c.event_id == bindparam("event_id")
)
_DELIVERY_STATUS = select(_DELIVERIES.c.status).where(
    _DELIVERIES.c.event_id == bindparam("event_id")
)
_SEEN = select(_SEEN_STATES.c.version, _SEEN_STATES.c.state).where(
    _SEEN_STATES.c.enterprise_id == bindparam("enterprise_id")
)
_OPEN_MAIL = (
    select(_MAILS.c.id, _MAILS.c.kind, _MAILS.c.first_at, _MAILS.c.events, _MAILS.c.changes)
    .where(
        _MAILS.c.enterprise_id == bindparam("enterprise_id"),
        _MAILS.c.open,
        _MAILS.c.status == "waiting",
    )
    .order_by(_MAILS.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class Incoming:
    """An enterprise event to take in: whether its enterprise hears of it (see
    `domain.is_mailed`), and its place in ENTERPRISES when known."""

    event: EnterpriseEvent
    mailed: bool
    stream_seq: int | None = None


@dataclass(frozen=True)
class Recorded:
    """What recording an event did, and when its mail is due (None: no mail)."""

    outcome: Outcome
    due_at: datetime | None = None


def record_in(session: Session, item: Incoming, now: datetime, timing: Timing) -> Recorded:
    """One event of `record_many`, in Core statements on the session's connection (the
    ORM's unit of work cost more than the statements), so the next event sees it."""
    connection = session.connection()
    event, stream_seq = item.event, item.stream_seq
    if _handled_before(connection, event.event_id):
        return Recorded("duplicate")
    if connection.execute(_PROCESSED, {"event_id": event.event_id}).first() is not None:
        return Recorded("duplicate")
    if is_pruned_duplicate(session, ENTERPRISES_STREAM.name, stream_seq):
        return Recorded("duplicate")
    before = _see(session, event.enterprise)
    recorded, mail_id = Recorded("skipped"), None
    if item.mailed:
        recorded, mail_id = _queue(session, event, before, now, timing)
    row = {
        "event_id": event.event_id,
        "mail_id": mail_id,
        "outcome": recorded.outcome,
        "recorded_at": now,
        "stream": ENTERPRISES_STREAM.name if stream_seq is not None else None,
        "stream_seq": stream_seq,
    }
    connection.execute(insert(_PROCESSED_EVENTS), row)
    return recorded


def _handled_before(connection: Connection, event_id: str) -> bool:
    """Whether the event's mail was sent, or refused for good, before mails were coalesced
    (a row of `deliveries`)."""
    status = connection.execute(_DELIVERY_STATUS, {"event_id": event_id}).scalar()
    return status is not None and status in FINAL


def _see(session: Session, state: EnterpriseState) -> EnterpriseState | None:
    """Keep `state` as the enterprise's latest seen (unless an older version); return the
    state seen before it."""
    connection = session.connection()
    seen = connection.execute(_SEEN, {"enterprise_id": state.enterprise_id}).first()
    before = EnterpriseState.model_validate_json(seen.state) if seen else None
    if seen is None or state.version >= seen.version:
        row = {
            "enterprise_id": state.enterprise_id,
            "version": state.version,
            "state": state.model_dump_json(),
        }
        upsert(session, _SEEN_STATES, row)
    return before


def _queue(
    session: Session,
    event: EnterpriseEvent,
    before: EnterpriseState | None,
    now: datetime,
    timing: Timing,
) -> tuple[Recorded, int | None]:
    connection = session.connection()
    enterprise_id = event.enterprise.enterprise_id
    found = connection.execute(_OPEN_MAIL, {"enterprise_id": enterprise_id}).first()
    open_mail = OpenMail(found.kind, as_utc(found.first_at)) if found else None
    plan = plan_mail(event, open_mail, now, timing)
    if found is not None:
        if plan.action == "fold" and _fold(connection, found, event, plan):
            return Recorded("folded", plan.due_at), found.id
        if plan.action == "fold":  # the sender took it meanwhile: start a new one
            plan = plan_mail(event, None, now, timing)
        _close(connection, found.id, plan)
    mail = {
        "mail_key": event.event_id,
        "enterprise_id": enterprise_id,
        "kind": event.kind,
        "status": "waiting",
        "open": event.kind in COALESCING_KINDS,
        "first_at": now,
        "due_at": plan.due_at,
        "event": event.model_dump_json(),
        "before": before.model_dump_json() if before and event.kind == "updated" else None,
        "changes": json.dumps(list(getattr(event, "changes", ()))),
        "events": 1,
        "attempts": 0,
        "updated_at": now,
    }
    inserted = connection.execute(insert(_MAILS), mail).inserted_primary_key
    assert inserted is not None
    mail_id = inserted[0]
    if not is_essential(event.kind):
        _give_token(session, enterprise_id)
    return Recorded("new", plan.due_at), int(mail_id)


def _give_token(session: Session, enterprise_id: str) -> None:
    """The enterprise's preference token (see `preferences`), made in the transaction that
    queues its first mail that links to it, so sending needs no commit of its own for it;
    an enterprise that has one keeps it."""
    row = {"enterprise_id": enterprise_id, "token": new_token(), "non_essential": True}
    insert_many(session, _PREFERENCES, [row], skip_existing=True)


def _fold(
    connection: Connection, found: Row[Any, Any, Any, Any, Any], event: EnterpriseEvent, plan: Plan
) -> bool:
    """Fold the event into the open mail, unless the sender closed it meanwhile."""
    keys = (*json.loads(found.changes), *getattr(event, "changes", ()))
    result = connection.execute(
        update(_MAILS)
        .where(_MAILS.c.id == found.id, _MAILS.c.open)
        .values(
            event=event.model_dump_json(),
            changes=json.dumps(list(dict.fromkeys(keys))),
            due_at=plan.due_at,
            events=found.events + 1,
        )
    )
    return bool(result.rowcount)


def _close(connection: Connection, mail_id: int, plan: Plan) -> None:
    values: dict[str, object] = {"open": False}
    if plan.supersede_open:
        values["status"] = "superseded"
    connection.execute(update(_MAILS).where(_MAILS.c.id == mail_id, _MAILS.c.open).values(**values))


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
