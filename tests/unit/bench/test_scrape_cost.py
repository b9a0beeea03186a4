"""What a scrape cadence costs a registry per day, and the worst case of a change."""

from __future__ import annotations

import pytest

from services.bench.scrape_cost import (
    cycle_seconds,
    per_day,
    period_seconds,
    polite_run_seconds,
    runs_per_day,
    target_seconds,
    worst_case,
)

pytestmark = pytest.mark.unit


def test_hourly_runs_cost_a_registry_twenty_four_runs_a_day() -> None:
    assert runs_per_day(3600) == 24
    assert per_day(201, 3600) == 201 * 24
    assert per_day(14_021, 21_600) == 14_021 * 4


def test_a_cycle_longer_than_the_interval_sets_the_period_and_fewer_runs_a_day() -> None:
    assert period_seconds(3600, 500) == 3600
    assert period_seconds(3600, 4800) == 4800
    assert runs_per_day(3600, 4800) == pytest.approx(18)


def test_a_polite_run_spaces_its_requests_at_the_configured_rate() -> None:
    assert polite_run_seconds(201, 0.5) == 402
    with pytest.raises(ValueError, match="positive"):
        polite_run_seconds(10, 0)


def test_a_cycle_runs_the_registries_one_after_the_other() -> None:
    assert cycle_seconds({"pso": 201, "codeso": 252, "cedris": 2}, 0.5) == 910
    assert cycle_seconds({}, 0.5) == 0


def test_a_return_waits_a_period_then_its_run_and_the_pipeline() -> None:
    case = worst_case(
        interval_seconds=3600,
        cycle=504,
        runs_needed=1,
        run_requests=202,
        requests_per_second=0.5,
        pipeline_seconds=0.25,
    )

    assert case.seconds == pytest.approx(3600 + 404 + 0.25)
    assert case.seconds > target_seconds(3600) == 3900
    assert case.describe() == "1 × 3,600 s period + 404 s polite run + 0.25 s pipeline"


def test_a_holding_gone_from_the_registry_lapses_only_after_as_many_periods_as_absences() -> None:
    case = worst_case(
        interval_seconds=3600,
        cycle=0,
        runs_needed=2,
        run_requests=3,
        requests_per_second=0.5,
        pipeline_seconds=1.0,
    )

    assert case.seconds == pytest.approx(2 * 3600 + 6 + 1)


def test_a_change_needs_at_least_one_run() -> None:
    with pytest.raises(ValueError, match="at least one run"):
        worst_case(
            interval_seconds=3600,
            cycle=0,
            runs_needed=0,
            run_requests=3,
            requests_per_second=0.5,
            pipeline_seconds=1.0,
        )
