"""The bare pipeline, the ingest and latency benchmarks' baseline: the platform's two
JetStream hops and two database commits with plain nats-py and the plain database driver,
no domain logic, read back through a minimal ASGI endpoint.

It runs beside the platform in the same benchmark, on an authenticated nats-server of its
own (bare_nats.py): stage 1 (bare_stages, registry-like) always, stage 2 (gateway-like) and
the endpoint (bare_endpoint) when a read database is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.labels import LabelGranted
from services.bench.bare_nats import (
    BENCH,
    LABELS,
    STAGE_ONE,
    STAGE_ONE_DURABLE,
    STAGE_TWO,
    STAGE_TWO_DURABLE,
    THINGS,
    BareNats,
    bare_nats,
    label_subject,
)
from services.bench.bare_store import STAGE_ONE_TABLES, BareStore, Database
from services.bench.jetstream import Message
from services.kit.nats_access import connect
from services.kit.nats_users import ServiceUser
from services.kit.processes import free_port
from services.kit.streams import stream_config

START_SECONDS = 60.0
STOP_SECONDS = 5.0
PROBE_SECONDS = 0.05


@dataclass(frozen=True)
class BarePipeline:
    """A running bare pipeline: the benchmark's JetStream context on its server (as its
    own user), and the endpoint's base URL ("" when only stage 1 runs)."""

    js: JetStreamContext
    endpoint_url: str
    database_url: str
    stream: str = LABELS.name
    durable: str = STAGE_ONE_DURABLE

    def committed(self, expected: int) -> dict[str, int]:
        """What stage 1 committed (proof its acks followed its commits): rows per table,
        raising when fewer than `expected` events were recorded."""
        store = BareStore(Database.of(self.database_url), "registry")
        try:
            counts = store.counts(STAGE_ONE_TABLES)
        finally:
            store.close()
        if counts["bare_label_event"] < expected:
            raise RuntimeError(f"bare stage 1 acked {expected} events but recorded {counts}")
        return counts

    @staticmethod
    def messages(events: Sequence[LabelGranted]) -> list[Message]:
        """The events as the scraper publishes them, on the bare pipeline's subjects."""
        return [Message.of(label_subject(e.observation.label), e) for e in events]

    @staticmethod
    def path(event: LabelGranted) -> str:
        """Where the endpoint shows what stage 2 recorded of `event`."""
        return f"/things/{event.event_id}"


@contextlib.asynccontextmanager
async def bare_pipeline(
    folder: Path, database_url: str, read_database_url: str | None = None
) -> AsyncIterator[BarePipeline]:
    """Start the server, its streams and stage 1 on `database_url`; with `read_database_url`
    also stage 2 and the endpoint on it. Everything is stopped on leaving."""
    async with bare_nats(folder) as server, contextlib.AsyncExitStack() as stack:
        client = await connect(server.access(BENCH), connect_timeout=5, allow_reconnect=False)
        stack.push_async_callback(client.close)
        js = client.jetstream()
        for spec in (LABELS, THINGS):
            await js.add_stream(stream_config(spec))
        stage_one = await stack.enter_async_context(_stage(folder, server, STAGE_ONE, database_url))
        await _ready(_pulling(js, LABELS.name, STAGE_ONE_DURABLE), stage_one)
        endpoint_url = ""
        if read_database_url is not None:
            stage = _stage(folder, server, STAGE_TWO, read_database_url)
            stage_two = await stack.enter_async_context(stage)
            await _ready(_pulling(js, THINGS.name, STAGE_TWO_DURABLE), stage_two)
            port = free_port()
            endpoint = _child(
                folder, "bare-endpoint", "bare_endpoint", read_database_url, str(port)
            )
            endpoint_url = f"http://127.0.0.1:{port}"
            await _ready(_healthy(endpoint_url), await stack.enter_async_context(endpoint))
        yield BarePipeline(js, endpoint_url, database_url)


def _stage(
    folder: Path, server: BareNats, user: ServiceUser, database_url: str
) -> contextlib.AbstractAsyncContextManager[Process]:
    role = "registry" if user is STAGE_ONE else "gateway"
    secrets = str(server.password_file(user))
    return _child(
        folder, user.name, "bare_stages", role, server.url, user.name, secrets, database_url
    )


@dataclass(frozen=True)
class Process:
    """A child process and the file its output goes to."""

    name: str
    process: asyncio.subprocess.Process
    log: Path

    def failure(self) -> str:
        """Why it ended: the end of its log."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return f"{self.name} exited with {self.process.returncode}: {text[-800:]}"


@contextlib.asynccontextmanager
async def _child(folder: Path, name: str, module: str, *args: str) -> AsyncIterator[Process]:
    """`python -m services.bench.<module> args…`, its output in logs/<name>.log; stopped
    (SIGTERM, then SIGKILL) on leaving, also when cancelled."""
    log = folder / "logs" / f"{name}.log"
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"services.bench.{module}", *args, stdout=out, stderr=out
        )
    try:
        yield Process(name, process, log)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _ready(probe: Callable[[], Awaitable[bool]], child: Process) -> None:
    """Wait until `probe` holds, failing at once (with its log) if the child exits first."""
    deadline = time.perf_counter() + START_SECONDS
    while time.perf_counter() < deadline:
        if child.process.returncode is not None:
            raise RuntimeError(child.failure())
        if await probe():
            return
        await asyncio.sleep(PROBE_SECONDS)
    raise TimeoutError(f"{child.name} was not ready within {START_SECONDS:.0f}s")


def _pulling(js: JetStreamContext, stream: str, durable: str) -> Callable[[], Awaitable[bool]]:
    """Whether a pull request waits on the durable: its stage runs."""

    async def probe() -> bool:
        try:
            info = await js.consumer_info(stream, durable)
        except NotFoundError:
            return False
        return (info.num_waiting or 0) > 0

    return probe


def _healthy(url: str) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        async with httpx.AsyncClient(base_url=url, timeout=1) as http:
            try:
                return (await http.get("/healthz")).status_code == 200
            except httpx.HTTPError:
                return False

    return probe
