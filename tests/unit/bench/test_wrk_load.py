"""Reading wrk's output and the cost of the client, from a run captured from wrk 4.1."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from services.bench.wrk_load import lua_script, parse_output, run_wrk, wrk_path

pytestmark = pytest.mark.unit

CAPTURED = (Path(__file__).parent / "data" / "wrk-output.txt").read_text(encoding="utf-8")


def test_the_figures_are_read_from_the_result_line_of_a_real_run() -> None:
    result = parse_output(CAPTURED)

    assert result.requests == 2197
    assert result.seconds == pytest.approx(2.010388)
    assert (result.p50_ms, result.p99_ms, result.max_ms) == (3.051, 15.417, 29.855)
    assert result.status_errors == 733 and result.errors == 733
    assert result.repeated == 732
    assert result.per_second == pytest.approx((2197 - 733) / 2.010388)


def test_socket_errors_and_time_outs_count_as_errors() -> None:
    line = (
        'WRK_RESULT {"duration_us": 1000000, "requests": 10, "connect": 1, "read": 2, '
        '"write": 3, "status": 0, "timeout": 4, "p50_us": 1, "p99_us": 2, "max_us": 3, '
        '"repeated": 0}'
    )
    result = parse_output(f"Running 1s test\n{line}\n")

    assert (result.socket_errors, result.timeouts, result.errors) == (6, 4, 10)


def test_output_without_a_result_line_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="no result line"):
        parse_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_client_is_busy_in_proportion_to_its_cpu_time_per_thread() -> None:
    result = parse_output(CAPTURED)

    assert replace(result, client_cpu_seconds=0.9, client_wall_seconds=1.0).client_busy == 0.9
    busy = replace(result, client_cpu_seconds=0.9, client_wall_seconds=1.0, threads=2)
    assert busy.client_busy == pytest.approx(0.45)
    assert result.details()["client_cpu_share"] == 0.0


def test_the_script_gives_each_thread_its_own_slice_of_the_paths_file() -> None:
    script = lua_script(Path("/tmp/run/paths.txt"), threads=2)

    assert 'io.lines("/tmp/run/paths.txt")' in script
    assert "local thread_count = 2" in script
    assert "line_number % thread_count == id" in script


def test_a_paths_file_name_lua_cannot_quote_is_refused() -> None:
    with pytest.raises(ValueError, match="quoted"):
        lua_script(Path('/tmp/a"b/paths.txt'), threads=1)


def test_a_missing_wrk_is_named_with_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(RuntimeError, match="make system-deps"):
        wrk_path()


def test_a_load_of_part_of_a_second_is_refused_as_wrk_counts_whole_seconds() -> None:
    with pytest.raises(ValueError, match="whole seconds"):
        asyncio.run(
            run_wrk("http://127.0.0.1:1", ["/"], Path("unused"), seconds=1.5, connections=1)
        )
