"""A region's monthly figures and the chart's geometry: pure arithmetic, Dutch months."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.gateway.regions.chart import chart, nice_ceiling
from services.gateway.regions.history import Change, MonthPoint, monthly_series

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_months_end_with_the_current_one_in_dutch_time() -> None:
    points = monthly_series(3, [], NOW, 3)
    assert [(p.year, p.month, p.name) for p in points] == [
        (2026, 10, "oktober 2026"),
        (2026, 11, "november 2026"),
        (2026, 12, "december 2026"),
    ]
    assert [p.listed for p in points] == [3, 3, 3]


def test_counts_go_back_from_today_through_the_changes() -> None:
    changes = [
        Change(datetime(2026, 10, 20, tzinfo=UTC), "joined"),
        Change(datetime(2026, 11, 3, tzinfo=UTC), "left", "label_lapsed"),
        Change(datetime(2026, 11, 4, tzinfo=UTC), "left", "moved"),
        Change(datetime(2026, 12, 1, tzinfo=UTC), "returned"),
        Change(datetime(2026, 12, 2, tzinfo=UTC), "joined"),
    ]
    points = monthly_series(5, changes, NOW, 3)
    # December: 5 now. End of November: 5 - 2 arrivals in December = 3.
    # End of October: 3 + 2 departures in November = 5.
    assert [(p.listed, p.lapsed) for p in points] == [(5, 0), (3, 1), (5, 0)]


def test_a_change_at_midnight_dutch_time_counts_in_the_dutch_month() -> None:
    # 23:30 UTC on 31 October is 00:30 on 1 November in Amsterdam (winter time).
    lapse = Change(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "left", "label_lapsed")
    points = monthly_series(0, [lapse], NOW, 3)
    assert [p.lapsed for p in points] == [0, 1, 0]
    assert [p.listed for p in points] == [1, 0, 0]


def test_future_changes_are_ignored_and_counts_never_go_negative() -> None:
    later = Change(datetime(2027, 1, 5, tzinfo=UTC), "joined")
    many = [Change(datetime(2026, 12, 1, tzinfo=UTC), "joined") for _ in range(4)]
    points = monthly_series(1, [later, *many], NOW, 2)
    assert [p.listed for p in points] == [0, 1]


def test_a_year_boundary_and_a_long_span() -> None:
    points = monthly_series(0, [], datetime(2027, 1, 2, tzinfo=UTC), 14)
    assert (points[0].year, points[0].month) == (2025, 12)
    assert (points[-1].year, points[-1].month) == (2027, 1)
    with pytest.raises(ValueError):
        monthly_series(0, [], NOW, 0)


@pytest.mark.parametrize(
    ("value", "ceiling"), [(1, 1), (3, 4), (5, 5), (7, 10), (11, 20), (41, 50), (230, 400)]
)
def test_the_axis_tops_at_a_round_number(value: int, ceiling: int) -> None:
    assert nice_ceiling(value) == ceiling


def test_bars_are_scaled_to_the_axis_and_stand_on_the_baseline() -> None:
    points = [MonthPoint(2026, 11, 40, 2), MonthPoint(2026, 12, 20, 0)]
    drawn = chart(points)
    tallest, half = drawn.months[0].listed, drawn.months[1].listed
    assert tallest.y + tallest.height == pytest.approx(drawn.baseline)
    assert half.height == pytest.approx(tallest.height / 2)
    assert drawn.months[1].lapsed.height == 0
    assert [tick.value for tick in drawn.ticks] == [0, 10, 20, 30, 40]
    assert drawn.months[0].listed.x < drawn.months[0].lapsed.x < drawn.months[1].listed.x
