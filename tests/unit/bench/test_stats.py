"""Median, spread and percentiles of repeated measurements."""

from __future__ import annotations

import pytest

from services.bench.stats import percentile, summarise

pytestmark = pytest.mark.unit


def test_summary_gives_the_median_and_the_lowest_and_highest_repetition() -> None:
    summary = summarise([52.0, 48.0, 61.0])

    assert (summary.median, summary.low, summary.high, summary.count) == (52.0, 48.0, 61.0, 3)
    assert summary.spread == 13.0


def test_median_of_an_even_number_of_repetitions_lies_between_the_middle_two() -> None:
    assert summarise([1.0, 2.0, 4.0, 10.0]).median == 3.0


def test_nothing_to_summarise_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        summarise([])


def test_percentile_interpolates_between_the_closest_ranks() -> None:
    latencies = [float(i) for i in range(1, 1001)]

    assert percentile(latencies, 0.5) == pytest.approx(500.5)
    assert percentile(latencies, 0.99) == pytest.approx(990.01)


def test_percentile_ignores_the_order_it_is_given_in() -> None:
    assert percentile([9.0, 1.0, 5.0], 0.0) == 1.0
    assert percentile([9.0, 1.0, 5.0], 1.0) == 9.0
    assert percentile([7.0], 0.99) == 7.0


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_percentile_outside_zero_to_one_is_an_error(fraction: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0, 2.0], fraction)
