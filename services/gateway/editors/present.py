"""How editors' items read on their pages: forms filled with an item as it stands, and an
agenda item's time in Dutch time."""

from __future__ import annotations

from dataclasses import replace

from contracts.agenda import AgendaItem
from contracts.news import NewsItem
from services.gateway.editors.domain import AgendaForm, NewsForm
from services.gateway.editors.tables import EditorItemRow
from services.kit.dutch import LOCAL, long_date


def news_form_of(row: EditorItemRow) -> NewsForm:
    """The news form filled with the item."""
    item = NewsItem.model_validate(row.item)
    return NewsForm(title=item.title, text=row.text, link=item.link or "")


def agenda_form_of(row: EditorItemRow) -> AgendaForm:
    """The agenda form filled with the item, its times in Dutch time."""
    item = AgendaItem.model_validate(row.item)
    common = AgendaForm(
        title=item.title,
        text=row.text,
        location=item.location or "",
        link=item.link or "",
    )
    if item.all_day and item.starts_on is not None:
        ends = item.ends_on.isoformat() if item.ends_on else ""
        return replace(common, all_day=True, start_date=item.starts_on.isoformat(), end_date=ends)
    assert item.starts_at is not None
    start = item.starts_at.astimezone(LOCAL)
    end = item.ends_at.astimezone(LOCAL) if item.ends_at else None
    return replace(
        common,
        start_date=start.date().isoformat(),
        start_time=f"{start:%H:%M}",
        end_date=end.date().isoformat() if end and end.date() != start.date() else "",
        end_time=f"{end:%H:%M}" if end else "",
    )


def when_text(item: AgendaItem) -> str:
    """`28 maart 2027, 19:30–21:00`, `1 april 2027 (hele dag)`, in Dutch time."""
    if item.all_day and item.starts_on is not None:
        if item.ends_on and item.ends_on != item.starts_on:
            return f"{long_date(item.starts_on)} t/m {long_date(item.ends_on)} (hele dag)"
        return f"{long_date(item.starts_on)} (hele dag)"
    assert item.starts_at is not None
    start = item.starts_at.astimezone(LOCAL)
    text = f"{long_date(start.date())}, {start:%H:%M}"
    if item.ends_at is None:
        return text
    end = item.ends_at.astimezone(LOCAL)
    if end.date() == start.date():
        return f"{text}–{end:%H:%M}"
    return f"{text} tot {long_date(end.date())}, {end:%H:%M}"
