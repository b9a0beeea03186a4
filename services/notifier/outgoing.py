"""The enterprise mails waiting to go out, and every enterprise event already taken in.

The consumer records each event in one transaction: the event's id (so a redelivered event
changes nothing), the state it shows (what the next change mail compares with) and its place
in a mail (new, or folded into the enterprise's open mail; see `coalescing`). The sender
takes due mails from here. One notifier process sends from one database: a second sender
on the same database could send a mail twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, Table, update
from sqlmodel import Session, col, select

from contracts.enterprises import EnterpriseEvent, EnterpriseState
from contracts.subjects import ENTERPRISES_STREAM
from services.kit.sql import insert_many
from services.notifier.coalescing import (
    COALESCING_KINDS,
    OpenMail,
    Plan,
    Timing,
    is_essential,
    plan_mail,
)
from services.notifier.mail_tables import EnterpriseMail, ProcessedEvent, SeenState
from services.notifier.preferences import MailPreference, new_token
from services.notifier.pruning import is_pruned_duplicate

Outcome = Literal["duplicate", "skipped", "new", "folded"]
WAITING = ("waiting", "retrying", "unaddressed")
HELD = ("retrying", "unaddressed")
"""Mails tried and held back until `due_at`, with the enterprise's later mails behind them:
the mail server deferred it, or there was no address for it yet."""
_PREFERENCES: Table = MailPreference.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Recorded:
    """What recording an event did, and when its mail is due (None: no mail)."""

    outcome: Outcome
    due_at: datetime | None = None


class OutgoingMails:
    """The tables above over SQLAlchemy; blocking, so callers run it in a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def is_processed(self, event_id: str) -> bool:
        """Whether the event was taken in before."""
        with Session(self.engine) as session:
            return session.get(ProcessedEvent, event_id) is not None

    def record(
        self,
        event: EnterpriseEvent,
        *,
        mailed: bool,
        now: datetime,
        timing: Timing,
        stream_seq: int | None = None,
    ) -> Recorded:
        """Take the event in, in one transaction: once only (by its id, or by its place in
        ENTERPRISES, `stream_seq`, once the id is pruned), its state seen, and (when it is
        `mailed`) into a new or the open mail."""
        with Session(self.engine) as session:
            if session.get(ProcessedEvent, event.event_id) is not None:
                return Recorded("duplicate")
            if is_pruned_duplicate(session, ENTERPRISES_STREAM.name, stream_seq):
                return Recorded("duplicate")
            before = _see(session, event.enterprise)
            recorded, mail_id = Recorded("skipped"), None
            if mailed:
                recorded, mail_id = _queue(session, event, before, now, timing)
            session.add(
                ProcessedEvent(
                    event_id=event.event_id,
                    mail_id=mail_id,
                    outcome=recorded.outcome,
                    recorded_at=now,
                    stream=ENTERPRISES_STREAM.name if stream_seq is not None else None,
                    stream_seq=stream_seq,
                )
            )
            session.commit()
            return recorded

    def due_enterprises(self, now: datetime) -> list[str]:
        """Enterprises with a mail due now, the longest due first."""
        query = (
            select(EnterpriseMail.enterprise_id, EnterpriseMail.due_at)
            .where(col(EnterpriseMail.status).in_(WAITING), col(EnterpriseMail.due_at) <= now)
            .order_by(col(EnterpriseMail.due_at))
        )
        with Session(self.engine) as session:
            return list(dict.fromkeys(row[0] for row in session.exec(query)))

    def queue_of(self, enterprise_id: str, now: datetime) -> list[int]:
        """The enterprise's waiting mails in the order of their events, up to the last one
        due: an earlier mail goes out first even when not yet due itself, except one the
        mail server deferred, which holds back the later ones until its retry is due."""
        query = (
            select(EnterpriseMail.id, EnterpriseMail.status, EnterpriseMail.due_at)
            .where(
                col(EnterpriseMail.enterprise_id) == enterprise_id,
                col(EnterpriseMail.status).in_(WAITING),
            )
            .order_by(col(EnterpriseMail.id))
        )
        with Session(self.engine) as session:
            rows = [(i, status, as_utc(due)) for i, status, due in session.exec(query) if i]
        queue: list[int] = []
        taken = 0
        for mail_id, status, due_at in rows:
            if status in HELD and due_at > now:
                break
            queue.append(mail_id)
            taken = len(queue) if due_at <= now else taken
        return queue[:taken]

    def take(self, mail_id: int) -> EnterpriseMail:
        """Close the mail to further events and return it as it now stands."""
        with Session(self.engine, expire_on_commit=False) as session:
            session.execute(
                update(EnterpriseMail).where(col(EnterpriseMail.id) == mail_id).values(open=False)
            )
            session.commit()
            mail = session.get(EnterpriseMail, mail_id)
            assert mail is not None, f"mail {mail_id} vanished"
            return mail

    def finish(
        self,
        mail_id: int,
        status: str,
        *,
        recipient: str | None,
        attempted: bool,
        now: datetime,
        retry_at: datetime | None = None,
    ) -> None:
        """Record what became of a send; a `retrying` mail is due again at `retry_at`."""
        with Session(self.engine) as session:
            mail = session.get(EnterpriseMail, mail_id)
            assert mail is not None, f"mail {mail_id} vanished"
            mail.status, mail.recipient = status, recipient
            mail.attempts += int(attempted)
            mail.sent_at = now if status == "sent" else mail.sent_at
            mail.due_at = retry_at or mail.due_at
            mail.updated_at = now
            session.add(mail)
            session.commit()

    def count_attempt(self, mail_id: int, recipient: str, now: datetime) -> None:
        """Count one try at the mail server and commit it, before the server is asked."""
        with Session(self.engine) as session:
            session.execute(
                update(EnterpriseMail)
                .where(col(EnterpriseMail.id) == mail_id)
                .values(
                    attempts=col(EnterpriseMail.attempts) + 1, recipient=recipient, updated_at=now
                )
            )
            session.commit()

    def readdress(self, now: datetime) -> int:
        """Make every mail that waits for an address due now; how many."""
        with Session(self.engine) as session:
            result = session.execute(
                update(EnterpriseMail)
                .where(col(EnterpriseMail.status) == "unaddressed")
                .values(due_at=now)
            )
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    def latest_state(self, enterprise_id: str) -> EnterpriseState | None:
        """The newest state of the enterprise taken in so far."""
        with Session(self.engine) as session:
            seen = session.get(SeenState, enterprise_id)
            return EnterpriseState.model_validate_json(seen.state) if seen else None

    def mails_of(self, enterprise_id: str) -> list[EnterpriseMail]:
        """Every mail of the enterprise, oldest first (for operators and tests)."""
        query = select(EnterpriseMail).where(col(EnterpriseMail.enterprise_id) == enterprise_id)
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.exec(query.order_by(col(EnterpriseMail.id))))


def _see(session: Session, state: EnterpriseState) -> EnterpriseState | None:
    """Keep `state` as the enterprise's latest seen (unless an older version); return the
    state seen before it."""
    seen = session.get(SeenState, state.enterprise_id)
    before = EnterpriseState.model_validate_json(seen.state) if seen else None
    if seen is None:
        seen = SeenState(enterprise_id=state.enterprise_id, version=0, state="")
    if state.version >= seen.version:
        seen.version, seen.state = state.version, state.model_dump_json()
        session.add(seen)
    return before


def _queue(
    session: Session,
    event: EnterpriseEvent,
    before: EnterpriseState | None,
    now: datetime,
    timing: Timing,
) -> tuple[Recorded, int | None]:
    enterprise_id = event.enterprise.enterprise_id
    query = select(EnterpriseMail).where(
        col(EnterpriseMail.enterprise_id) == enterprise_id,
        col(EnterpriseMail.open),
        col(EnterpriseMail.status) == "waiting",
    )
    found = session.exec(query.order_by(col(EnterpriseMail.id).desc())).first()
    open_mail = OpenMail(found.kind, as_utc(found.first_at)) if found else None
    plan = plan_mail(event, open_mail, now, timing)
    if found is not None and found.id is not None:
        if plan.action == "fold" and _fold(session, found, event, plan):
            return Recorded("folded", plan.due_at), found.id
        if plan.action == "fold":  # the sender took it meanwhile: start a new one
            plan = plan_mail(event, None, now, timing)
        _close(session, found.id, plan)
    mail = EnterpriseMail(
        mail_key=event.event_id,
        enterprise_id=enterprise_id,
        kind=event.kind,
        open=event.kind in COALESCING_KINDS,
        first_at=now,
        due_at=plan.due_at,
        event=event.model_dump_json(),
        before=before.model_dump_json() if before and event.kind == "updated" else None,
        changes=json.dumps(list(getattr(event, "changes", ()))),
        updated_at=now,
    )
    session.add(mail)
    session.flush()
    if not is_essential(event.kind):
        _give_token(session, enterprise_id)
    return Recorded("new", plan.due_at), mail.id


def _give_token(session: Session, enterprise_id: str) -> None:
    """The enterprise's preference token (see `preferences`), made in the transaction that
    queues its first mail that links to it, so sending needs no commit of its own for it;
    an enterprise that has one keeps it."""
    row = {"enterprise_id": enterprise_id, "token": new_token(), "non_essential": True}
    insert_many(session, _PREFERENCES, [row], skip_existing=True)


def _fold(session: Session, found: EnterpriseMail, event: EnterpriseEvent, plan: Plan) -> bool:
    """Fold the event into the open mail, unless the sender closed it meanwhile."""
    changes = list(dict.fromkeys((*found.change_keys(), *getattr(event, "changes", ()))))
    result = session.execute(
        update(EnterpriseMail)
        .where(col(EnterpriseMail.id) == found.id, col(EnterpriseMail.open))
        .values(
            event=event.model_dump_json(),
            changes=json.dumps(changes),
            due_at=plan.due_at,
            events=found.events + 1,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def _close(session: Session, mail_id: int, plan: Plan) -> None:
    values: dict[str, object] = {"open": False}
    if plan.supersede_open:
        values["status"] = "superseded"
    session.execute(
        update(EnterpriseMail)
        .where(col(EnterpriseMail.id) == mail_id, col(EnterpriseMail.open))
        .values(**values)
    )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
