"""The README's table of figures: generated from a run's JSON report, between two markers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.bench.readme import (
    END,
    START,
    ReadmeSectionError,
    current_section,
    load_report,
    newest_report,
    replace_section,
    section,
)
from services.bench.report import Report, write_json
from services.bench.results import Row, Target
from services.cli.main import app

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
MACHINE = {
    "cpu": "Test CPU",
    "cores": 2,
    "memory_mb": 24_000,
    "os": "Linux",
    "python": "3.11.7",
    "nats_server": "nats-server: v2.15.1",
    "postgresql": "postgres (PostgreSQL) 15.18",
    "load_average_at_start": [0.31, 0.5, 0.6],
    "code": {"commit": "abc1234", "uncommitted": []},
}
SEARCH = Row(
    "gateway search, 100,000 enterprises",
    "uncached requests/s",
    "req/s",
    samples=(431.0, 418.5, 440.2),
    baseline=(812.0, 790.0, 820.0),
    baseline_name="/healthz req/s",
    target=Target("ratio_at_least", 0.5),
)
MEMORY = Row("resident memory", "idle", "MB", samples=(395.0,), target=Target("at_most", 600, "MB"))
README = f"# Title\n\nBefore the table.\n\n{START}\nold figures, typed by hand\n{END}\n\nAfter.\n"


def _report(tmp_path: Path, rows: tuple[Row, ...] = (SEARCH, MEMORY)) -> Path:
    report = Report(
        mode="full",
        started_at=datetime(2026, 12, 7, 23, 5, 1, tzinfo=UTC),
        duration_seconds=1234.4,
        machine=MACHINE,
        parameters={},
        rows=rows,
    )
    return write_json(report, tmp_path / "bench")


def test_section_names_the_run_and_holds_one_table_line_per_row(tmp_path: Path) -> None:
    generated = section(load_report(_report(tmp_path)))
    about, _, table = generated.partition("\n\n")

    assert "2026-12-07 23:05 UTC" in about
    assert "full mode, 1234 s" in about
    assert "commit `abc1234`" in about
    assert "Test CPU, 2 cores" in about
    assert "load average 0.31" in about
    lines = table.strip().splitlines()
    assert len(lines) == 4
    assert "431 req/s" in lines[2]
    assert "418–440" in lines[2]
    assert "812 (/healthz req/s)" in lines[2]
    assert lines[2].split("|")[-2].strip() == "pass"
    assert "395 MB" in lines[3]


def test_uncommitted_files_are_named_in_the_section(tmp_path: Path) -> None:
    dirty = MACHINE | {"code": {"commit": "abc1234", "uncommitted": ["a.py", "b.py"]}}
    path = _report(tmp_path)
    report = load_report(path) | {"machine": dirty}

    assert "commit `abc1234` plus 2 uncommitted files" in section(report)


def test_only_the_text_between_the_markers_is_replaced() -> None:
    written = replace_section(README, "new table\n")

    assert written.startswith("# Title\n\nBefore the table.\n\n")
    assert written.endswith("\n\nAfter.\n")
    assert "typed by hand" not in written
    assert current_section(written) == "new table\n"
    assert replace_section(written, "new table\n") == written


@pytest.mark.parametrize(
    "readme",
    [
        "# No markers at all\n",
        f"{START}\nonly the start\n",
        f"{START}\n{START}\ntwice\n{END}\n",
        f"{END}\nreversed\n{START}\n",
    ],
)
def test_a_readme_without_one_ordered_pair_of_markers_is_refused(readme: str) -> None:
    with pytest.raises(ReadmeSectionError):
        replace_section(readme, "table\n")


def test_a_file_that_is_not_a_report_is_refused_clearly(tmp_path: Path) -> None:
    broken, other = tmp_path / "broken.json", tmp_path / "other.json"
    broken.write_text("{not json", "utf-8")
    other.write_text('{"rows": 3}', "utf-8")

    with pytest.raises(ValueError, match="not a readable benchmark report"):
        load_report(broken)
    with pytest.raises(ValueError, match="no list of rows"):
        load_report(other)
    with pytest.raises(ValueError, match="run `impactoost bench` first"):
        newest_report(tmp_path / "empty")


def test_the_newest_report_is_the_last_by_its_timestamp_name(tmp_path: Path) -> None:
    folder = tmp_path / "bench"
    folder.mkdir()
    for name in ("20261207T090000Z.json", "20261207T230000Z.json", "20261201T230000Z.json"):
        (folder / name).write_text('{"rows": []}', "utf-8")

    assert newest_report(folder).name == "20261207T230000Z.json"


def test_the_command_writes_the_table_into_the_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, "utf-8")
    report = _report(tmp_path)

    result = CliRunner().invoke(app, ["bench-table", str(report), "--readme", str(readme)])

    assert result.exit_code == 0, result.output
    assert current_section(readme.read_text("utf-8")) == section(load_report(report))


def test_the_command_refuses_a_readme_without_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# nothing to replace\n", "utf-8")

    result = CliRunner().invoke(
        app, ["bench-table", str(_report(tmp_path)), "--readme", str(readme)]
    )

    assert result.exit_code != 0
    assert readme.read_text("utf-8") == "# nothing to replace\n"


def test_the_readme_shows_exactly_the_committed_last_run() -> None:
    """Hand edits of the README's figures fail here: regenerate with `make bench`."""
    report = load_report(ROOT / "docs" / "benchmarks" / "last-run.json")
    readme = (ROOT / "README.md").read_text("utf-8")

    assert current_section(readme) == section(report)
