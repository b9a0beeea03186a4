"""What the pages, feeds and API read: shown news and agenda items of chosen hotspots, a
page at a time, each with its hotspot and the link to its source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.hotspots import Hotspot
from services.gateway.hotspot_items.tables import AgendaRow, NewsRow

T = TypeVar("T")
PAGE_SIZE = 20
MAX_PAGE = 1000
Period = Literal["coming", "past"]
CANCEL_REASONS = {
    "cancelled_by_organiser": "De organisator heeft dit evenement afgelast.",
    "cancelled_by_editor": "De hotspot heeft dit evenement afgelast.",
}


@dataclass(frozen=True)
class NewsView:
    """A news item as shown: its hotspot, text and where it is published."""

    hotspot: Hotspot
    item_id: str
    title: str
    summary_html: str
    source_url: str
    published_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class AgendaView:
    """An agenda item as shown; `cancelled` with its Dutch reason when it will not happen."""

    hotspot: Hotspot
    item_id: str
    title: str
    description_html: str
    location: str | None
    source_url: str
    all_day: bool
    starts_at: datetime | None
    ends_at: datetime | None
    starts_on: date | None
    ends_on: date | None
    cancelled: bool
    cancelled_text: str | None
    changed_at: datetime


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items and how many there are in all."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def last_page(self) -> int:
        """The number of the last page (1 when there are none)."""
        return max(1, -(-self.total // self.page_size))


def news_page(
    session: Session,
    hotspots: Sequence[Hotspot],
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[NewsView]:
    """The shown news of `hotspots`, newest first."""
    by_slug = {h.slug: h for h in hotspots}
    shown = (col(NewsRow.withdrawn).is_(False), col(NewsRow.hotspot).in_(list(by_slug)))
    total = session.exec(select(func.count()).select_from(NewsRow).where(*shown)).one()
    rows = session.exec(
        select(NewsRow)
        .where(*shown)
        .order_by(col(NewsRow.published_at).desc(), col(NewsRow.item_id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page([_news(row, by_slug[row.hotspot]) for row in rows], total, page, page_size)


def agenda_page(
    session: Session,
    hotspots: Sequence[Hotspot],
    now: datetime,
    period: Period = "coming",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[AgendaView]:
    """Coming items (not yet ended) soonest first, or past ones most recent first; cancelled
    ones included, those removed from their feed not."""
    by_slug = {h.slug: h for h in hotspots}
    shown: list[Any] = [
        col(AgendaRow.removed).is_(False),
        col(AgendaRow.hotspot).in_(list(by_slug)),
    ]
    if period == "coming":
        shown.append(col(AgendaRow.ends_key) >= now)
        order: tuple[Any, ...] = (col(AgendaRow.starts_key), col(AgendaRow.item_id))
    else:
        shown.append(col(AgendaRow.ends_key) < now)
        order = (col(AgendaRow.starts_key).desc(), col(AgendaRow.item_id))
    total = session.exec(select(func.count()).select_from(AgendaRow).where(*shown)).one()
    rows = session.exec(
        select(AgendaRow)
        .where(*shown)
        .order_by(*order)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page([_agenda(row, by_slug[row.hotspot]) for row in rows], total, page, page_size)


def _news(row: NewsRow, hotspot: Hotspot) -> NewsView:
    return NewsView(
        hotspot=hotspot,
        item_id=row.item_id,
        title=row.title,
        summary_html=row.summary_html,
        source_url=row.link or hotspot.website,
        published_at=row.published_at or row.changed_at,
        changed_at=row.changed_at,
    )


def _agenda(row: AgendaRow, hotspot: Hotspot) -> AgendaView:
    reason = row.cancelled_reason
    return AgendaView(
        hotspot=hotspot,
        item_id=row.item_id,
        title=row.title,
        description_html=row.description_html,
        location=row.location,
        source_url=row.link or hotspot.website,
        all_day=row.all_day,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        cancelled=reason is not None,
        cancelled_text=CANCEL_REASONS.get(reason) if reason else None,
        changed_at=row.changed_at,
    )


FEED_ITEMS = 500


def calendar_items(
    session: Session, hotspots: Sequence[Hotspot], limit: int = FEED_ITEMS
) -> list[AgendaView]:
    """Every kept item of `hotspots` for a calendar feed (cancelled ones too, so calendars
    learn of it), the latest `limit` by start."""
    by_slug = {h.slug: h for h in hotspots}
    rows = session.exec(
        select(AgendaRow)
        .where(col(AgendaRow.removed).is_(False), col(AgendaRow.hotspot).in_(list(by_slug)))
        .order_by(col(AgendaRow.starts_key).desc(), col(AgendaRow.item_id))
        .limit(limit)
    ).all()
    return [_agenda(row, by_slug[row.hotspot]) for row in reversed(rows)]
