"""The scrape step's rows: per registry the unchanged run against the first, its cost per day
at the configured cadence, and the worst case of a change against interval + 5 minutes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.bench.scrape import Cadence, RegistryFigures, ScrapeFigures
from services.bench.scrape_change import ChangeTrip
from services.bench.scrape_rows import scrape_rows
from services.bench.scrape_runs import RegistryRun, full_answers

pytestmark = pytest.mark.unit


def run(requests: int, wire: int) -> RegistryRun:
    return RegistryRun(
        requests=requests,
        bytes_on_wire=wire,
        body_bytes=wire // 2,
        bytes_decoded=wire * 3,
        not_modified=requests - 1,
        seconds=1.0,
    )


def figures(interval: float = 3600.0) -> ScrapeFigures:
    result = ScrapeFigures(2_000, Cadence(interval, 0.5, 2))
    result.registries = {
        "pso": RegistryFigures(first=[run(201, 600_000)], unchanged=[run(201, 50_000)]),
        "codeso": RegistryFigures(first=[run(2_252, 2_500_000)], unchanged=[run(252, 300_000)]),
    }
    result.changes = [
        ChangeTrip("lapse", "PSO-2025-01000", 2, 201, 8.0, 8.5, 101),
        ChangeTrip("return", "PSO-2025-01000", 1, 201, 8.0, 8.25, 101),
    ]
    return result


def rows_of(rows: list, registry: str) -> dict:  # type: ignore[type-arg]
    return {row.figure: row for row in rows if row.benchmark.endswith(registry)}


def test_each_registry_is_held_to_a_tenth_of_its_own_first_run_on_the_wire() -> None:
    rows = scrape_rows(figures())

    pso, codeso = rows_of(rows, "PSO"), rows_of(rows, "Code Sociale Ondernemingen")
    assert pso["unchanged run, on the wire"].ratio == pytest.approx(50_000 / 600_000)
    assert pso["unchanged run, on the wire"].verdict() == "pass"
    assert codeso["unchanged run, on the wire"].ratio == pytest.approx(0.12)
    assert codeso["unchanged run, on the wire"].verdict() == "FAIL"
    assert codeso["unchanged run, decoded"].target is None


def test_per_day_figures_follow_the_configured_interval() -> None:
    hourly = rows_of(scrape_rows(figures(3600)), "PSO")
    six_hourly = rows_of(scrape_rows(figures(21_600)), "PSO")

    assert hourly["unchanged runs per day: requests"].samples == (201 * 24,)
    assert hourly["unchanged runs per day: bytes on the wire"].samples == (50_000 * 24,)
    assert six_hourly["unchanged runs per day: requests"].samples == (201 * 4,)
    assert "interval 3600 s" in hourly["unchanged runs per day: requests"].note


def test_the_worst_case_counts_a_lapse_after_two_absences_against_interval_plus_5_min() -> None:
    row = rows_of(scrape_rows(figures()), "PSO")["change → buyers' page, worst case"]

    # Two periods (the cycle, 453 requests at 0.5/s, is shorter than the interval), a polite
    # run of 201 + 1 requests, and the pipeline measured after the lapse's run.
    assert row.samples == (pytest.approx(2 * 3600 + 202 / 0.5 + 0.5),)
    assert row.target is not None and row.target.limit == 3900
    assert row.verdict() == "FAIL"


def test_the_measured_trips_are_information_with_their_pipeline_time() -> None:
    rows = [r for r in scrape_rows(figures()) if "measured" in r.benchmark]

    assert [r.samples for r in rows] == [(8.5,), (8.25,)]
    assert all(r.target is None for r in rows)
    assert "pipeline (run's end → API) 0.50 s" in rows[0].note


def test_an_unchanged_run_names_the_requests_answered_in_full() -> None:
    requests = [
        SimpleNamespace(method="GET", path="/robots.txt", status=200),
        SimpleNamespace(method="GET", path="/register/", status=304),
        SimpleNamespace(method="POST", path="/wp-json/wp/v2/kadence_query/query", status=200),
        SimpleNamespace(method="POST", path="/wp-json/wp/v2/kadence_query/query", status=200),
        SimpleNamespace(method="GET", path="/register/een-slug/", status=200),
    ]

    assert full_answers(requests) == (
        "GET /register/* ×1",
        "GET /robots.txt ×1",
        "POST /wp-json/wp/v2/kadence_query/query ×2",
    )
