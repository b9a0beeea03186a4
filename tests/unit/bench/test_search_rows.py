"""The search benchmark's rows: issue 15's targets per size, and notes on spoiled loads."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.bench.plan import FULL, QUICK
from services.bench.search import SearchFigures
from services.bench.search_rows import SEARCH_FIGURES, search_rows
from services.bench.wrk_load import WrkResult

pytestmark = pytest.mark.unit


def _load(per_second: float, p50: float, p99: float) -> WrkResult:
    return WrkResult(
        requests=int(per_second * 10),
        seconds=10.0,
        p50_ms=p50,
        p99_ms=p99,
        max_ms=p99 * 2,
        status_errors=0,
        socket_errors=0,
        timeouts=0,
        repeated=0,
        client_cpu_seconds=3.0,
        client_wall_seconds=10.0,
    )


def _figures(enterprises: int, uncached: WrkResult) -> SearchFigures:
    return SearchFigures(
        "SQLite",
        enterprises,
        health=[_load(800, 10, 20)],
        cached=[_load(700, 12, 25)],
        uncached=[uncached],
    )


def _by_figure(figures: SearchFigures) -> dict[str, str]:
    return {row.figure: row.verdict() for row in search_rows(figures, FULL)}


def test_uncached_at_100k_is_held_to_half_the_rate_and_ten_times_the_p99_of_healthz() -> None:
    passing = _by_figure(_figures(100_000, _load(400, 30, 200)))
    slow = _by_figure(_figures(100_000, _load(300, 30, 201)))

    assert passing["uncached searches/s"] == passing["uncached p99"] == "pass"
    assert slow["uncached searches/s"] == slow["uncached p99"] == "FAIL"
    assert passing["cached searches/s"] == passing["cached p99"] == "-"


def test_uncached_at_a_million_is_held_to_a_quarter_of_the_rate_of_healthz() -> None:
    verdicts = _by_figure(_figures(1_000_000, _load(200, 300, 2_000)))

    assert verdicts["uncached searches/s"] == "pass"
    assert verdicts["uncached p99"] == "-"


def test_each_load_kind_has_rate_p50_and_p99_rows_named_for_backend_and_size() -> None:
    rows = search_rows(_figures(10_000, _load(400, 30, 200)), QUICK)

    assert {row.benchmark for row in rows} == {"gateway search, SQLite, 10,000 enterprises"}
    assert {f for f, _ in SEARCH_FIGURES} <= {row.figure for row in rows}
    assert len(rows) == 6
    assert any("uncached" in row.details for row in rows)


def test_a_busy_client_failed_requests_and_repeated_queries_are_noted() -> None:
    spoiled = replace(
        _load(400, 30, 200), client_cpu_seconds=9.0, status_errors=3, timeouts=2, repeated=5
    )
    figures = _figures(100_000, spoiled)
    figures.health = [replace(_load(800, 10, 20), repeated=8_000)]
    rows = search_rows(figures, FULL)
    note = next(row.note for row in rows if row.figure == "uncached searches/s")
    cached_note = next(row.note for row in rows if row.figure == "cached searches/s")

    assert "CLIENT BUSY (90% of a core)" in note
    assert "5 failed requests" in note
    assert "5 queries asked twice" in note
    assert "twice" not in cached_note  # the fixed searches and /healthz repeat by design
