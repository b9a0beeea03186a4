"""Apply news and agenda events to their tables, in the caller's transaction.

A row remembers the stream sequence of the event that wrote it, and one atomic upsert
replaces it only with a later event's: a redelivery out of order (a retried message behind
newer ones) never brings back an older text, nor a withdrawn or removed item. Withdrawn and
removed items stay as hidden rows for that reason, until pruned with their age.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlmodel import Session

from contracts.agenda import AgendaCancelled, AgendaEvent, AgendaItem
from contracts.news import NewsEvent, NewsItem, NewsWithdrawn
from services.gateway.hotspot_items.markup import clean_html
from services.gateway.hotspot_items.moments import item_span
from services.gateway.hotspot_items.tables import AgendaRow, NewsRow
from services.kit.sql import Excluded, upsert_if

_NEWS: Table = NewsRow.__table__  # type: ignore[attr-defined]
_AGENDA: Table = AgendaRow.__table__  # type: ignore[attr-defined]
_NEWS_ITEM_FIELDS = ("origin", "title", "link", "published_at", "updated_at")


def apply_news_event(session: Session, event: NewsEvent, seq: int) -> bool:
    """Store the item as the event leaves it, unless a later event is stored; a withdrawal
    hides it. False when the stored row is newer."""
    values: dict[str, Any] = {"stream_seq": seq, "changed_at": event.occurred_at}
    if isinstance(event, NewsWithdrawn):
        values |= {"hotspot": event.hotspot, "item_id": event.item_id, "withdrawn": True}
    else:
        values |= news_values(event.item)
    return upsert_if(session, _NEWS, values, _later_event)


def news_values(item: NewsItem) -> dict[str, Any]:
    """The news table's columns for a published or updated item, its HTML sanitised."""
    return {
        "hotspot": item.hotspot,
        "item_id": item.item_id,
        "withdrawn": False,
        "summary_html": clean_html(item.summary_html),
        **{field: getattr(item, field) for field in _NEWS_ITEM_FIELDS},
    }


def apply_agenda_event(session: Session, event: AgendaEvent, seq: int) -> bool:
    """Store the item as the event leaves it, unless a later event is stored: a cancelled
    one stays with its reason; one removed from its feed is hidden. False when the stored
    row is newer."""
    values = agenda_values(event.item) | {"stream_seq": seq, "changed_at": event.occurred_at}
    if isinstance(event, AgendaCancelled):
        values["cancelled_reason"] = event.reason
        values["removed"] = event.reason == "removed_from_feed"
    return upsert_if(session, _AGENDA, values, _later_event)


def agenda_values(item: AgendaItem) -> dict[str, Any]:
    """The agenda table's columns for a scheduled or changed item, its HTML sanitised."""
    starts_key, ends_key = item_span(item)
    return {
        "hotspot": item.hotspot,
        "item_id": item.item_id,
        "removed": False,
        "cancelled_reason": None,
        "origin": item.origin,
        "title": item.title,
        "description_html": clean_html(item.description_html),
        "location": item.location,
        "link": item.link,
        "all_day": item.all_day,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "starts_key": starts_key,
        "ends_key": ends_key,
    }


def _later_event(table: Table, new: Excluded) -> ColumnElement[bool]:
    return table.c.stream_seq < new.stream_seq
