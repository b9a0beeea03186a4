"""Dutch date words and local time: the registries publish them, the pages and e-mails speak
them."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
MONTH_NUMBERS = {name: number for number, name in enumerate(MONTHS, start=1)}


def long_date(day: date) -> str:
    """`12 maart 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _dutch_zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError:  # no time zone database installed: UTC is at most 2 h off
        return UTC


LOCAL = _dutch_zone()
"""Dutch local time, in which the pages and e-mails state dates."""


def dutch_date_of(moment: datetime) -> date:
    """The date in the Netherlands at `moment`: validity dates and "today" are Dutch dates."""
    return moment.astimezone(LOCAL).date()
