"""The issue's targets applied to each benchmark's figures."""

from __future__ import annotations

import pytest

from services.bench.footprint import MemoryFigures
from services.bench.ingest import IngestFigures
from services.bench.latency import LatencyFigures
from services.bench.plan import FULL, QUICK, STEP_NAMES
from services.bench.rows import ingest_rows, latency_rows, memory_rows, scrape_rows, search_rows
from services.bench.scrape import ScrapeFigures
from services.bench.search import SearchFigures

pytestmark = pytest.mark.unit


def test_ingest_target_applies_on_sqlite_with_the_batch_one_comparison_beside_it() -> None:
    figures = IngestFigures(registry=[2000.0], raw=[3000.0], raw_batch_one=[1500.0])

    sqlite = ingest_rows("SQLite", figures, FULL)
    postgres = ingest_rows("PostgreSQL", figures, FULL)

    assert [r.verdict() for r in sqlite] == ["pass", "-"]
    assert [r.verdict() for r in postgres] == ["-"]


def test_latency_p99_is_held_to_ten_times_the_raw_round_trip_p99() -> None:
    figures = LatencyFigures(p50=[60.0], p99=[105.0], baseline_p50=[0.9], baseline_p99=[3.0])

    p50, p99 = latency_rows(figures, FULL)

    assert p50.verdict() == "-"
    assert p99.ratio == pytest.approx(35.0)
    assert p99.verdict() == "FAIL"


def test_search_throughput_is_held_to_half_of_healthz() -> None:
    figures = SearchFigures(
        search_rps=[40.0], search_p99=[500.0], health_rps=[70.0], health_p99=[700.0]
    )

    throughput, p99 = search_rows(figures, QUICK)

    assert throughput.verdict() == "pass"
    assert "10,000 enterprises" in throughput.benchmark
    assert p99.verdict() == "-"


def test_second_scrape_at_a_tenth_of_the_first_misses_the_five_percent_target() -> None:
    first, second, _ = scrape_rows(
        ScrapeFigures(
            first=[155_079.0], second=[16_565.0], first_decoded=[1.0], second_decoded=[1.0]
        )
    )

    assert first.verdict() == "-"
    assert second.ratio == pytest.approx(0.1068, abs=1e-4)
    assert second.verdict() == "FAIL"


def test_the_scrape_target_holds_bytes_on_the_wire_and_decoded_bytes_are_information() -> None:
    figures = ScrapeFigures(
        first=[30_000.0], second=[1_200.0], first_decoded=[155_079.0], second_decoded=[16_565.0]
    )

    wire_first, wire_second, decoded = scrape_rows(figures)

    assert "on the wire" in wire_first.figure and "on the wire" in wire_second.figure
    assert wire_second.ratio == pytest.approx(0.04)
    assert wire_second.verdict() == "pass"
    assert "decoded" in decoded.figure and decoded.target is None
    assert decoded.summary is not None and decoded.summary.median == 16_565
    assert decoded.baseline_summary is not None and decoded.baseline_summary.median == 155_079
    assert decoded.verdict() == "-"


def test_memory_is_held_to_six_hundred_megabytes_idle_and_under_ingest() -> None:
    idle, under_ingest = memory_rows(MemoryFigures(idle=[395.0], under_ingest=[612.0]))

    assert idle.verdict() == "pass"
    assert under_ingest.verdict() == "FAIL"


def test_quick_plan_is_smaller_than_the_full_one_and_both_repeat_at_least_three_times() -> None:
    assert QUICK.ingest_events < FULL.ingest_events
    assert QUICK.latency_events < FULL.latency_events
    assert FULL.search_enterprises == 100_000
    assert FULL.latency_events == 1_000
    assert min(QUICK.repetitions, FULL.repetitions, FULL.scrape_repetitions) >= 3
    assert STEP_NAMES == ("sqlite", "postgresql", "search", "scrape", "memory", "notifier")
