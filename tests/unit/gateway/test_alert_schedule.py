"""When alert periods end: 07:00 Dutch time every day, or every Monday, in summer and winter
time alike, so a period across a clock change lasts an hour more or less."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.gateway.alerts.schedule import due_end, latest_end

pytestmark = pytest.mark.unit


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_daily_period_ends_at_seven_dutch_winter_time() -> None:
    assert latest_end(utc(2026, 3, 2, 6, 30), "daily", 7) == utc(2026, 3, 2, 6, 0)
    assert latest_end(utc(2026, 3, 2, 5, 59), "daily", 7) == utc(2026, 3, 1, 6, 0)


def test_the_end_itself_belongs_to_the_period_that_ends_then() -> None:
    assert latest_end(utc(2026, 3, 2, 6, 0), "daily", 7) == utc(2026, 3, 2, 6, 0)


def test_the_day_summer_time_starts_lasts_23_hours() -> None:
    before = latest_end(utc(2026, 3, 28, 12, 0), "daily", 7)
    after = latest_end(utc(2026, 3, 29, 12, 0), "daily", 7)
    assert (before, after) == (utc(2026, 3, 28, 6, 0), utc(2026, 3, 29, 5, 0))
    assert after - before == timedelta(hours=23)


def test_the_day_winter_time_returns_lasts_25_hours() -> None:
    before = latest_end(utc(2026, 10, 24, 12, 0), "daily", 7)
    after = latest_end(utc(2026, 10, 25, 12, 0), "daily", 7)
    assert (before, after) == (utc(2026, 10, 24, 5, 0), utc(2026, 10, 25, 6, 0))
    assert after - before == timedelta(hours=25)


def test_a_weekly_period_ends_on_monday_at_seven() -> None:
    wednesday = utc(2026, 4, 1, 12, 0)
    assert latest_end(wednesday, "weekly", 7) == utc(2026, 3, 30, 5, 0)


def test_early_on_monday_the_last_weekly_end_is_the_monday_before() -> None:
    monday_early = utc(2026, 3, 30, 4, 59)  # 06:59 summer time
    assert latest_end(monday_early, "weekly", 7) == utc(2026, 3, 23, 6, 0)


def test_a_week_across_the_change_to_summer_time_lasts_an_hour_less() -> None:
    ends = [latest_end(utc(2026, 3, day, 12), "weekly", 7) for day in (24, 31)]
    assert ends[1] - ends[0] == timedelta(days=7, hours=-1)


def test_the_send_hour_is_a_setting() -> None:
    assert latest_end(utc(2026, 1, 5, 17, 30), "daily", 18) == utc(2026, 1, 5, 17, 0)
    assert latest_end(utc(2026, 1, 5, 16, 30), "daily", 18) == utc(2026, 1, 4, 17, 0)


def test_nothing_is_due_until_a_period_ends_after_the_last_one_done() -> None:
    confirmed = utc(2026, 3, 2, 9, 0)
    assert due_end(confirmed, utc(2026, 3, 3, 5, 59), "daily", 7) is None
    assert due_end(confirmed, utc(2026, 3, 3, 6, 0), "daily", 7) == utc(2026, 3, 3, 6, 0)
    done = utc(2026, 3, 3, 6, 0)
    assert due_end(done, utc(2026, 3, 3, 20, 0), "daily", 7) is None


def test_periods_missed_while_the_gateway_was_down_are_sent_as_one() -> None:
    done = utc(2026, 3, 3, 6, 0)
    assert due_end(done, utc(2026, 3, 6, 9, 0), "daily", 7) == utc(2026, 3, 6, 6, 0)


def test_a_weekly_alert_confirmed_on_a_monday_afternoon_waits_a_week() -> None:
    confirmed = utc(2026, 3, 2, 13, 0)
    assert due_end(confirmed, utc(2026, 3, 8, 23, 0), "weekly", 7) is None
    assert due_end(confirmed, utc(2026, 3, 9, 6, 0), "weekly", 7) == utc(2026, 3, 9, 6, 0)
