"""The issue's targets applied to each benchmark's figures."""

from __future__ import annotations

import pytest

from services.bench.footprint import MemoryFigures
from services.bench.ingest import IngestFigures
from services.bench.latency import LatencyFigures
from services.bench.plan import FULL, QUICK, STEP_NAMES
from services.bench.rows import ingest_rows, latency_rows, memory_rows

pytestmark = pytest.mark.unit


def test_ingest_is_held_to_half_of_the_bare_pipeline_on_both_backends() -> None:
    fast = IngestFigures(registry=[2000.0], bare=[3000.0])
    slow = IngestFigures(registry=[1000.0], bare=[3000.0])

    (sqlite,) = ingest_rows("SQLite", fast, FULL)
    (postgres,) = ingest_rows("PostgreSQL", slow, FULL)

    assert sqlite.baseline_name == postgres.baseline_name == "bare pipeline, stage 1"
    assert sqlite.verdict() == "pass"
    assert postgres.ratio == pytest.approx(1 / 3)
    assert postgres.verdict() == "FAIL"


def test_latency_p99_is_held_to_twice_the_bare_pipeline_p99() -> None:
    within = LatencyFigures(p50=[20.0], p99=[39.0], baseline_p50=[9.0], baseline_p99=[20.0])
    beyond = LatencyFigures(p50=[60.0], p99=[105.0], baseline_p50=[9.0], baseline_p99=[30.0])

    p50, p99 = latency_rows(within, FULL)
    _, slow_p99 = latency_rows(beyond, FULL)

    assert p50.verdict() == "-" and p50.baseline_name == "bare pipeline p50"
    assert p99.verdict() == "pass"
    assert slow_p99.ratio == pytest.approx(3.5)
    assert slow_p99.verdict() == "FAIL"


def test_memory_is_held_to_six_hundred_megabytes_idle_and_under_ingest() -> None:
    idle, under_ingest = memory_rows(MemoryFigures(idle=[395.0], under_ingest=[612.0]))

    assert idle.verdict() == "pass"
    assert under_ingest.verdict() == "FAIL"


def test_quick_plan_is_smaller_than_the_full_one_and_both_repeat_at_least_three_times() -> None:
    assert QUICK.ingest_events < FULL.ingest_events
    assert QUICK.latency_events < FULL.latency_events
    assert FULL.search_sizes == (100_000, 1_000_000)
    assert max(QUICK.search_sizes) < min(FULL.search_sizes)
    assert FULL.latency_events == 1_000
    assert min(QUICK.repetitions, FULL.repetitions, FULL.scrape_repetitions) >= 3
    assert STEP_NAMES == ("sqlite", "postgresql", "search", "scrape", "memory", "notifier")
