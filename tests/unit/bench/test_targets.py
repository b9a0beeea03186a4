"""Rows: ratio to the same-run baseline and the verdict against each kind of target."""

from __future__ import annotations

import pytest

from services.bench.results import Row, Target, failed_rows

pytestmark = pytest.mark.unit


def row(samples: tuple[float, ...], baseline: tuple[float, ...], target: Target | None) -> Row:
    return Row("bench", "figure", "ev/s", samples=samples, baseline=baseline, target=target)


def test_ratio_is_the_median_over_the_baseline_median() -> None:
    measured = row((40.0, 50.0, 60.0), (1000.0, 100.0, 200.0), None)

    assert measured.ratio == pytest.approx(0.25)


def test_throughput_at_half_its_baseline_passes_and_just_below_fails() -> None:
    at_least_half = Target("ratio_at_least", 0.5)

    assert row((50.0,), (100.0,), at_least_half).verdict() == "pass"
    assert row((49.9,), (100.0,), at_least_half).verdict() == "FAIL"


def test_latency_within_ten_times_its_baseline_passes_and_beyond_fails() -> None:
    at_most_ten = Target("ratio_at_most", 10)

    assert row((20.0,), (2.0,), at_most_ten).verdict() == "pass"
    assert row((20.1,), (2.0,), at_most_ten).verdict() == "FAIL"


def test_an_absolute_ceiling_needs_no_baseline() -> None:
    ceiling = Target("at_most", 600, "MB")

    assert row((420.0, 430.0, 425.0), (), ceiling).verdict() == "pass"
    assert row((601.0,), (), ceiling).verdict() == "FAIL"
    assert ceiling.describe() == "≤ 600 MB"


def test_a_ratio_target_without_a_baseline_is_not_met() -> None:
    assert row((1.0,), (), Target("ratio_at_least", 0.5)).verdict() == "FAIL"


def test_a_figure_without_a_target_is_information_only() -> None:
    information = row((1.0,), (2.0,), None)

    assert information.passed is None
    assert information.verdict() == "-"


def test_a_benchmark_that_broke_reports_error_rows_for_each_figure() -> None:
    rows = failed_rows("search", [("requests/s", "req/s"), ("p99", "ms")], "gateway died")

    assert [r.verdict() for r in rows] == ["error", "error"]
    assert rows[0].summary is None
    assert rows[0].to_dict()["error"] == "gateway died"


def test_targets_describe_themselves_as_the_table_shows_them() -> None:
    assert Target("ratio_at_least", 0.5).describe() == "ratio ≥ 0.5"
    assert Target("ratio_at_most", 0.05).describe() == "ratio ≤ 0.05"


def test_row_as_json_keeps_every_sample_and_the_verdict() -> None:
    data = row((40.0, 50.0, 60.0), (100.0, 100.0, 100.0), Target("ratio_at_least", 0.5))
    as_json = data.to_dict()

    assert as_json["samples"] == [40.0, 50.0, 60.0]
    assert (as_json["median"], as_json["min"], as_json["max"]) == (50.0, 40.0, 60.0)
    assert as_json["ratio"] == pytest.approx(0.5)
    assert as_json["target"] == "ratio ≥ 0.5"
    assert as_json["result"] == "pass"
