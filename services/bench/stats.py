"""Pure statistics of repeated measurements: median, spread and percentiles."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The median of a figure's repetitions and their spread (lowest and highest)."""

    median: float
    low: float
    high: float
    count: int

    @property
    def spread(self) -> float:
        """Highest minus lowest repetition."""
        return self.high - self.low


def summarise(samples: Sequence[float]) -> Summary:
    """Median, minimum and maximum of at least one sample."""
    if not samples:
        raise ValueError("no samples to summarise")
    return Summary(
        median=statistics.median(samples),
        low=min(samples),
        high=max(samples),
        count=len(samples),
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` (0..1) percentile, interpolated between the closest ranks.

    Linear interpolation (numpy's default), so p99 of 1,000 latencies lies between the
    990th and 991st smallest rather than jumping to one of them.
    """
    if not values:
        raise ValueError("no values for a percentile")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"percentile fraction {fraction} is outside 0..1")
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    below, above = math.floor(rank), math.ceil(rank)
    weight = rank - below
    return ordered[below] + (ordered[above] - ordered[below]) * weight
