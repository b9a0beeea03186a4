"""Resident memory of the whole embedded platform, exactly as `impactoost demo` runs it
(launcher with demo sites and mail sink, nats-server, the four services): idle after its
first scrape, and at its peak while label events are ingested."""

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
from services.bench.synthetic import label_granted
from services.kit.processes import free_port

IDLE_SAMPLES = 5
SAMPLE_SECONDS = 0.25
SETTLE_SECONDS = 1.0
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
        peak = await _ingest_peaks(plan, demo, figures.under_ingest)
    figures.details = {
        "idle_by_process_mb": _by_process(idle),
        "peak_by_process_mb": _by_process(peak),
        "events_per_repetition": plan.memory_ingest_events,
    }
    return figures


async def _ingest_peaks(plan: Plan, demo: Demo, peaks: list[float]) -> list[ProcessMemory]:
    """Per repetition, publish label events into the demo and keep the largest sample taken
    until the registry acked them all (and a little after, while the others catch up);
    appends each repetition's peak to `peaks` and returns the largest one's processes."""
    from services.registry.subscribers import DURABLE

    highest: list[ProcessMemory] = []
    client = await connect(demo.nats_url)
    try:
        js = client.jetstream()
        for rep in range(plan.repetitions):
            events = [label_granted(f"m{rep}", i) for i in range(plan.memory_ingest_events)]
            sampler = asyncio.create_task(_sample_peak(demo.process.pid))
            last = await publish_all(js, to_labels(events))
            await wait_for_acks(js, LABELS_STREAM.name, DURABLE, last, 900)
            await asyncio.sleep(SETTLE_SECONDS)
            sampler.cancel()
            peak = await _result(sampler)
            peaks.append(total_mb(peak))
            highest = max(highest, peak, key=total_mb)
            say(f"memory: ingest repetition {rep + 1}: peak {peaks[-1]:.0f} MB")
    finally:
        await client.close()
    return highest


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
