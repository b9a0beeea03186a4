"""The printed table and the JSON report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.bench.report import Report, markdown_table, number, problems, write_json
from services.bench.results import Row, Target

pytestmark = pytest.mark.unit

INGEST = Row(
    "registry ingest, SQLite",
    "label events/s",
    "ev/s",
    samples=(48.6, 47.3, 72.4),
    baseline=(3257.0, 3100.0, 3300.0),
    baseline_name="raw pull + ack",
    target=Target("ratio_at_least", 0.5),
)
MEMORY = Row("resident memory", "idle", "MB", samples=(395.0,), target=Target("at_most", 600, "MB"))


@pytest.mark.parametrize(
    ("value", "text"),
    [(155079.0, "155,079"), (412.6, "413"), (48.64, "48.6"), (3.814, "3.81"), (0.01532, "0.0153")],
)
def test_numbers_keep_only_meaningful_digits(value: float, text: str) -> None:
    assert number(value) == text


def test_table_has_one_line_per_row_under_its_header_with_verdicts() -> None:
    lines = markdown_table([INGEST, MEMORY]).splitlines()

    assert len(lines) == 4
    assert lines[0].startswith("| benchmark")
    assert set(lines[1]) <= {"|", "-"}
    assert "48.6 ev/s" in lines[2]
    assert "47.3–72.4" in lines[2]
    assert "3,257 (raw pull + ack)" in lines[2]
    assert "0.0149" in lines[2]
    assert lines[2].split("|")[-2].strip() == "FAIL"
    assert lines[3].split("|")[-2].strip() == "pass"


def test_table_columns_line_up() -> None:
    lines = markdown_table([INGEST, MEMORY]).splitlines()

    assert len({len(line) for line in lines}) == 1


def test_rows_that_broke_are_listed_as_problems() -> None:
    broken = Row("search", "requests/s", "req/s", error="TimeoutError: gateway")

    assert problems([INGEST, broken]) == ["search / requests/s: TimeoutError: gateway"]
    assert "error" in markdown_table([broken])


def test_json_report_is_written_under_its_start_time_with_every_row(tmp_path: Path) -> None:
    report = Report(
        mode="quick",
        started_at=datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC),
        duration_seconds=101.26,
        machine={"cpu": "AMD EPYC", "cores": 2},
        parameters={"repetitions": 3},
        rows=(INGEST, MEMORY),
        notes=("ratio = median / baseline median",),
    )

    path = write_json(report, tmp_path / "bench")

    assert path == tmp_path / "bench" / "20260302T093005Z.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["mode"] == "quick"
    assert data["duration_seconds"] == 101.3
    assert [r["result"] for r in data["rows"]] == ["FAIL", "pass"]
    assert data["rows"][0]["baseline_samples"] == [3257.0, 3100.0, 3300.0]
