"""The benchmarks in order, each on processes of its own; a benchmark that breaks becomes
`error` rows and the others still run."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from services.bench import rows
from services.bench.bare_pipeline import bare_pipeline
from services.bench.footprint import measure_memory
from services.bench.ingest import committed, events_sent, measure_ingest
from services.bench.jetstream import connect
from services.bench.latency import events_sent as latency_events_sent
from services.bench.latency import measure_latency
from services.bench.notifier import measure_notifier
from services.bench.plan import STEP_NAMES, Plan
from services.bench.progress import say
from services.bench.results import Row, failed_rows
from services.bench.scrape import measure_scrape
from services.bench.search_rows import SEARCH_FIGURES
from services.bench.search_step import search_benchmarks
from services.bench.stack import BENCH_INBOX, nats_server, service_processes
from services.bench.stages import stage_timings
from services.kit.postgres import local_postgres

Step = Callable[[Plan, Path], Awaitable[list[Row]]]


async def registry_on_sqlite(plan: Plan, folder: Path) -> list[Row]:
    """Registry and gateway: end-to-end latency first, beside the whole bare pipeline; then
    the gateway stops and the registry alone takes the ingest benchmark, beside stage 1."""
    database_url = f"sqlite:///{folder / 'registry.db'}"
    env = {"IMPACTOOST_DATABASE_URL": database_url}
    names = ["registry", "gateway"]
    bare_latency, bare_ingest = folder / "bare-latency", folder / "bare-ingest"
    async with (
        nats_server(folder) as server,
        service_processes(folder, server, names, env) as platform,
    ):
        client = await connect(server.url, BENCH_INBOX)
        try:
            js = client.jetstream()
            async with bare_pipeline(
                bare_latency, _sqlite(bare_latency, "bare"), _sqlite(bare_latency, "bare-read")
            ) as bare:
                latency = await measure_latency(plan, js, platform.gateway_url, bare)
            await asyncio.to_thread(platform.stop_service, "gateway")
            latency.stages = await asyncio.to_thread(stage_timings, latency.trips, folder / "logs")
            async with bare_pipeline(bare_ingest, _sqlite(bare_ingest, "bare")) as bare:
                ingest = await measure_ingest(plan, js, database_url, bare)
        finally:
            await client.close()
    expected = latency_events_sent(plan) + events_sent(plan)
    ingest.details |= await asyncio.to_thread(committed, database_url, expected)
    return [*rows.latency_rows(latency, plan), *rows.ingest_rows("SQLite", ingest, plan)]


def _sqlite(folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / name}.db"


async def registry_on_postgres(plan: Plan, folder: Path) -> list[Row]:
    """The registry alone on a local PostgreSQL 15 (durable settings: fsync on), beside
    stage 1 of the bare pipeline writing its own tables in the same database."""
    with local_postgres(fsync=True) as database_url:
        env = {"IMPACTOOST_DATABASE_URL": database_url}
        async with (
            nats_server(folder) as server,
            service_processes(folder, server, ["registry"], env),
            bare_pipeline(folder / "bare-ingest", database_url) as bare,
        ):
            client = await connect(server.url, BENCH_INBOX)
            try:
                ingest = await measure_ingest(plan, client.jetstream(), database_url, bare)
            finally:
                await client.close()
        ingest.details |= await asyncio.to_thread(committed, database_url, events_sent(plan))
    return rows.ingest_rows("PostgreSQL", ingest, plan)


async def scrape(plan: Plan, folder: Path) -> list[Row]:
    """The scraper's runs of four scaled demo registries, in this process (as `scrape all
    --once`), and a change in one of them to a running registry and gateway."""
    return rows.scrape_rows(await measure_scrape(plan, folder))


async def memory(plan: Plan, folder: Path) -> list[Row]:
    """`impactoost demo` as a whole."""
    return rows.memory_rows(await measure_memory(plan, folder))


async def notifier(plan: Plan, folder: Path) -> list[Row]:
    """The notifier alone, mailing welcomes into a local SMTP server (see bench.notifier)."""
    return rows.notifier_rows(await measure_notifier(plan, folder), plan)


STEPS: tuple[tuple[str, Step, list[tuple[str, str]]], ...] = (
    ("sqlite", registry_on_sqlite, [("latency p50 / p99", "ms"), ("SQLite ingest", "ev/s")]),
    ("postgresql", registry_on_postgres, [("PostgreSQL ingest", "ev/s")]),
    ("search", search_benchmarks, SEARCH_FIGURES),
    ("scrape", scrape, [("unchanged run, on the wire", "B")]),
    ("memory", memory, [("summed VmRSS", "MB")]),
    ("notifier", notifier, [("mails/s", "mails/s")]),
)


async def run_steps(plan: Plan, root: Path, only: set[str] | None = None) -> list[Row]:
    """Every step (or those named in `only`), one after the other."""
    results: list[Row] = []
    assert tuple(name for name, _, _ in STEPS) == STEP_NAMES
    for name, step, figures in STEPS:
        if only and name not in only:
            continue
        say(f"{name}: starting")
        try:
            results += await step(plan, root / name)
        except Exception as exc:
            say(f"{name}: FAILED: {exc!r}; logs in {root / name / 'logs'}")
            traceback.print_exc()
            results += failed_rows(name, figures, f"{type(exc).__name__}: {exc}")
    return results
