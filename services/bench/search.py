"""Gateway search under load from wrk: `/healthz`, cached searches and uncached searches, each
a load of its own per repetition, against one gateway serving a filled read model."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.queries import CACHED, SEARCH_PATH, buyer_queries
from services.bench.wrk_load import WrkResult, run_wrk

HEALTH = ("/healthz",)
# A buyer query is checked to answer 200 before the loads; these are never part of a load.
CHECKED = 20


@dataclass
class SearchFigures:
    """One gateway's loads, per repetition: `/healthz`, cached and uncached searches."""

    backend: str
    enterprises: int
    health: list[WrkResult] = field(default_factory=list)
    cached: list[WrkResult] = field(default_factory=list)
    uncached: list[WrkResult] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def uncached_per_load(plan: Plan) -> int:
    """Buyer queries one uncached load may take: more than the gateway can answer in it."""
    return int(plan.search_max_rate * plan.search_seconds)


def search_queries(plan: Plan) -> list[str]:
    """Every buyer query of a run: those checked first, then each repetition's own slice."""
    return buyer_queries(plan.search_seed, CHECKED + plan.repetitions * uncached_per_load(plan))


async def measure_search(
    plan: Plan, gateway_url: str, folder: Path, figures: SearchFigures, queries: list[str]
) -> None:
    """Wait for the gateway to serve every enterprise, check the queries answer, then load it."""
    waited = await wait_until_serving(gateway_url, figures.enterprises, plan.search_ready_seconds)
    checked, walk = queries[:CHECKED], queries[CHECKED:]
    await check_answers(gateway_url, [*CACHED, *checked])
    await _load(plan, gateway_url, folder / "warm-up", [*HEALTH, *CACHED], seconds=1)
    per_load = uncached_per_load(plan)
    for rep in range(plan.repetitions):
        where = folder / f"repetition-{rep + 1}"
        figures.health.append(await _load(plan, gateway_url, where / "health", HEALTH))
        figures.cached.append(await _load(plan, gateway_url, where / "cached", CACHED))
        mine = walk[rep * per_load : (rep + 1) * per_load]
        figures.uncached.append(await _load(plan, gateway_url, where / "uncached", mine))
        say(
            f"search: {figures.backend}, {figures.enterprises:,}: repetition {rep + 1}: "
            f"{figures.uncached[-1].per_second:.1f} uncached searches/s"
        )
    figures.details |= {"ready_after_seconds": round(waited, 1), "queries_checked": CHECKED}


async def _load(
    plan: Plan, url: str, folder: Path, paths: list[str] | tuple[str, ...], seconds: int = 0
) -> WrkResult:
    return await run_wrk(
        url,
        paths,
        folder,
        seconds=seconds or plan.search_seconds,
        connections=plan.search_clients,
        threads=plan.search_threads,
    )


async def wait_until_serving(gateway_url: str, enterprises: int, within: float) -> float:
    """Seconds until a search counts all `enterprises` (the gateway may build what it
    searches with at start); a clear error when it does not within `within` seconds."""
    began = time.perf_counter()
    total = None
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        while time.perf_counter() - began < within:
            try:
                response = await http.get(SEARCH_PATH, params={"page_size": 1})
                if response.status_code == 200:
                    total = response.json()["total"]
                    if total == enterprises:
                        return time.perf_counter() - began
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(
        f"the gateway did not serve {enterprises:,} enterprises within {within:g} s "
        f"(its search counted {total})"
    )


async def check_answers(gateway_url: str, paths: list[str]) -> None:
    """Each path must answer 200: a load of error answers would measure nothing."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=120) as http:
        for path in paths:
            response = await http.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")
