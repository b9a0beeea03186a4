"""Gateway search: requests/s and p99 of text + facet queries from concurrent clients, against
the same server's `/healthz`, on a read model of synthetic enterprises."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.stats import percentile

# Text and facet queries a buyer makes: words of names, places, themes and what is offered,
# label, place, category and delivery-area filters, a second page. Each answer carries the
# total and all six facets.
SEARCHES: tuple[str, ...] = (
    "/api/v1/enterprises?q=kringloop",
    "/api/v1/enterprises?q=catering&label=pso",
    "/api/v1/enterprises?province=Gelderland&label=cedris",
    "/api/v1/enterprises?q=groenonderhoud%20arnhem",
    "/api/v1/enterprises?region=Twente&q=schoonmaak&page=2",
    "/api/v1/enterprises?municipality=Zwolle&label=senl&label=codeso",
    "/api/v1/enterprises?q=koffiebranderij&province=Overijssel",
    "/api/v1/enterprises?label=pso",
    "/api/v1/enterprises?category=catering&category=schoonmaak&delivery_area=Twente",
    "/api/v1/enterprises?q=horeca%20twente",
)
HEALTH: tuple[str, ...] = ("/healthz",)


@dataclass(frozen=True)
class Load:
    """What one timed load produced."""

    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def per_second(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.errors) / self.seconds

    @property
    def p99_ms(self) -> float:
        """99th percentile latency."""
        return percentile(self.latencies_ms, 0.99)


@dataclass
class SearchFigures:
    """Requests/s and p99 per repetition, for the searches and for `/healthz`."""

    search_rps: list[float] = field(default_factory=list)
    search_p99: list[float] = field(default_factory=list)
    health_rps: list[float] = field(default_factory=list)
    health_p99: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


async def measure_search(plan: Plan, gateway_url: str) -> SearchFigures:
    """Alternate `/healthz` and search loads, `plan.search_seconds` each, per repetition."""
    figures = SearchFigures()
    limits = httpx.Limits(max_connections=plan.search_clients)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60, limits=limits) as http:
        totals = {path: (await http.get(path)).json()["total"] for path in SEARCHES}
        await _load(http, HEALTH + SEARCHES, plan.search_clients, 1.0)  # warm-up
        errors = 0
        for rep in range(plan.repetitions):
            health = await _load(http, HEALTH, plan.search_clients, plan.search_seconds)
            search = await _load(http, SEARCHES, plan.search_clients, plan.search_seconds)
            figures.health_rps.append(health.per_second)
            figures.health_p99.append(health.p99_ms)
            figures.search_rps.append(search.per_second)
            figures.search_p99.append(search.p99_ms)
            errors += health.errors + search.errors
            say(f"search: repetition {rep + 1}: {search.per_second:.1f} searches/s")
    if errors:
        raise RuntimeError(f"{errors} requests failed during the search benchmark")
    figures.details = {"totals_per_query": totals, "clients": plan.search_clients}
    return figures


async def _load(
    http: httpx.AsyncClient, paths: Sequence[str], clients: int, seconds: float
) -> Load:
    """`clients` concurrent clients, each requesting the paths in turn, for `seconds`."""
    latencies: list[float] = []
    errors = 0
    began = time.perf_counter()
    deadline = began + seconds

    async def client(offset: int) -> None:
        nonlocal errors
        turn = offset
        while time.perf_counter() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            sent = time.perf_counter()
            response = await http.get(path)
            latencies.append((time.perf_counter() - sent) * 1000)
            errors += response.status_code != 200

    await asyncio.gather(*(client(i) for i in range(clients)))
    return Load(len(latencies), errors, time.perf_counter() - began, tuple(latencies))
