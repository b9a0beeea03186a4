"""What a scrape cadence costs a registry per day, and how long a change can take to reach
the buyers' page at that cadence (pure arithmetic, from measured per-run figures).

The worst case follows the scraper as it runs (services/scraper/service.py): a cycle scrapes
the labels one after the other and the next starts an interval after it started, or as soon
as it ends when it took longer, so a label's runs start `max(interval, cycle)` apart. A run
publishes its events only once it has read the whole registry, so an event leaves `run`
seconds after its run starts. Requests to one host are spaced `1 / rate` apart, so a polite
run of `n` requests takes `n / rate` seconds (a local or a real registry answers far faster
than that spacing). A change made just after the run that would have seen it read that part
of the registry waits a whole period for the next run; a holding gone from the registry
lapses only in the `runs_needed`-th run that misses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400.0
# The target: one scrape interval plus five minutes.
TARGET_MARGIN_SECONDS = 300.0


def period_seconds(interval_seconds: float, cycle_seconds: float = 0.0) -> float:
    """How far apart a label's runs start: an interval, or the cycle when it takes longer."""
    return max(interval_seconds, cycle_seconds)


def runs_per_day(interval_seconds: float, cycle_seconds: float = 0.0) -> float:
    """Runs of one label per day at this interval, for cycles of `cycle_seconds`."""
    period = period_seconds(interval_seconds, cycle_seconds)
    if period <= 0:
        raise ValueError(f"a scrape period must be positive, not {period}")
    return SECONDS_PER_DAY / period


def per_day(per_run: float, interval_seconds: float, cycle_seconds: float = 0.0) -> float:
    """A per-run figure (requests, bytes) over a day of runs."""
    return per_run * runs_per_day(interval_seconds, cycle_seconds)


def polite_run_seconds(requests: int, requests_per_second: float) -> float:
    """How long a run of `requests` to one host takes at the polite rate."""
    if requests_per_second <= 0:
        raise ValueError(f"a request rate must be positive, not {requests_per_second}")
    return requests / requests_per_second


def cycle_seconds(requests_by_label: Mapping[str, int], requests_per_second: float) -> float:
    """One scheduled cycle: every label's polite run, one after the other."""
    return sum(polite_run_seconds(n, requests_per_second) for n in requests_by_label.values())


@dataclass(frozen=True)
class WorstCase:
    """The longest a change can take from the registry to the buyers' page, in seconds."""

    period: float
    runs_needed: int
    run: float
    pipeline: float

    @property
    def seconds(self) -> float:
        """`runs_needed` periods, the run that publishes, then the pipeline."""
        return self.runs_needed * self.period + self.run + self.pipeline

    def describe(self) -> str:
        """The sum as a row's note shows it."""
        return (
            f"{self.runs_needed} × {self.period:,.0f} s period + {self.run:,.0f} s polite run "
            f"+ {self.pipeline:.2f} s pipeline"
        )


def worst_case(
    *,
    interval_seconds: float,
    cycle: float,
    runs_needed: int,
    run_requests: int,
    requests_per_second: float,
    pipeline_seconds: float,
) -> WorstCase:
    """The worst case of a change seen by the `runs_needed`-th run after it (1: a change or a
    return; the scraper's absent-runs-to-lapse setting: a holding gone from the registry)."""
    if runs_needed < 1:
        raise ValueError(f"a change needs at least one run to be seen, not {runs_needed}")
    return WorstCase(
        period=period_seconds(interval_seconds, cycle),
        runs_needed=runs_needed,
        run=polite_run_seconds(run_requests, requests_per_second),
        pipeline=pipeline_seconds,
    )


def target_seconds(interval_seconds: float) -> float:
    """The target for a change to reach the buyers' page: one interval plus five minutes."""
    return interval_seconds + TARGET_MARGIN_SECONDS
