"""Personal data kept no longer than `IMPACTOOST_NOTIFIER_RECIPIENT_DAYS`: the addresses in
the records of mails that are done.

The records themselves stay: their event ids are what keep a redelivered event from being
mailed again, and the streams keep events longer than a year.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col

from services.notifier.deliveries import FINAL, Delivery
from services.notifier.mail_tables import EnterpriseMail
from services.notifier.outgoing import WAITING


def forget_recipients(engine: Engine, before: datetime) -> int:
    """Clear the recipient of every finished mail last handled before `before`; how many."""
    with Session(engine) as session:
        deliveries = session.exec(
            update(Delivery)
            .where(
                col(Delivery.recipient).is_not(None),
                col(Delivery.status).in_(FINAL),
                col(Delivery.updated_at) < before,
            )
            .values(recipient=None)
        )
        mails = session.exec(
            update(EnterpriseMail)
            .where(
                col(EnterpriseMail.recipient).is_not(None),
                col(EnterpriseMail.status).not_in(WAITING),
                func.coalesce(col(EnterpriseMail.sent_at), col(EnterpriseMail.due_at)) < before,
            )
            .values(recipient=None)
        )
        session.commit()
        return int(deliveries.rowcount or 0) + int(mails.rowcount or 0)
