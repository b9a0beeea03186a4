"""The search benchmark's rows: cached and uncached searches against the same gateway's
`/healthz`, with issue 15's targets, and what limited or spoiled a load noted beside them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from services.bench.plan import Plan
from services.bench.results import Row, Target
from services.bench.search import SearchFigures
from services.bench.wrk_load import BUSY_CLIENT, WrkResult

# From this size on, uncached searches need only a quarter of `/healthz`'s rate.
LARGE = 1_000_000
SEARCH_FIGURES = [
    ("cached searches/s", "req/s"),
    ("uncached searches/s", "req/s"),
    ("uncached p99", "ms"),
]
Figure = Callable[[WrkResult], float]


def search_benchmark(backend: str, enterprises: int) -> str:
    """The benchmark's name for one database and read model size."""
    return f"gateway search, {backend}, {enterprises:,} enterprises"


def search_rows(figures: SearchFigures, plan: Plan) -> list[Row]:
    """Requests/s, p50 and p99 of cached and uncached searches, against `/healthz`'s."""
    large = figures.enterprises >= LARGE
    rate_target = Target("ratio_at_least", 0.25 if large else 0.5)
    p99_target = None if large else Target("ratio_at_most", 10)
    rows = []
    for kind, loads in (("cached", figures.cached), ("uncached", figures.uncached)):
        uncached = kind == "uncached"
        for name, unit, figure, baseline, target in (
            ("searches/s", "req/s", _rate, "/healthz req/s", rate_target),
            ("p50", "ms", _p50, "/healthz p50", None),
            ("p99", "ms", _p99, "/healthz p99", p99_target),
        ):
            rows.append(
                Row(
                    search_benchmark(figures.backend, figures.enterprises),
                    f"{kind} {name}",
                    unit,
                    samples=tuple(map(figure, loads)),
                    baseline=tuple(map(figure, figures.health)),
                    baseline_name=baseline,
                    target=target if uncached else None,
                    note=load_note(plan, loads, figures.health, distinct=uncached),
                )
            )
    rows[3] = _with_details(rows[3], figures)
    return rows


def load_note(
    plan: Plan, loads: list[WrkResult], baseline: list[WrkResult], *, distinct: bool
) -> str:
    """How the loads were made, and anything that spoils their figure or its baseline:
    a busy client, failed requests, and (where each query must be new) repeated ones."""
    parts = [f"wrk -t{plan.search_threads} -c{plan.search_clients}, {plan.search_seconds:g} s"]
    busiest = max((load.client_busy for load in [*loads, *baseline]), default=0.0)
    if busiest > BUSY_CLIENT:
        parts.append(f"CLIENT BUSY ({busiest:.0%} of a core): it may be the limit")
    errors = sum(load.errors for load in [*loads, *baseline])
    if errors:
        parts.append(f"{errors:,} failed requests")
    repeated = sum(load.repeated for load in loads) if distinct else 0
    if repeated:
        parts.append(f"{repeated:,} queries asked twice (raise search_max_rate)")
    return "; ".join(parts)


def _with_details(row: Row, figures: SearchFigures) -> Row:
    details = figures.details | {
        load: [result.details() for result in results]
        for load, results in (
            ("healthz", figures.health),
            ("cached", figures.cached),
            ("uncached", figures.uncached),
        )
    }
    return replace(row, details=details)


def _rate(result: WrkResult) -> float:
    return result.per_second


def _p50(result: WrkResult) -> float:
    return result.p50_ms


def _p99(result: WrkResult) -> float:
    return result.p99_ms
