"""A hotspot's agenda as an iCalendar feed (RFC 5545), the way calendar plug-ins publish one:
CRLF lines folded at 75 octets, a VTIMEZONE for Europe/Amsterdam and local times with TZID,
all-day events as DATE values, a recurring event with RRULE, a cancelled one with
STATUS:CANCELLED and a higher SEQUENCE, descriptions as text with an X-ALT-DESC HTML twin."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from services.demo.newsroom import AgendaEntry

TZID = "Europe/Amsterdam"
# As Outlook and most plug-ins write it: the EU rule for summer time since 1996.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "X-LIC-LOCATION:Europe/Amsterdam",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)
_TAGS = re.compile(r"<[^>]+>")


def render_ics(name: str, base_url: str, entries: list[AgendaEntry], stamp: datetime) -> str:
    """A VCALENDAR of `entries`; `stamp` is every event's DTSTAMP (the feed's own moment,
    fixed so that an unchanged agenda renders the same bytes)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//The Events Calendar//TEC 6.3.2//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
        f"X-ORIGINAL-URL:{base_url}/agenda/",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for entry in entries:
        lines += _event(entry, base_url, stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _event(entry: AgendaEntry, base_url: str, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{entry.uid}",
        f"DTSTAMP:{_utc(stamp)}",
        *_when(entry),
        f"SUMMARY:{_text(entry.title)}",
        f"DESCRIPTION:{_text(_plain(entry.html))}",
        f"X-ALT-DESC;FMTTYPE=text/html:{_text(entry.html)}",
        f"LOCATION:{_text(entry.location)}",
        f"URL:{base_url}/agenda/{entry.uid.split('@')[0]}/",
        f"SEQUENCE:{entry.sequence}",
        f"STATUS:{'CANCELLED' if entry.cancelled else 'CONFIRMED'}",
    ]
    if entry.rrule:
        lines.append(f"RRULE:{entry.rrule}")
    if entry.modified is not None:
        lines.append(f"LAST-MODIFIED:{_utc(entry.modified)}")
    return [*lines, "END:VEVENT"]


def _when(entry: AgendaEntry) -> list[str]:
    if isinstance(entry.starts, datetime) and isinstance(entry.ends, datetime):
        return [
            f"DTSTART;TZID={TZID}:{_local(entry.starts)}",
            f"DTEND;TZID={TZID}:{_local(entry.ends)}",
        ]
    assert isinstance(entry.starts, date) and isinstance(entry.ends, date)
    return [
        f"DTSTART;VALUE=DATE:{entry.starts:%Y%m%d}",
        f"DTEND;VALUE=DATE:{entry.ends:%Y%m%d}",
    ]


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _plain(html: str) -> str:
    """The text of an HTML description, for DESCRIPTION (entities as plug-ins leave them)."""
    without_scripts = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return " ".join(_TAGS.sub(" ", without_scripts).split()).replace("&amp;", "&")


def _text(value: str) -> str:
    """An RFC 5545 TEXT value: backslashes, commas, semicolons and newlines escaped."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(encoded[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)
