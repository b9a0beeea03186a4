"""What a benchmark reports: one row per figure, its baseline, ratio and target (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from services.bench.stats import Summary, summarise

TargetKind = Literal["ratio_at_least", "ratio_at_most", "at_most"]


@dataclass(frozen=True)
class Target:
    """What a figure must reach: a ratio to its baseline, or an absolute ceiling."""

    kind: TargetKind
    limit: float
    unit: str = ""

    def describe(self) -> str:
        """The target as the table shows it."""
        if self.kind == "ratio_at_least":
            return f"ratio ≥ {self.limit:g}"
        if self.kind == "ratio_at_most":
            return f"ratio ≤ {self.limit:g}"
        return f"≤ {self.limit:g} {self.unit}".rstrip()

    def met(self, value: float, ratio: float | None) -> bool:
        """Whether the figure (its median, or its ratio) reaches the target."""
        if self.kind == "at_most":
            return value <= self.limit
        if ratio is None:
            return False
        if self.kind == "ratio_at_least":
            return ratio >= self.limit
        return ratio <= self.limit


@dataclass(frozen=True)
class Row:
    """One figure of one benchmark over its repetitions, with its same-run baseline.

    `ratio` is the figure's median over the baseline's median. A benchmark that could not
    run has no samples and says why in `error`.
    """

    benchmark: str
    figure: str
    unit: str
    samples: tuple[float, ...] = ()
    baseline: tuple[float, ...] = ()
    baseline_name: str = ""
    target: Target | None = None
    note: str = ""
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> Summary | None:
        """Median and spread of the figure; None when it could not be measured."""
        return summarise(self.samples) if self.samples else None

    @property
    def baseline_summary(self) -> Summary | None:
        """Median and spread of the baseline, if the figure has one."""
        return summarise(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        """Figure median / baseline median."""
        summary, baseline = self.summary, self.baseline_summary
        if summary is None or baseline is None or baseline.median == 0:
            return None
        return summary.median / baseline.median

    @property
    def passed(self) -> bool | None:
        """True / False against the target; None without a target (or without samples)."""
        summary = self.summary
        if self.target is None:
            return None if self.error is None else False
        if summary is None:
            return False
        return self.target.met(summary.median, self.ratio)

    def verdict(self) -> str:
        """`pass`, `FAIL`, `error` or `-` (information only)."""
        if self.error is not None:
            return "error"
        return {True: "pass", False: "FAIL", None: "-"}[self.passed]

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-able data, with every sample kept."""
        summary, baseline = self.summary, self.baseline_summary
        return {
            "benchmark": self.benchmark,
            "figure": self.figure,
            "unit": self.unit,
            "samples": list(self.samples),
            "median": summary.median if summary else None,
            "min": summary.low if summary else None,
            "max": summary.high if summary else None,
            "baseline_name": self.baseline_name or None,
            "baseline_samples": list(self.baseline),
            "baseline_median": baseline.median if baseline else None,
            "ratio": self.ratio,
            "target": self.target.describe() if self.target else None,
            "result": self.verdict(),
            "note": self.note or None,
            "error": self.error,
            "details": self.details,
        }


def failed_rows(benchmark: str, figures: list[tuple[str, str]], error: str) -> list[Row]:
    """Rows for a benchmark that broke: each of its figures, marked with the error."""
    return [Row(benchmark, figure, unit, error=error) for figure, unit in figures]
