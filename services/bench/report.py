"""The benchmark report: a Markdown table for the terminal (and the README), and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from services.bench.results import Row

HEADER = (
    "benchmark",
    "figure",
    "median",
    "spread (min–max)",
    "baseline",
    "ratio",
    "target",
    "result",
)


@dataclass(frozen=True)
class Report:
    """One `impactoost bench` run: when, where, how, and every row."""

    mode: str
    started_at: datetime
    duration_seconds: float
    machine: dict[str, Any]
    parameters: dict[str, Any]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Everything the JSON file holds."""
        return {
            "mode": self.mode,
            "started_at": self.started_at.isoformat(),
            "duration_seconds": round(self.duration_seconds, 1),
            "machine": self.machine,
            "parameters": self.parameters,
            "notes": list(self.notes),
            "rows": [row.to_dict() for row in self.rows],
        }


def number(value: float) -> str:
    """A figure with as many digits as are meaningful: 12,345 / 123 / 12.3 / 1.23 / 0.0123."""
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def cells(row: dict[str, Any]) -> tuple[str, ...]:
    """A row's table cells, from its JSON form (`Row.to_dict`), so that the terminal's table
    and the README's, rendered from a run's file, are the same."""
    unit = row["unit"]
    if row["median"] is None:
        median = spread = "-"
    else:
        median = f"{number(row['median'])} {unit}".strip()
        spread = f"{number(row['min'])}–{number(row['max'])}"
    baseline = row["baseline_median"]
    base = f"{number(baseline)} ({row['baseline_name']})" if baseline is not None else "-"
    ratio = row["ratio"]
    return (
        row["benchmark"],
        row["figure"],
        median,
        spread,
        base,
        "-" if ratio is None else f"{ratio:.3g}",
        row["target"] or "-",
        row["result"],
    )


def markdown_table(rows: Sequence[Row]) -> str:
    """A Markdown table of the rows, padded to line up in a terminal too."""
    return table_from_json([row.to_dict() for row in rows])


def table_from_json(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of rows in their JSON form, padded to line up in a terminal too."""
    lines = [HEADER, *(cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def render(line: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(HEADER), rule, *(render(line) for line in lines[1:])])


def problems(rows: Sequence[Row]) -> list[str]:
    """One line per row that errored, and per note worth reading under the table."""
    return [f"{row.benchmark} / {row.figure}: {row.error}" for row in rows if row.error]


def write_json(report: Report, directory: Path) -> Path:
    """Write the report to `<directory>/<UTC timestamp>.json`; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report.started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path
