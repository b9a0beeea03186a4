"""The scrape benchmark's rows: per registry the bytes and requests of its runs and per day,
and the worst case of a change reaching the buyers' page; then the measured change trips."""

from __future__ import annotations

from dataclasses import asdict

from contracts.labels import LABEL_SHORT_NAMES, LABELS, LabelName
from services.bench.results import Row, Target
from services.bench.scrape import Cadence, RegistryFigures, ScrapeFigures
from services.bench.scrape_change import ChangeTrip
from services.bench.scrape_cost import (
    WorstCase,
    cycle_seconds,
    per_day,
    runs_per_day,
    target_seconds,
    worst_case,
)

UNCHANGED_TARGET = Target("ratio_at_most", 0.1)
REGISTRY = "scrape, {holdings:,}-holding registry: {name}"
CHANGE = "scrape: change in the PSO register → gateway API, measured"


def scrape_rows(figures: ScrapeFigures) -> list[Row]:
    """Every row of the scrape step."""
    rows: list[Row] = []
    for label in LABELS:
        if label in figures.registries:
            rows += registry_rows(figures, label)
    return rows + change_rows(figures)


def registry_rows(figures: ScrapeFigures, label: LabelName) -> list[Row]:
    """One registry: first and unchanged runs (target: unchanged ≤ 0.1 × first, on the wire),
    their cost per day at the configured cadence, and the worst case of a change."""
    runs, cadence = figures.registries[label], figures.cadence
    name = LABEL_SHORT_NAMES[label]
    benchmark = REGISTRY.format(holdings=figures.holdings, name=name)
    first = tuple(float(r.bytes_on_wire) for r in runs.first)
    unchanged = runs.unchanged
    cycles = _cycles(figures)
    daily = [runs_per_day(cadence.interval_seconds, c) for c in cycles]
    last = unchanged[-1]
    cadence_note = (
        f"× {daily[-1]:g} runs/day (interval {cadence.interval_seconds:g} s from the scraper's "
        f"settings)"
    )
    return [
        Row(benchmark, "first run, on the wire", "B", samples=first),
        Row(
            benchmark,
            "unchanged run, on the wire",
            "B",
            samples=tuple(float(r.bytes_on_wire) for r in unchanged),
            baseline=first,
            baseline_name="first run",
            target=UNCHANGED_TARGET,
            note=(
                f"{last.requests:,} requests, {last.not_modified:,} answered 304; bodies "
                f"{last.body_bytes:,} B of it"
            ),
            details={
                "answered in full": list(last.full_answers),
                "first run": asdict(runs.first[-1]),
            },
        ),
        Row(
            benchmark,
            "unchanged run, decoded",
            "B",
            samples=tuple(float(r.bytes_decoded) for r in unchanged),
            baseline=tuple(float(r.bytes_decoded) for r in runs.first),
            baseline_name="first run, decoded",
        ),
        Row(
            benchmark,
            "unchanged runs per day: requests",
            "req/day",
            samples=tuple(r.requests * d for r, d in zip(unchanged, daily, strict=True)),
            note=f"{last.requests:,} per run {cadence_note}",
        ),
        Row(
            benchmark,
            "unchanged runs per day: bytes on the wire",
            "B/day",
            samples=tuple(
                per_day(r.bytes_on_wire, cadence.interval_seconds, c)
                for r, c in zip(unchanged, cycles, strict=True)
            ),
            note=f"{last.bytes_on_wire:,} B per run {cadence_note}",
        ),
        _worst_case_row(benchmark, figures, runs),
    ]


def _cycles(figures: ScrapeFigures) -> list[float]:
    """Per repetition, a polite cycle of every registry's unchanged run."""
    reps = len(next(iter(figures.registries.values())).unchanged)
    rate = figures.cadence.requests_per_second
    return [
        cycle_seconds({k: r.unchanged[i].requests for k, r in figures.registries.items()}, rate)
        for i in range(reps)
    ]


def _worst_case_row(benchmark: str, figures: ScrapeFigures, runs: RegistryFigures) -> Row:
    """The worst case of a lapse and of a return at the configured cadence, from this
    registry's polite run and the pipeline measured on the PSO register; the longer counts."""
    cadence, cycles = figures.cadence, _cycles(figures)
    pairs = _trip_pairs(figures.changes)
    if not pairs:
        return Row(benchmark, "change → buyers' page, worst case", "s", error="no change measured")
    cases = [
        _cases(cadence, cycles[min(i, len(cycles) - 1)], runs.unchanged[-1].requests, pair)
        for i, pair in enumerate(pairs)
    ]
    lapse, back = cases[-1]
    return Row(
        benchmark,
        "change → buyers' page, worst case",
        "s",
        samples=tuple(max(a.seconds, b.seconds) for a, b in cases),
        target=Target("at_most", target_seconds(cadence.interval_seconds), "s"),
        note=(
            f"computed: lapse {lapse.describe()}; return {back.describe()}; a polite run at "
            f"{cadence.requests_per_second:g} req/s, pipeline measured (PSO)"
        ),
        details={"lapse": [a.seconds for a, _ in cases], "return": [b.seconds for _, b in cases]},
    )


def _cases(
    cadence: Cadence, cycle: float, requests: int, pair: tuple[ChangeTrip, ChangeTrip]
) -> tuple[WorstCase, WorstCase]:
    def case(trip: ChangeTrip) -> WorstCase:
        # One request more than an unchanged run: a returning holding's profile page.
        return worst_case(
            interval_seconds=cadence.interval_seconds,
            cycle=cycle,
            runs_needed=trip.runs_needed,
            run_requests=requests + 1,
            requests_per_second=cadence.requests_per_second,
            pipeline_seconds=trip.pipeline_seconds,
        )

    return case(pair[0]), case(pair[1])


def _trip_pairs(trips: list[ChangeTrip]) -> list[tuple[ChangeTrip, ChangeTrip]]:
    lapses = [t for t in trips if t.kind == "lapse"]
    returns = [t for t in trips if t.kind == "return"]
    return list(zip(lapses, returns, strict=False))


def change_rows(figures: ScrapeFigures) -> list[Row]:
    """The measured trips: from the start of the run that publishes the change until the API
    shows it, at the bench's request rate (information; the target is the worst case)."""
    rows = []
    for kind, answer in (("lapse", "410"), ("return", "200")):
        trips = [t for t in figures.changes if t.kind == kind]
        if not trips:
            continue
        last = trips[-1]
        rows.append(
            Row(
                CHANGE,
                f"{kind}: start of the run that publishes it → API {answer}",
                "s",
                samples=tuple(t.visible_seconds for t in trips),
                note=(
                    f"run {last.runs_needed} after the change, {last.run_requests:,} requests in "
                    f"{last.run_seconds:.1f} s at the bench's rate; pipeline (run's end → API) "
                    + ", ".join(f"{t.pipeline_seconds:.2f}" for t in trips)
                    + " s"
                ),
                details={"trips": [t.__dict__ for t in trips]},
            )
        )
    return rows
