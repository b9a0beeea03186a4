"""An iCalendar document to agenda items: every VEVENT expanded within a window (RRULE, RDATE,
EXDATE and moved occurrences by recurring_ical_events), one item per occurrence.

Each UID is expanded on its own, so one broken event becomes a warning while the others stay.
An occurrence's id comes from its UID and its RECURRENCE-ID (its original start), so a moved
occurrence keeps its id and arrives as a change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Component
from pydantic import ValidationError

from contracts.agenda import LOCATION_MAX, AgendaItem
from services.scraper.feeds.items import FeedUnusable, ParsedAgenda, as_utc, item_id_of
from services.scraper.feeds.sanitise import (
    checked_link,
    plain_title,
    sanitise_html,
    text_as_html,
)

MAX_OCCURRENCES = 3000
"""More within the window is a runaway RRULE: the run fails rather than publish thousands."""


def parse_agenda(
    text: str, feed_url: str, hotspot: str, *, window: tuple[datetime, datetime]
) -> ParsedAgenda:
    """The occurrences of `text`'s events that overlap `window`. Raises FeedUnusable when
    `text` is no iCalendar document, or holds more than MAX_OCCURRENCES occurrences."""
    calendar = _calendar(text, feed_url)
    timezones = calendar.walk("VTIMEZONE")
    by_uid: dict[str, list[Component]] = defaultdict(list)
    for index, event in enumerate(calendar.walk("VEVENT")):
        uid = str(event.get("UID") or "").strip() or f"no-uid-{index}"
        by_uid[uid].append(event)
    result = ParsedAgenda()
    for uid, events in by_uid.items():
        try:
            occurrences = _expand(uid, events, timezones, window)
        except Exception as exc:  # any broken event is that event's warning, not the run's
            result.warnings.append(f"{feed_url}: event {uid!r} skipped: {_brief(exc)}")
            continue
        for occurrence in occurrences:
            _add(result, occurrence, uid, feed_url, hotspot)
        if len(result.items) > MAX_OCCURRENCES:
            raise FeedUnusable(f"{feed_url}: more than {MAX_OCCURRENCES} occurrences in the window")
    return result


def _calendar(text: str, feed_url: str) -> Calendar:
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise FeedUnusable(f"{feed_url}: empty document")
    if not body[:15].upper().startswith("BEGIN:VCALENDAR"):
        looks = "an HTML page" if "<html" in body[:2000].lower() else "no iCalendar document"
        raise FeedUnusable(f"{feed_url}: {looks}, not an agenda feed")
    try:
        return Calendar.from_ical(body)
    except (ValueError, KeyError, IndexError) as exc:
        raise FeedUnusable(f"{feed_url}: unreadable iCalendar ({_brief(exc)})") from exc


def _expand(
    uid: str, events: list[Component], timezones: list[Component], window: tuple[datetime, datetime]
) -> list[Component]:
    single = Calendar()
    for component in (*timezones, *events):
        single.add_component(component)
    if any(event.get("DTSTART") is None for event in events):
        raise ValueError("it has no DTSTART")
    query = recurring_ical_events.of(single)
    found: dict[str, Component] = {}
    # In growing slices, so that a runaway RRULE (FREQ=MINUTELY) stops soon after the cap
    # instead of being expanded over the whole window first.
    low, span = window[0], timedelta(days=1)
    while low < window[1] and len(found) <= MAX_OCCURRENCES:
        high = min(low + span, window[1])
        for occurrence in query.between(low, high):
            start = _moment(occurrence, "DTSTART")
            key = _moment(occurrence, "RECURRENCE-ID") or start
            if key is not None:
                found.setdefault(_moment_key(key), occurrence)
        low, span = high, span * 2
    return list(found.values())


def _add(
    result: ParsedAgenda, occurrence: Component, uid: str, feed_url: str, hotspot: str
) -> None:
    start = _moment(occurrence, "DTSTART")
    if start is None:
        result.warnings.append(f"{feed_url}: event {uid!r} skipped: its DTSTART is no date")
        return
    key = _moment(occurrence, "RECURRENCE-ID") or start
    item_id = item_id_of(uid, _moment_key(key))
    title = plain_title(str(occurrence.get("SUMMARY") or ""))
    if not title:
        result.warnings.append(f"{feed_url}: event {uid!r} skipped: it has no SUMMARY")
        return
    raw_link = str(occurrence.get("URL") or "").strip()
    link = checked_link(raw_link, feed_url) if raw_link else None
    if raw_link and link is None:
        result.warnings.append(f"{feed_url}: {title!r} has an unusable link, shown without it")
    location = plain_title(str(occurrence.get("LOCATION") or ""), LOCATION_MAX) or None
    description = text_as_html(str(occurrence.get("DESCRIPTION") or ""))
    try:
        item = AgendaItem(
            hotspot=hotspot,
            item_id=item_id,
            origin="feed",
            title=title,
            description_html=sanitise_html(description, feed_url),
            location=location,
            link=link,
            **_when(start, _moment(occurrence, "DTEND")),
        )
    except (ValidationError, ValueError) as exc:
        result.warnings.append(f"{feed_url}: event {uid!r} skipped: {_brief(exc)}")
        return
    result.items.append(item)
    if str(occurrence.get("STATUS") or "").upper() == "CANCELLED":
        result.cancelled.add(item_id)


def _moment(component: Component, name: str) -> date | None:
    """The date or date-time of `component`'s property `name` (None if absent or other)."""
    prop: Any = component.get(name)
    value = getattr(prop, "dt", None)
    return value if isinstance(value, date) else None


def _when(start: date, end: date | None) -> dict[str, Any]:
    """The item's time fields: UTC times, or (all day) first and last day inclusive, since an
    all-day DTEND is the day after the last."""
    if not isinstance(start, datetime):
        last = start
        if isinstance(end, date) and not isinstance(end, datetime) and end > start:
            last = end - timedelta(days=1)
        return {"all_day": True, "starts_on": start, "ends_on": last}
    starts_at = as_utc(start)
    ends_at = as_utc(end) if isinstance(end, datetime) else None
    return {"starts_at": starts_at, "ends_at": ends_at if ends_at != starts_at else None}


def _moment_key(moment: date) -> str:
    return as_utc(moment).isoformat() if isinstance(moment, datetime) else moment.isoformat()


def _brief(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return f"{type(exc).__name__}: {exc}"[:200]
