"""Dutch date words: the registries publish them and the pages and e-mails speak them."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
MONTH_NUMBERS = {name: number for number, name in enumerate(MONTHS, start=1)}


def long_date(day: date) -> str:
    """`12 maart 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
