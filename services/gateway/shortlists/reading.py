"""A list as it is now: each entry joined at view time with the read model, so an entry whose
enterprise is no longer listed stays, marked with since when and why, and loses the mark when
the enterprise returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.gateway.exports.columns import ListStatus
from services.gateway.read_model.presenting import enterprise_view
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow, SourceRow
from services.gateway.read_model.views import EnterpriseView
from services.gateway.shortlists.domain import delisting_reason
from services.gateway.shortlists.store import entries_of
from services.gateway.shortlists.tables import ShortlistEntryRow
from services.kit.dutch import dutch_date_of


@dataclass(frozen=True)
class Entry:
    """An enterprise on a list as buyers see it now; while it is not listed, `enterprise`
    keeps its name, place and offer but no labels or contact, and `reason` says why."""

    enterprise_id: str
    note: str
    added_at: datetime
    enterprise: EnterpriseView
    listed: bool
    delisted_at: datetime | None = None
    reason: str | None = None

    @property
    def status(self) -> ListStatus:
        """The entry's status and note as the export writes them."""
        since = dutch_date_of(self.delisted_at) if self.delisted_at else None
        return ListStatus(self.listed, since, self.reason, self.note)


def read_entries(session: Session, list_id: str) -> list[Entry]:
    """The list's entries in the order added, each as the read model knows it now."""
    entries = entries_of(session, list_id)
    ids = [entry.enterprise_id for entry in entries]
    rows = {r.enterprise_id: r for r in session.exec(_enterprises(ids)).all()} if ids else {}
    held: dict[str, list[HoldingRow]] = {i: [] for i in ids}
    if ids:
        for holding in session.exec(_holdings(ids)).all():
            held[holding.enterprise_id].append(holding)
    checked = {s.label: s.last_success_at for s in session.exec(select(SourceRow)).all()}
    return [_entry(e, rows.get(e.enterprise_id), held[e.enterprise_id], checked) for e in entries]


def entry_ids(session: Session, list_id: str) -> set[str]:
    """The ids of the enterprises on the list."""
    query = select(ShortlistEntryRow.enterprise_id).where(col(ShortlistEntryRow.list_id) == list_id)
    return set(session.exec(query).all())


def _enterprises(ids: Sequence[str]) -> SelectOfScalar[EnterpriseRow]:
    return select(EnterpriseRow).where(col(EnterpriseRow.enterprise_id).in_(ids))


def _holdings(ids: Sequence[str]) -> SelectOfScalar[HoldingRow]:
    return (
        select(HoldingRow)
        .where(col(HoldingRow.enterprise_id).in_(ids))
        .order_by(col(HoldingRow.holding_id))
    )


def _entry(
    entry: ShortlistEntryRow,
    row: EnterpriseRow | None,
    holdings: list[HoldingRow],
    checked: dict[str, datetime | None],
) -> Entry:
    if row is None:
        return _made(entry, unknown_view(entry), listed=False)
    view = enterprise_view(row, holdings, checked)
    if row.listed:
        return _made(entry, view, listed=True)
    # Not listed: what buyers are no longer shown publicly (labels, contact, the enterprise's
    # own website) is left out here too.
    hidden = view.model_copy(
        update={
            "labels": [],
            "supplement": None,
            "grace_until": None,
            "website": row.website,
            "website_source": "registry" if row.website else None,
        }
    )
    reason = delisting_reason(row.delisted_reason, row.lapsed_label)
    return _made(entry, hidden, listed=False, delisted_at=row.delisted_at, reason=reason)


def _made(
    entry: ShortlistEntryRow,
    view: EnterpriseView,
    *,
    listed: bool,
    delisted_at: datetime | None = None,
    reason: str | None = None,
) -> Entry:
    return Entry(
        enterprise_id=entry.enterprise_id,
        note=entry.note,
        added_at=entry.added_at,
        enterprise=view,
        listed=listed,
        delisted_at=delisted_at,
        reason=reason,
    )


def unknown_view(entry: ShortlistEntryRow) -> EnterpriseView:
    """An enterprise the read model no longer knows: only the name it had when added."""
    return EnterpriseView(
        enterprise_id=entry.enterprise_id,
        name=entry.name,
        place=None,
        municipality=None,
        province=None,
        region=None,
        website=None,
        website_source=None,
        kvk=[],
        labels=[],
        themes=[],
        listed_since=None,
        grace_until=None,
        summary=None,
        summary_label=None,
        categories=[],
        categories_chosen=False,
        supplement=None,
    )
