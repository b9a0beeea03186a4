"""When an agenda item happens, in Dutch time: the moments it sorts by, and how a page says
its date and time (`vandaag`, a date range for a multi-day item, DST-aware)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from contracts.agenda import AgendaItem
from services.kit.dutch import LOCAL, long_date

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the Netherlands, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(UTC)


def item_span(item: AgendaItem) -> tuple[datetime, datetime]:
    """When the item begins and ends as UTC moments; an all-day item runs from the start of
    its first Dutch day to the end of its last, a timed one without an end ends as it starts."""
    if item.all_day:
        assert item.starts_on is not None
        last = item.ends_on or item.starts_on
        return start_of_day(item.starts_on), start_of_day(last + timedelta(days=1))
    assert item.starts_at is not None
    starts = item.starts_at.astimezone(UTC)
    return starts, (item.ends_at or item.starts_at).astimezone(UTC)


def day_text(day: date, today: date) -> str:
    """`vandaag`, `morgen`, else `dinsdag 12 maart 2026`."""
    if day == today:
        return "vandaag"
    if day == today + timedelta(days=1):
        return "morgen"
    return f"{WEEKDAYS[day.weekday()]} {long_date(day)}"


def when_text(
    *,
    all_day: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    starts_on: date | None,
    ends_on: date | None,
    now: datetime,
) -> str:
    """The item's date and time as a Dutch sentence part, in Dutch local time."""
    today = now.astimezone(LOCAL).date()
    if all_day:
        assert starts_on is not None
        if ends_on is None or ends_on == starts_on:
            return f"{day_text(starts_on, today)} (hele dag)"
        return f"{day_text(starts_on, today)} tot en met {day_text(ends_on, today)}"
    assert starts_at is not None
    start = starts_at.astimezone(LOCAL)
    text = f"{day_text(start.date(), today)}, {start:%H:%M}"
    if ends_at is None or ends_at == starts_at:
        return f"{text} uur"
    end = ends_at.astimezone(LOCAL)
    if end.date() == start.date():
        return f"{text}–{end:%H:%M} uur"
    return f"{text} uur tot {day_text(end.date(), today)}, {end:%H:%M} uur"


def iso_start(all_day: bool, starts_at: datetime | None, starts_on: date | None) -> str:
    """The start for a `<time datetime>` attribute: a date, or the local time with offset."""
    if all_day and starts_on is not None:
        return starts_on.isoformat()
    assert starts_at is not None
    return starts_at.astimezone(LOCAL).isoformat(timespec="minutes")
