"""Resident memory of the whole embedded platform, exactly as `impactoost demo` runs it
(launcher with demo sites and mail sink, nats-server, the four services): idle after its
first scrape, and at its peak while label events are ingested and buyers search."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from contracts.subjects import LABELS_STREAM
from services.bench.ingest import to_labels
from services.bench.jetstream import connect, publish_all, wait_for_acks
from services.bench.memory import ProcessMemory, total_mb, tree_memory
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.queries import buyer_queries
from services.bench.synthetic import label_granted
from services.bench.wrk_load import run_wrk
from services.kit.nats_credentials import password_file
from services.kit.nats_users import ADMIN
from services.kit.processes import free_port

IDLE_SAMPLES = 5
SAMPLE_SECONDS = 0.25
SETTLE_SECONDS = 1.0
# More distinct searches than the demo's gateway answers in one load, so none repeats.
SEARCHES_PER_LOAD = 20_000
_NATS_LINE = re.compile(r"NATS \(JetStream\):\s+(nats://\S+)")


@dataclass
class MemoryFigures:
    """Summed RSS in MB: idle samples, and the peak of each ingest repetition."""

    idle: list[float] = field(default_factory=list)
    under_ingest: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Demo:
    """A running `impactoost demo`."""

    process: asyncio.subprocess.Process
    gateway_url: str
    nats_url: str


async def measure_memory(plan: Plan, folder: Path) -> MemoryFigures:
    """Start the demo, let its first scrape settle and sample it; then ingest and sample."""
    figures = MemoryFigures()
    async with running_demo(folder) as demo:
        await _wait_until_idle(demo.gateway_url)
        for _ in range(IDLE_SAMPLES):
            figures.idle.append(total_mb(tree_memory(demo.process.pid)))
            await asyncio.sleep(0.5)
        say(f"memory: idle {figures.idle[-1]:.0f} MB")
        idle = tree_memory(demo.process.pid)
        peak = await _ingest_peaks(plan, demo, folder, figures.under_ingest)
    figures.details = {
        "idle_by_process_mb": _by_process(idle),
        "peak_by_process_mb": _by_process(peak),
        "events_per_repetition": plan.memory_ingest_events,
    }
    return figures


async def _ingest_peaks(
    plan: Plan, demo: Demo, folder: Path, peaks: list[float]
) -> list[ProcessMemory]:
    """Per repetition, publish label events into the demo while `wrk` loads its gateway with
    uncached buyer searches, and keep the largest sample taken until the registry acked them
    all and the searches ended (and a little after, while the others catch up); appends each
    repetition's peak to `peaks` and returns the largest one's processes."""
    from services.registry.subscribers import DURABLE

    highest: list[ProcessMemory] = []
    searches = buyer_queries(plan.search_seed + 1, SEARCHES_PER_LOAD * plan.repetitions)
    # As the demo's users: the scraper's publishes label events; the operator's `admin`
    # reads how far the registry's durable has acked.
    publisher = await connect(_as_user(demo, folder, "scraper"), "_INBOX_scraper")
    client = await connect(_as_user(demo, folder, ADMIN), f"_INBOX_{ADMIN}")
    try:
        js, publishing = client.jetstream(), publisher.jetstream()
        for rep in range(plan.repetitions):
            events = [label_granted(f"m{rep}", i) for i in range(plan.memory_ingest_events)]
            sampler = asyncio.create_task(_sample_peak(demo.process.pid))
            load = asyncio.create_task(
                run_wrk(
                    demo.gateway_url,
                    searches[rep * SEARCHES_PER_LOAD : (rep + 1) * SEARCHES_PER_LOAD],
                    folder / f"search-load-{rep + 1}",
                    seconds=plan.search_seconds,
                    connections=plan.search_clients,
                )
            )
            last = await publish_all(publishing, to_labels(events))
            await wait_for_acks(js, LABELS_STREAM.name, DURABLE, last, 900)
            searched = await load
            await asyncio.sleep(SETTLE_SECONDS)
            sampler.cancel()
            if searched.errors:
                raise RuntimeError(f"{searched.errors} searches failed under load")
            peak = await _result(sampler)
            peaks.append(total_mb(peak))
            highest = max(highest, peak, key=total_mb)
            say(f"memory: ingest repetition {rep + 1}: peak {peaks[-1]:.0f} MB")
    finally:
        await client.close()
        await publisher.close()
    return highest


def _as_user(demo: Demo, folder: Path, user: str) -> str:
    """The demo's NATS URL as `user`, whose password the demo made into its data folder."""
    password = password_file(folder / "secrets", user).read_text("utf-8").strip()
    return demo.nats_url.replace("nats://", f"nats://{user}:{password}@", 1)


@contextlib.asynccontextmanager
async def running_demo(folder: Path) -> AsyncIterator[Demo]:
    """`impactoost demo` as a child process; stopped with SIGTERM (it then stops everything
    it started), killed only if that takes over a minute."""
    port = free_port()
    env = {
        **os.environ,
        "IMPACTOOST_DEMO_STEP_SECONDS": "0",
        "IMPACTOOST_SCRAPE_REQUEST_RATE": "50",
        "IMPACTOOST_PDOK_BASE_URL": "",
    }
    command = ["-m", "services.cli", "demo", "--data-dir", str(folder), "--port", str(port)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *command, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        nats_url = await _announced_nats_url(process)
        yield Demo(process, f"http://127.0.0.1:{port}", nats_url)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _announced_nats_url(process: asyncio.subprocess.Process) -> str:
    """Read the demo's start-up lines until it names its nats-server."""
    assert process.stdout is not None
    async with asyncio.timeout(120):
        while line := await process.stdout.readline():
            found = _NATS_LINE.search(line.decode(errors="replace"))
            if found:
                return found.group(1)
    raise RuntimeError(f"impactoost demo exited (code {process.returncode}) before starting")


async def _wait_until_idle(gateway_url: str) -> None:
    """Until every registry was scraped once and the read model stopped changing."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=5) as http, asyncio.timeout(180):
        while True:
            sources = (await http.get("/api/v1/sources")).json()["items"]
            if all(s["last_success_at"] for s in sources):
                break
            await asyncio.sleep(0.5)
        previous = None
        while True:
            processed = (await http.get("/healthz")).json()["events_processed"]
            if processed == previous:
                return
            previous = processed
            await asyncio.sleep(SETTLE_SECONDS)


async def _sample_peak(root: int) -> list[ProcessMemory]:
    """Sample the tree until cancelled; the largest sample is the result."""
    peak: list[ProcessMemory] = []
    try:
        while True:
            sample = await asyncio.to_thread(tree_memory, root)
            if total_mb(sample) > total_mb(peak):
                peak = sample
            await asyncio.sleep(SAMPLE_SECONDS)
    except asyncio.CancelledError:
        return peak


async def _result(task: asyncio.Task[list[ProcessMemory]]) -> list[ProcessMemory]:
    with contextlib.suppress(asyncio.CancelledError):
        return await task
    return []


def _by_process(processes: list[ProcessMemory]) -> dict[str, float]:
    return {f"{p.label} [{p.pid}]": round(p.rss_mb, 1) for p in processes}
