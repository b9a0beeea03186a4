"""The search benchmark's step: for each database and read model size, fill the gateway's
tables, start the gateway alone on them, and load it (see search.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.read_model_fill import fill_read_model
from services.bench.results import Row, failed_rows
from services.bench.search import SearchFigures, measure_search, search_queries
from services.bench.search_rows import SEARCH_FIGURES, search_benchmark
from services.bench.search_rows import search_rows as figure_rows
from services.bench.stack import nats_server, service_processes
from services.bench.wrk_load import wrk_path
from services.kit.postgres import local_postgres

BACKENDS = ("SQLite", "PostgreSQL")


async def search_benchmarks(plan: Plan, folder: Path) -> list[Row]:
    """Rows of every backend and size; one that breaks becomes error rows, the others run."""
    wrk_path()
    queries = await asyncio.to_thread(search_queries, plan)
    results: list[Row] = []
    for backend in BACKENDS:
        for count in plan.search_sizes:
            where = folder / f"{backend.lower()}-{count}"
            try:
                figures = await search_on(plan, backend, count, where, queries)
                results += figure_rows(figures, plan)
            except Exception as exc:
                say(f"search: {backend}, {count:,}: FAILED: {exc!r}; logs in {where / 'logs'}")
                benchmark = search_benchmark(backend, count)
                results += failed_rows(benchmark, SEARCH_FIGURES, f"{type(exc).__name__}: {exc}")
    return results


async def search_on(
    plan: Plan, backend: str, count: int, folder: Path, queries: list[str]
) -> SearchFigures:
    """Fill a read model of `count` enterprises on `backend`, then serve and load it."""
    figures = SearchFigures(backend, count)
    with _database(backend, folder) as database_url:
        say(f"search: filling {backend} with {count:,} enterprises")
        began = time.perf_counter()
        await asyncio.to_thread(fill_read_model, database_url, count)
        figures.details["fill_seconds"] = round(time.perf_counter() - began, 1)
        env = {"IMPACTOOST_GATEWAY_DATABASE_URL": database_url}
        async with (
            nats_server(folder) as server,
            service_processes(folder, server, ["gateway"], env) as platform,
        ):
            await measure_search(plan, platform.gateway_url, folder / "wrk", figures, queries)
    return figures


@contextlib.contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh database's URL: a SQLite file in `folder`, or a local PostgreSQL (fsync on)."""
    if backend == "SQLite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'read-model.db'}"
        return
    with local_postgres(fsync=True) as url:
        yield url
