"""The benchmarks in order, each on processes of its own; a benchmark that breaks becomes
`error` rows and the others still run."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from services.bench import rows
from services.bench.footprint import measure_memory
from services.bench.ingest import committed, events_sent, measure_ingest
from services.bench.jetstream import connect
from services.bench.latency import events_sent as latency_events_sent
from services.bench.latency import measure_latency
from services.bench.notifier import measure_notifier
from services.bench.plan import STEP_NAMES, Plan
from services.bench.progress import say
from services.bench.read_model_fill import fill_read_model
from services.bench.results import Row, failed_rows
from services.bench.scrape import measure_scrape
from services.bench.search import measure_search
from services.bench.stack import nats_server, service_processes
from services.bench.stages import stage_timings
from services.kit.postgres import local_postgres

Step = Callable[[Plan, Path], Awaitable[list[Row]]]


async def registry_on_sqlite(plan: Plan, folder: Path) -> list[Row]:
    """Registry and gateway: end-to-end latency first; then the gateway stops and the
    registry alone takes the ingest benchmark."""
    database_url = f"sqlite:///{folder / 'registry.db'}"
    env = {"IMPACTOOST_DATABASE_URL": database_url}
    names = ["registry", "gateway"]
    async with (
        nats_server(folder) as server,
        service_processes(folder, server.url, names, env) as platform,
    ):
        client = await connect(server.url)
        try:
            js = client.jetstream()
            latency = await measure_latency(plan, js, platform.gateway_url)
            await asyncio.to_thread(platform.stop_service, "gateway")
            latency.stages = await asyncio.to_thread(stage_timings, latency.trips, folder / "logs")
            ingest = await measure_ingest(plan, js, server.url, database_url)
        finally:
            await client.close()
    expected = latency_events_sent(plan) + events_sent(plan)
    ingest.details = await asyncio.to_thread(committed, database_url, expected)
    return [*rows.latency_rows(latency, plan), *rows.ingest_rows("SQLite", ingest, plan)]


async def registry_on_postgres(plan: Plan, folder: Path) -> list[Row]:
    """The registry alone on a local PostgreSQL 15 (durable settings: fsync on)."""
    with local_postgres(fsync=True) as database_url:
        env = {"IMPACTOOST_DATABASE_URL": database_url}
        async with (
            nats_server(folder) as server,
            service_processes(folder, server.url, ["registry"], env),
        ):
            client = await connect(server.url)
            try:
                ingest = await measure_ingest(plan, client.jetstream(), server.url, database_url)
            finally:
                await client.close()
        ingest.details = await asyncio.to_thread(committed, database_url, events_sent(plan))
    return rows.ingest_rows("PostgreSQL", ingest, plan)


async def gateway_search(plan: Plan, folder: Path) -> list[Row]:
    """The gateway alone on a read model of `plan.search_enterprises` synthetic enterprises."""
    database = folder / "read-model.db"
    say(f"search: filling the read model with {plan.search_enterprises:,} enterprises")
    await asyncio.to_thread(fill_read_model, database, plan.search_enterprises)
    env = {"IMPACTOOST_GATEWAY_DATABASE_URL": f"sqlite:///{database}"}
    async with (
        nats_server(folder) as server,
        service_processes(folder, server.url, ["gateway"], env) as platform,
    ):
        figures = await measure_search(plan, platform.gateway_url)
    return rows.search_rows(figures, plan)


async def scrape(plan: Plan, folder: Path) -> list[Row]:
    """The scraper's runs of the demo registries, in this process (as `scrape all --once`)."""
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
    ("search", gateway_search, [("search requests/s", "req/s")]),
    ("scrape", scrape, [("second run bytes", "B")]),
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
