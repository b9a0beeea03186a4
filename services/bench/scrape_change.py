"""From a change in a registry to the buyers' page: a holding lapses (gone from the PSO
register), then returns, with the scraper reading the register and publishing to a running
registry and gateway (own nats-server, `impactoost serve` processes).

Measured from the start of the run that publishes the change until the gateway's API answers
the enterprise as gone (410) or listed again (200). The runs go at the bench's rate; at the
configured polite rate a run of 2,000 holdings takes minutes, which scrape_cost.py adds from
its request count instead of waiting for it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from contracts.labels import LabelEvent, LabelName
from services.bench.jetstream import connect
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.scrape_runs import scrape_label
from services.bench.stack import BENCH_INBOX, nats_server, service_processes, wait_for_feed

POLL_SECONDS = 0.02
VISIBLE_TIMEOUT = 120.0
SETTLE_TIMEOUT = 300.0
CHANGED_SET = "bench-changed"


@dataclass(frozen=True)
class ChangeTrip:
    """One change as the benchmark saw it (seconds at the bench's rate)."""

    kind: str
    holding_id: str
    runs_needed: int
    run_requests: int
    run_seconds: float
    visible_seconds: float
    first_changed_request: int | None

    @property
    def pipeline_seconds(self) -> float:
        """From the end of the publishing run (its events published) to visible in the API."""
        return max(0.0, self.visible_seconds - self.run_seconds)


async def measure_changes(plan: Plan, folder: Path, site: Any) -> list[ChangeTrip]:
    """Per repetition one holding of the PSO register lapses and returns."""
    from services.registry.enterprise import new_enterprise_id

    trips: list[ChangeTrip] = []
    env = {"IMPACTOOST_DATABASE_URL": f"sqlite:///{folder / 'registry.db'}"}
    async with (
        nats_server(folder) as server,
        service_processes(folder, server, ["registry", "gateway"], env) as platform,
        httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as http,
    ):
        await wait_for_feed(platform.gateway_url)
        sites: dict[LabelName, Any] = {"pso": site}
        await scrape_label(server.url_for("scraper"), sites, folder, "pso")
        await _settled(server.url)
        full = site.entries("A")
        for rep in range(plan.scrape_repetitions):
            index, holding_id = await _listed_holding(http, site, full, rep)
            path = f"/api/v1/enterprises/{new_enterprise_id('pso', holding_id)}"
            site.define_page_set(CHANGED_SET, full[:index] + full[index + 1 :])
            site.use(CHANGED_SET)
            run = _Runner(server.url_for("scraper"), sites, folder, http, path, holding_id)
            trips.append(await run.until_visible("lapse", 410))
            site.use("A")
            trips.append(await run.until_visible("return", 200))
            say(f"scrape: change {rep + 1}: " + ", ".join(_trip_text(t) for t in trips[-2:]))
    return trips


def _trip_text(trip: ChangeTrip) -> str:
    return (
        f"{trip.kind} visible {trip.visible_seconds:.2f} s after the start of run "
        f"{trip.runs_needed} ({trip.run_seconds:.2f} s run)"
    )


@dataclass
class _Runner:
    nats_url: str
    sites: dict[LabelName, Any]
    folder: Path
    http: httpx.AsyncClient
    path: str
    holding_id: str

    async def until_visible(self, kind: str, status: int, max_runs: int = 5) -> ChangeTrip:
        """Runs until one publishes the change; the time from that run's start to `status`."""
        first_changed: int | None = None
        for number in range(1, max_runs + 1):
            began = time.perf_counter()
            watcher = asyncio.create_task(self._status(status, began))
            try:
                run, outcome = await scrape_label(self.nats_url, self.sites, self.folder, "pso")
                if number == 1:
                    first_changed = _first_full_answer(self.sites["pso"].requests)
                if not any(_holding_of(e) == self.holding_id for e in outcome.events):
                    continue
                visible = await asyncio.wait_for(watcher, VISIBLE_TIMEOUT)
            finally:
                watcher.cancel()
            return ChangeTrip(
                kind, self.holding_id, number, run.requests, run.seconds, visible, first_changed
            )
        raise RuntimeError(f"{kind} of {self.holding_id} not published within {max_runs} runs")

    async def _status(self, status: int, began: float) -> float:
        while True:
            if (await self.http.get(self.path)).status_code == status:
                return time.perf_counter() - began
            await asyncio.sleep(POLL_SECONDS)


def _holding_of(event: LabelEvent) -> str:
    observation = getattr(event, "observation", None)
    return str(getattr(event, "holding_id", None) or getattr(observation, "holding_id", ""))


def _first_full_answer(requests: Any) -> int | None:
    """The position (1-based, robots.txt included) of the run's first request answered in
    full: where the register first shows the change."""
    return next((i for i, r in enumerate(requests, start=1) if r.status == 200 and i > 1), None)


async def _listed_holding(
    http: httpx.AsyncClient, site: Any, entries: list[dict[str, Any]], rep: int
) -> tuple[int, str]:
    """A counting certificate from the middle of the register whose enterprise is listed."""
    from services.demo.sites.pso import certificate
    from services.registry.enterprise import new_enterprise_id

    for index in range(len(entries) // 2 + 7 * rep, len(entries)):
        number = certificate(entries[index], site.today).number
        answer = await http.get(f"/api/v1/enterprises/{new_enterprise_id('pso', number)}")
        if answer.status_code == 200:
            return index, number
    raise RuntimeError("no listed enterprise in the second half of the PSO register")


async def _settled(nats_url: str) -> None:
    """Wait, three polls in a row, until no consumer holds unacknowledged messages and none
    that is pulling has any pending: the first run's events have all reached the gateway.
    (A durable of a service not running here pulls nothing and is left out.)"""
    client = await connect(nats_url, BENCH_INBOX)
    try:
        js = client.jetstream()
        deadline, quiet = time.perf_counter() + SETTLE_TIMEOUT, 0
        while quiet < 3:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the pipeline did not settle within {SETTLE_TIMEOUT:.0f}s")
            busy = False
            for stream in await js.streams_info():
                for info in await js.consumers_info(str(stream.config.name)):
                    pulling = bool(info.num_waiting)
                    if info.num_ack_pending or (pulling and info.num_pending):
                        busy = True
            quiet = 0 if busy else quiet + 1
            await asyncio.sleep(0.2)
    finally:
        await client.close()
