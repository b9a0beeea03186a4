"""The alerts' storage, and the listing history they read: blocking SQL, called in a thread.

Each function is one short transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Engine, delete, func, update
from sqlmodel import Session, col, select

from contracts.alerts import AlertFilters, Change, Frequency
from contracts.labels import LabelName
from services.gateway.alerts.matching import ListingChange
from services.gateway.alerts.tables import AlertRow
from services.gateway.read_model.searchable import tokens
from services.gateway.read_model.tables import ListingChangeRow


@dataclass(frozen=True)
class Alert:
    """A stored alert, as the use cases see it."""

    alert_id: str
    email: str
    frequency: Frequency
    filters: AlertFilters
    created_at: datetime
    confirmed_at: datetime | None
    period_end: datetime | None
    sending_end: datetime | None


def add_alert(engine: Engine, alert: Alert, confirm_hash: str, manage_hash: str) -> None:
    """Store a new, unconfirmed alert."""
    row = AlertRow(
        alert_id=alert.alert_id,
        email=alert.email,
        frequency=alert.frequency,
        created_at=alert.created_at,
        confirm_hash=confirm_hash,
        manage_hash=manage_hash,
    )
    for column, value in _filter_columns(alert.filters).items():
        setattr(row, column, value)
    with Session(engine) as session:
        session.add(row)
        session.commit()


def find_alert(
    engine: Engine,
    *,
    confirm_hash: str | None = None,
    manage_hash: str | None = None,
    alert_id: str | None = None,
) -> Alert | None:
    """The alert with this confirmation hash, manage hash or id; None when there is none."""
    query = select(AlertRow)
    if confirm_hash is not None:
        query = query.where(col(AlertRow.confirm_hash) == confirm_hash)
    elif manage_hash is not None:
        query = query.where(col(AlertRow.manage_hash) == manage_hash)
    else:
        query = query.where(col(AlertRow.alert_id) == alert_id)
    with Session(engine) as session:
        row = session.exec(query).first()
        return _alert(row) if row is not None else None


def confirm_alert(engine: Engine, alert_id: str, now: datetime) -> None:
    """Mark the alert confirmed; its first period starts now. Confirming again changes
    nothing."""
    with Session(engine) as session:
        session.exec(
            update(AlertRow)
            .where(col(AlertRow.alert_id) == alert_id, col(AlertRow.confirmed_at).is_(None))
            .values(confirmed_at=now, period_end=now)
        )
        session.commit()


def change_alert(
    engine: Engine, alert_id: str, frequency: Frequency, filters: AlertFilters
) -> None:
    """Save new filters and frequency; the current period goes on from where it started."""
    with Session(engine) as session:
        session.exec(
            update(AlertRow)
            .where(col(AlertRow.alert_id) == alert_id)
            .values(frequency=frequency, **_filter_columns(filters))
        )
        session.commit()


def delete_alert(engine: Engine, alert_id: str) -> bool:
    """Forget the alert and its address; False when it was already gone."""
    with Session(engine) as session:
        deleted = session.exec(delete(AlertRow).where(col(AlertRow.alert_id) == alert_id))
        session.commit()
        return bool(deleted.rowcount)


def purge_unconfirmed(engine: Engine, created_before: datetime) -> int:
    """Delete the alerts not confirmed in time, with their addresses; how many went."""
    with Session(engine) as session:
        deleted = session.exec(
            delete(AlertRow).where(
                col(AlertRow.confirmed_at).is_(None), col(AlertRow.created_at) < created_before
            )
        )
        session.commit()
        return int(deleted.rowcount or 0)


def confirmed_alerts(engine: Engine) -> list[Alert]:
    """Every confirmed alert."""
    with Session(engine) as session:
        rows = session.exec(select(AlertRow).where(col(AlertRow.confirmed_at).is_not(None)))
        return [_alert(row) for row in rows.all()]


def start_period(engine: Engine, alert_id: str, end: datetime) -> None:
    """Remember the end of the period being sent, before anything is published."""
    with Session(engine) as session:
        session.exec(
            update(AlertRow).where(col(AlertRow.alert_id) == alert_id).values(sending_end=end)
        )
        session.commit()


def finish_period(engine: Engine, alert_id: str, end: datetime) -> None:
    """Record the period up to `end` as done."""
    with Session(engine) as session:
        session.exec(
            update(AlertRow)
            .where(col(AlertRow.alert_id) == alert_id)
            .values(period_end=end, sending_end=None)
        )
        session.commit()


def listing_changes(
    engine: Engine, after: datetime, until: datetime, region: str | None
) -> list[ListingChange]:
    """The listing changes in (after, until], in the region when one is given (a departure's
    labels include those that counted just before it: see ListingChangeRow)."""
    table = ListingChangeRow
    query = select(table).where(col(table.occurred_at) > after, col(table.occurred_at) <= until)
    if region:
        query = query.where(func.lower(col(table.region)) == region.casefold())
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(table.occurred_at), col(table.event_id))).all()
        return [_change(row) for row in rows]


def _change(row: ListingChangeRow) -> ListingChange:
    return ListingChange(
        event_id=row.event_id,
        enterprise_id=row.enterprise_id,
        occurred_at=row.occurred_at,
        change=cast(Change, row.change),
        reason=row.reason,
        name=row.name,
        municipality=row.municipality,
        region=row.region,
        labels=frozenset((row.counting_labels or "").split()),
        categories=frozenset((row.category_slugs or "").split()),
    )


def _filter_columns(filters: AlertFilters) -> dict[str, str | None]:
    return {
        "categories": tokens(filters.category),
        "labels": tokens(filters.label),
        "region": filters.region,
    }


def _alert(row: AlertRow) -> Alert:
    return Alert(
        alert_id=row.alert_id,
        email=row.email,
        frequency=cast(Frequency, row.frequency),
        filters=AlertFilters(
            category=tuple((row.categories or "").split()),
            label=cast(tuple[LabelName, ...], tuple((row.labels or "").split())),
            region=row.region,
        ),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        period_end=row.period_end,
        sending_end=row.sending_end,
    )
