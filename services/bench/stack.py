"""The processes a benchmark runs against: its own nats-server and services started as
`impactoost serve <service>` by the demo's own launcher, and child commands that are always
stopped, also on Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from contracts.subjects import ENTERPRISES_STREAM, LABELS_STREAM
from services.demo.platform import Platform, authenticated_nats
from services.kit.natsserver import NatsServer
from services.kit.processes import free_port

# Every service of a benchmark stays on this machine: no PDOK look-ups, JSON logs at info.
BASE_ENV = {"IMPACTOOST_PDOK_BASE_URL": "", "IMPACTOOST_LOG_LEVEL": "info"}


# The benchmark's own client: it publishes label events as the scraper would (and, for the
# notifier alone, enterprise events as the registry would) and reads the JetStream state
# (streams, consumers' acks) as an operator's tools do; nothing else.
BENCH_USER = "bench"
BENCH_INBOX = f"_INBOX_{BENCH_USER}"
BENCH_PERMISSIONS = {
    "publish": {
        "allow": [*LABELS_STREAM.subjects, *ENTERPRISES_STREAM.subjects, "$JS.API.>", "$JS.ACK.>"]
    },
    "subscribe": {"allow": [f"{BENCH_INBOX}.>"]},
}


@dataclass(frozen=True)
class BenchNats:
    """A benchmark's nats-server, authenticated as in production (see `authenticated_nats`)."""

    server: NatsServer
    passwords: dict[str, str]

    def url_for(self, user: str) -> str:
        """The server as `user`: a service's own, or the operator's `admin`."""
        return f"nats://{user}:{self.passwords[user]}@127.0.0.1:{self.server.port}"

    @property
    def url(self) -> str:
        """The benchmark's own client's (connect with `inbox_prefix=BENCH_INBOX`)."""
        return self.url_for(BENCH_USER)


@contextlib.asynccontextmanager
async def nats_server(folder: Path) -> AsyncIterator[BenchNats]:
    """A fresh nats-server with JetStream and a user per service, in `folder`."""
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    server, passwords = authenticated_nats(folder, {BENCH_USER: BENCH_PERMISSIONS})
    async with _stopped_at_exit(server.start, server.stop):
        yield BenchNats(server, passwords)


@contextlib.asynccontextmanager
async def service_processes(
    folder: Path, nats: BenchNats, names: Sequence[str], env: dict[str, str] | None = None
) -> AsyncIterator[Platform]:
    """The named services as their own processes, each as its own NATS user; data and logs
    in `folder` (the folder of `nats`, whose secrets they read)."""
    platform = Platform(
        data_dir=folder,
        gateway_port=free_port(),
        demo_sites=False,
        services=tuple(names),
        env={**BASE_ENV, **(env or {})},
        nats=nats.server,
        passwords=nats.passwords,
    )
    async with _stopped_at_exit(platform.start, platform.stop):
        yield platform


@contextlib.asynccontextmanager
async def _stopped_at_exit(
    start: Callable[[], object], stop: Callable[[], None]
) -> AsyncIterator[None]:
    """Run the blocking `start` in a thread and `stop` on leaving, also when cancelled (Ctrl-C)
    in the middle of starting: the start thread is let finish first, so nothing it started
    is left running."""
    starting = asyncio.ensure_future(asyncio.to_thread(start))
    try:
        await asyncio.shield(starting)
        yield
    finally:
        with contextlib.suppress(BaseException):
            await starting
        await asyncio.to_thread(stop)


async def wait_for_feed(gateway_url: str, within: float = 60.0) -> None:
    """Wait until the gateway's read model feed is connected (it starts in the background)."""
    deadline = time.perf_counter() + within
    async with httpx.AsyncClient(base_url=gateway_url, timeout=5) as client:
        while time.perf_counter() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                response = await client.get("/healthz")
                if response.status_code == 200 and response.json().get("feed_started"):
                    return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"the gateway's feed did not start within {within:.0f}s")


@contextlib.asynccontextmanager
async def child_module(
    module: str, *args: str, env: dict[str, str] | None = None, stdin: bool = False
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m module args…` as a child process (its stdin a pipe when `stdin`), killed on
    leaving (also on Ctrl-C) if it is still running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.PIPE if stdin else None,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
