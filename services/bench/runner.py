"""`impactoost bench`: run the benchmarks, print the table, write the JSON report."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.bench.machine import code_version, describe_machine, summary_line
from services.bench.plan import FULL, QUICK, Plan
from services.bench.progress import say
from services.bench.report import Report, markdown_table, problems, write_json
from services.bench.results import Row
from services.bench.suite import run_steps

INTERRUPTED = 130


def run_bench(quick: bool, only: set[str] | None = None, copy_to: Path | None = None) -> int:
    """Run every benchmark (or those in `only`); 0 when all ran, 1 when one broke, 130 on
    Ctrl-C. Missed targets are reported in the table, not in the exit code. A run where every
    benchmark ran is also written to `copy_to` (the README's table is generated from it)."""
    from services.kit.logging import configure_logging
    from services.kit.settings import KitSettings, load_settings

    data_dir = load_settings(KitSettings).data_dir.resolve()
    dropped = isolate_environment()
    cache_bytecode(data_dir / "bench" / "pycache")
    configure_logging("console", "error")
    plan = QUICK if quick else FULL
    root = Path(tempfile.mkdtemp(prefix="impactoost-bench-"))
    started, began = datetime.now(UTC), time.perf_counter()
    machine = describe_machine() | {
        "load_average_at_start": os.getloadavg(),
        "code": code_version(Path(__file__).resolve().parents[2]),
    }
    say(f"impactoost bench ({plan.mode}) on {summary_line(machine)}; work folder {root}")
    rows = _run(plan, root, only)
    if rows is None:
        return INTERRUPTED
    machine["load_average_at_end"] = os.getloadavg()
    report = Report(
        mode=plan.mode,
        started_at=started,
        duration_seconds=time.perf_counter() - began,
        machine=machine,
        parameters=plan.parameters(),
        rows=tuple(rows),
        notes=tuple(_notes(plan, dropped)),
    )
    written = write_json(report, data_dir / "bench")
    _print(report, rows, written)
    if problems(rows):
        say(f"logs of the broken benchmarks are kept in {root}")
        return 1
    if copy_to is not None:
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(written, copy_to)
        say(f"report copied to {copy_to}")
    shutil.rmtree(root, ignore_errors=True)
    return 0


def _run(plan: Plan, root: Path, only: set[str] | None) -> list[Row] | None:
    """The rows, or None after Ctrl-C / SIGTERM (every process stopped by then)."""
    # A shell starting us in the background ignores SIGINT: restore Ctrl-C so asyncio's
    # runner can turn it into cancelling the run, and so into stopping every process.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return asyncio.run(_cancel_on_sigterm(run_steps(plan, root, only)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("interrupted: every process the benchmarks started has been stopped")
        shutil.rmtree(root, ignore_errors=True)
        return None


def isolate_environment() -> list[str]:
    """Drop every IMPACTOOST_ variable from this process (and so from every child): the
    benchmarks set what they need, and a developer's own settings must not change them."""
    dropped = sorted(name for name in os.environ if name.startswith("IMPACTOOST_"))
    for name in dropped:
        del os.environ[name]
    return dropped


def cache_bytecode(folder: Path) -> None:
    """Let every child process keep compiled bytecode in `folder` (never beside the sources),
    even where PYTHONDONTWRITEBYTECODE is set: otherwise each service start recompiles every
    module it imports, which takes seconds per process and is no part of any figure."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)


async def _cancel_on_sigterm(work: Coroutine[Any, Any, list[Row]]) -> list[Row]:
    """SIGTERM cancels the run like Ctrl-C does, so every context stops its processes."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await work


def _notes(plan: Plan, dropped: list[str]) -> list[str]:
    notes = [
        "ratio = median of the figure / median of its baseline, both from this run",
        "ingest: the registry runs alone, each event timed from the first publish until the "
        "registry's durable consumer acked it (acks follow the commit of state, processed id "
        "and outbox row)",
        "ingest and latency baselines: the bare pipeline (plain nats-py and database driver, "
        "two hops, two commits, a bare ASGI endpoint) on its own authenticated nats-server, "
        "measured in the same repetitions",
        "latency: registry and gateway on SQLite (the notifier is not on the measured path)",
        "search: the read model is bulk-filled through the gateway's own tables, not by "
        "replaying events (setup speed); load from wrk in its own process; uncached searches "
        "are seeded buyer queries, none asked twice",
        "scrape: the scraper runs in this process at 50 requests/s against the local demo "
        "registries; bytes do not depend on the rate",
        "memory: `impactoost demo` with IMPACTOOST_SCRAPE_REQUEST_RATE=50, summed VmRSS",
        "child processes keep their bytecode in <data dir>/bench/pycache (start-up speed)",
    ]
    if plan.mode == "quick":
        notes.append("quick run: fewer events, a smaller read model and shorter loads")
    if dropped:
        notes.append(f"ignored from the environment: {', '.join(dropped)}")
    return notes


def _print(report: Report, rows: list[Row], path: Path) -> None:
    print(markdown_table(rows), flush=True)
    print(f"\nMachine: {summary_line(report.machine)}")
    load = ", ".join(f"{v:.2f}" for v in report.machine["load_average_at_start"])
    print(f"Load average at start: {load}")
    code = report.machine["code"]
    changed = f", {len(code['uncommitted'])} uncommitted files" if code["uncommitted"] else ""
    print(f"Code: commit {code['commit']}{changed}")
    print(f"Mode: {report.mode}, {report.duration_seconds:.0f} s; JSON: {path}")
    for line in problems(rows):
        print(f"error: {line}")
