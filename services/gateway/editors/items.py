"""Editors' items: each change is written with the event that reports it (into the outbox)
and with the key of the form that asked for it, in one transaction. A form applied before is
not applied again, so a double click or a retried post changes nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from contracts.agenda import AgendaCancelled, AgendaChanged, AgendaItem, AgendaScheduled
from contracts.base import Event, deterministic_id
from contracts.news import NewsItem, NewsPublished, NewsUpdated, NewsWithdrawn
from contracts.subjects import AGENDA_STREAM, NEWS_STREAM, agenda_subject, news_subject
from services.gateway.editors.domain import AgendaDraft, NewsDraft, item_id_for
from services.gateway.editors.tables import EditorFormRow, EditorItemRow, EditorOutboxRow
from services.gateway.read_model.database import for_writing

log = structlog.get_logger()
Kind = Literal["news", "agenda"]
CURRENT = "current"


@dataclass(frozen=True)
class Saved:
    """The item a form changed; `applied` false when that form was applied before."""

    item_id: str
    applied: bool


@dataclass(frozen=True)
class Change:
    """What a form does to an item: its new row state and the event that reports it."""

    status: str
    item: NewsItem | AgendaItem
    text: str
    event: Event
    subject: str
    stream: str


Decide = Callable[[EditorItemRow | None, str, int, datetime], Change]


def list_items(engine: Engine, hotspot: str) -> list[EditorItemRow]:
    """The hotspot's editor items, newest first."""
    with Session(engine) as session:
        query = (
            select(EditorItemRow)
            .where(col(EditorItemRow.hotspot) == hotspot)
            .order_by(col(EditorItemRow.created_at).desc())
        )
        return list(session.scalars(query))


def find_item(engine: Engine, hotspot: str, item_id: str, kind: Kind) -> EditorItemRow | None:
    """The hotspot's item of this kind, or None."""
    with Session(engine) as session:
        row = session.get(EditorItemRow, (hotspot, item_id[:64]))
        return row if row is not None and row.kind == kind else None


def apply_form(
    engine: Engine,
    hotspot: str,
    item_id: str | None,
    form_key: str,
    kind: Kind,
    decide: Decide,
    now: datetime,
) -> Saved | None:
    """Apply one form to one item (a new one when `item_id` is None) in one transaction;
    None when the item is not there or no longer current (withdrawn, cancelled)."""
    with Session(for_writing(engine)) as session:
        done = session.get(EditorFormRow, form_key)
        if done is not None:
            return Saved(done.item_id, applied=False) if done.hotspot == hotspot else None
        target = item_id or item_id_for(hotspot, form_key)
        row = session.get(EditorItemRow, (hotspot, target))
        if item_id is not None and (row is None or row.kind != kind or row.status != CURRENT):
            return None
        change = decide(row, target, (row.version + 1) if row else 1, now)
        _record(session, row, hotspot, target, kind, change, form_key, now)
        try:
            session.commit()
        except IntegrityError:  # the same form, applied at this moment by another request
            session.rollback()
            return Saved(target, applied=False)
    log.info("editor_item_saved", hotspot=hotspot, item_id=target, status=change.status)
    return Saved(target, applied=True)


def _record(
    session: Session,
    row: EditorItemRow | None,
    hotspot: str,
    item_id: str,
    kind: Kind,
    change: Change,
    form_key: str,
    now: datetime,
) -> None:
    item = change.item.model_dump(mode="json")
    if row is None:
        row = EditorItemRow(
            hotspot=hotspot,
            item_id=item_id,
            kind=kind,
            status=change.status,
            text=change.text,
            item=item,
            version=1,
            created_at=now,
            updated_at=now,
        )
    else:
        row.status, row.text, row.item = change.status, change.text, item
        row.version, row.updated_at = row.version + 1, now
    session.add(row)
    session.add(EditorFormRow(form_key=form_key, hotspot=hotspot, item_id=item_id, applied_at=now))
    session.add(
        EditorOutboxRow(
            event_id=change.event.event_id,
            subject=change.subject,
            stream=change.stream,
            payload=change.event.model_dump_json(),
            created_at=now,
        )
    )


def _event_id(hotspot: str, item_id: str, version: int, kind: str) -> str:
    return deterministic_id("editor-item", hotspot, item_id, version, kind)


def news_change(hotspot: str, draft: NewsDraft | None, source: str) -> Decide:
    """Publish (no row yet) or update a news item with `draft`; withdraw it without one."""

    def decide(row: EditorItemRow | None, item_id: str, version: int, now: datetime) -> Change:
        def event_id(kind: str) -> str:
            return _event_id(hotspot, item_id, version, kind)

        if draft is None:
            assert row is not None
            withdrawn = NewsWithdrawn(
                event_id=event_id("withdrawn"),
                occurred_at=now,
                source=source,
                hotspot=hotspot,
                item_id=item_id,
                reason="withdrawn_by_editor",
            )
            item = NewsItem.model_validate(row.item)
            subject = news_subject(hotspot, "withdrawn")
            return Change("withdrawn", item, row.text, withdrawn, subject, NEWS_STREAM.name)
        published_at = NewsItem.model_validate(row.item).published_at if row else now
        item = NewsItem(
            hotspot=hotspot,
            item_id=item_id,
            origin="editor",
            title=draft.title,
            summary_html=draft.html,
            link=draft.link,
            published_at=published_at,
            updated_at=now if row else None,
        )
        common = {"occurred_at": now, "source": source, "item": item}
        if row is None:
            event: Event = NewsPublished(event_id=event_id("published"), **common)
            subject = news_subject(hotspot, "published")
        else:
            event = NewsUpdated(event_id=event_id("updated"), **common)
            subject = news_subject(hotspot, "updated")
        return Change(CURRENT, item, draft.text, event, subject, NEWS_STREAM.name)

    return decide


def agenda_change(hotspot: str, draft: AgendaDraft | None, source: str) -> Decide:
    """Schedule (no row yet) or change an agenda item with `draft`; cancel it without one."""

    def decide(row: EditorItemRow | None, item_id: str, version: int, now: datetime) -> Change:
        def event_id(kind: str) -> str:
            return _event_id(hotspot, item_id, version, kind)

        if draft is None:
            assert row is not None
            item = AgendaItem.model_validate(row.item)
            cancelled = AgendaCancelled(
                event_id=event_id("cancelled"),
                occurred_at=now,
                source=source,
                item=item,
                reason="cancelled_by_editor",
            )
            subject = agenda_subject(hotspot, "cancelled")
            return Change("cancelled", item, row.text, cancelled, subject, AGENDA_STREAM.name)
        item = AgendaItem(
            hotspot=hotspot,
            item_id=item_id,
            origin="editor",
            title=draft.title,
            description_html=draft.html,
            location=draft.location,
            link=draft.link,
            all_day=draft.all_day,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
        )
        if row is None:
            event: Event = AgendaScheduled(
                event_id=event_id("scheduled"), occurred_at=now, source=source, item=item
            )
            subject = agenda_subject(hotspot, "scheduled")
        else:
            event = AgendaChanged(
                event_id=event_id("changed"), occurred_at=now, source=source, item=item
            )
            subject = agenda_subject(hotspot, "changed")
        return Change(CURRENT, item, draft.text, event, subject, AGENDA_STREAM.name)

    return decide
