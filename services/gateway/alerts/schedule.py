"""When an alert's periods end: daily at a fixed hour in Dutch local time, weekly on Monday
at that hour. Pure functions of the clock, so a period's end is the same on every retry.

Local time, not UTC: a buyer expects the mail at 07:00 in summer and in winter alike, so a
daily period across a change to or from summer time lasts 23 or 25 hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from contracts.alerts import Frequency
from services.kit.dutch import LOCAL

WEEKLY_ON = 0
"""Weekly periods end on Mondays (`date.weekday()`)."""


def latest_end(now: datetime, frequency: Frequency, hour: int) -> datetime:
    """The most recent period end at or before `now` (UTC), for `frequency` at `hour`."""
    local = now.astimezone(LOCAL)
    day = local.date()
    if _end_on(day, hour) > now:
        day -= timedelta(days=1)
    if frequency == "weekly":
        day -= timedelta(days=(day.weekday() - WEEKLY_ON) % 7)
    return _end_on(day, hour)


def due_end(
    done_until: datetime, now: datetime, frequency: Frequency, hour: int
) -> datetime | None:
    """The end of the period to send now, when one ended after `done_until`; else None.

    Periods missed while the gateway was down are sent as one, up to the latest end.
    """
    end = latest_end(now, frequency, hour)
    return end if end > done_until else None


def _end_on(day: date, hour: int) -> datetime:
    # zoneinfo resolves the local wall time to the offset valid that day (CET or CEST).
    return datetime.combine(day, time(hour), tzinfo=LOCAL).astimezone(UTC)
