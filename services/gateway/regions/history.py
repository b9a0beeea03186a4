"""Pure: a region's listed enterprises at the end of each month and its lapses in that month,
from today's count and the listing changes since.

Counting back from the present, rather than summing from the first change, keeps the latest
figure exact even where the history is incomplete (a read model started from the present
holds no changes from before it started).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from services.kit.dutch import LOCAL

MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class Change:
    """One listing change in the region: `joined`, `returned` or `left`, and why it left."""

    occurred_at: datetime
    change: str
    reason: str | None = None


@dataclass(frozen=True)
class MonthPoint:
    """One month: listed enterprises at its end (or now, for the current month), and how
    many lapsed in it (left because their last label lapsed)."""

    year: int
    month: int
    listed: int
    lapsed: int

    @property
    def name(self) -> str:
        """`maart 2026`."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def short_name(self) -> str:
        """`mrt 26`-style: the first three letters and the year's last two digits."""
        return f"{MONTH_NAMES[self.month - 1][:3]} {self.year % 100:02d}"


def monthly_series(
    listed_now: int, changes: Iterable[Change], now: datetime, months: int
) -> list[MonthPoint]:
    """The last `months` months up to and including the current one (Dutch time), oldest
    first. Changes after `now` are ignored; a count never goes below zero."""
    if months < 1:
        raise ValueError("months must be at least 1")
    local_now = now.astimezone(LOCAL)
    starts = _month_starts(local_now.date(), months)
    ends = [*(_local_start(day) for day in starts[1:]), now]
    net_after = [0] * months  # arrivals minus departures after each month's end
    lapsed = [0] * months
    for change in changes:
        at = change.occurred_at
        if at > now:
            continue
        step = -1 if change.change == "left" else 1
        for index, end in enumerate(ends):
            if at > end:
                net_after[index] += step
        month = _month_index(at, starts)
        if month is not None and change.change == "left" and change.reason == "label_lapsed":
            lapsed[month] += 1
    return [
        MonthPoint(day.year, day.month, max(0, listed_now - net_after[i]), lapsed[i])
        for i, day in enumerate(starts)
    ]


def _month_starts(today: date, months: int) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [
        date(number // 12, number % 12 + 1, 1) for number in range(index - months + 1, index + 1)
    ]


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL)


def _month_index(at: datetime, starts: list[date]) -> int | None:
    local = at.astimezone(LOCAL).date()
    first = date(local.year, local.month, 1)
    return starts.index(first) if first in starts else None
