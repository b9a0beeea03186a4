"""The enterprise mails waiting to go out, and every enterprise event already taken in.

The consumer records each batch of events in one transaction (see `intake`): each event's id
(so a redelivered event changes nothing), the state it shows (what the next change mail
compares with) and its place in a mail (new, or folded into the enterprise's open mail; see
`coalescing`). The sender takes due mails from here. One notifier process sends from one
database: a second sender on the same database could send a mail twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, Integer, Table, bindparam, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from contracts.enterprises import EnterpriseEvent, EnterpriseState
from services.notifier.coalescing import Timing
from services.notifier.intake import Incoming, Recorded, as_utc, record_in
from services.notifier.mail_tables import EnterpriseMail, ProcessedEvent, SeenState

WAITING = ("waiting", "retrying", "unaddressed")
HELD = ("retrying", "unaddressed")
"""Mails tried and held back until `due_at`, with the enterprise's later mails behind them:
the mail server deferred it, or there was no address for it yet."""
_MAILS: Table = EnterpriseMail.__table__  # type: ignore[attr-defined]
# The sender's statements per mail, built once (Core: the ORM's unit of work costs more
# than the statement).
_CLOSE = update(_MAILS).where(_MAILS.c.id == bindparam("mail_id")).values(open=False)
_MAIL = sa_select(_MAILS).where(_MAILS.c.id == bindparam("mail_id"))
_QUEUE = (
    sa_select(_MAILS.c.id, _MAILS.c.status, _MAILS.c.due_at)
    .where(
        _MAILS.c.enterprise_id == bindparam("enterprise_id"),
        _MAILS.c.status.in_(WAITING),
    )
    .order_by(_MAILS.c.id)
)
_FINISH = (
    update(_MAILS)
    .where(_MAILS.c.id == bindparam("mail_id"))
    .values(
        status=bindparam("new_status"),
        recipient=bindparam("to"),
        attempts=_MAILS.c.attempts + bindparam("tried", type_=Integer),
        sent_at=func.coalesce(bindparam("sent", type_=_MAILS.c.sent_at.type), _MAILS.c.sent_at),
        due_at=func.coalesce(bindparam("retry", type_=_MAILS.c.due_at.type), _MAILS.c.due_at),
        updated_at=bindparam("now"),
    )
)
_COUNT = (
    update(_MAILS)
    .where(_MAILS.c.id == bindparam("mail_id"))
    .values(
        attempts=_MAILS.c.attempts + 1,
        recipient=bindparam("to"),
        updated_at=bindparam("now"),
    )
)


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
        (recorded,) = self.record_many([Incoming(event, mailed, stream_seq)], now, timing)
        return recorded

    def record_many(
        self, batch: Sequence[Incoming], now: datetime, timing: Timing
    ) -> list[Recorded]:
        """`record` each event, in order, all in one transaction (one commit for a fetched
        batch of events): each later event sees what the earlier ones did."""
        with Session(self.engine) as session:
            results = [record_in(session, item, now, timing) for item in batch]
            session.commit()
            return results

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
        with self.engine.connect() as connection:
            found = connection.execute(_QUEUE, {"enterprise_id": enterprise_id})
            rows = [(i, status, as_utc(due)) for i, status, due in found]
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
        with self.engine.begin() as connection:
            connection.execute(_CLOSE, {"mail_id": mail_id})
            row = connection.execute(_MAIL, {"mail_id": mail_id}).mappings().first()
        assert row is not None, f"mail {mail_id} vanished"
        return EnterpriseMail(**row)

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
        values = {
            "mail_id": mail_id,
            "new_status": status,
            "to": recipient,
            "tried": int(attempted),
            "sent": now if status == "sent" else None,
            "retry": retry_at,
            "now": now,
        }
        with self.engine.begin() as connection:
            done = connection.execute(_FINISH, values)
        assert done.rowcount == 1, f"mail {mail_id} vanished"

    def count_attempt(self, mail_id: int, recipient: str, now: datetime) -> None:
        """Count one try at the mail server and commit it, before the server is asked."""
        with self.engine.begin() as connection:
            connection.execute(_COUNT, {"mail_id": mail_id, "to": recipient, "now": now})

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
