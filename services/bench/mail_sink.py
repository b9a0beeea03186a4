"""The counting mail server (`mail_counter`) as seen from the benchmark: started as a child
process, its lines read as they come, waited on until a number of mails arrived."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from services.bench.mail_events import Received
from services.bench.stack import child_module
from services.kit.processes import free_port

START_SECONDS = 30.0


@dataclass
class MailSink:
    """What the counting server received so far, in order."""

    port: int
    store: Path
    received: list[Received] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, line: str) -> None:
        """Take in one line the server printed."""
        self.received.append(Received.parse(line))
        self._arrived.set()

    async def wait_for(self, count: int, within: float) -> list[Received]:
        """Wait until `count` mails arrived in all; every one of them."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received[:count]


@contextlib.asynccontextmanager
async def mail_sink(folder: Path) -> AsyncIterator[MailSink]:
    """The counting server on a free port, its store in `folder`, stopped on leaving."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    sink = MailSink(free_port(), folder / "received.eml")
    args = (str(sink.port), str(sink.store))
    async with child_module("services.bench.mail_counter", *args, stdin=True) as server:
        assert server.stdout is not None and server.stdin is not None
        ready = await asyncio.wait_for(server.stdout.readline(), START_SECONDS)
        if ready.strip() != b"ready":
            _, err = await server.communicate()
            raise RuntimeError(f"mail server did not start: {err.decode(errors='replace')[-500:]}")
        reader = asyncio.create_task(_read_lines(server.stdout, sink))
        try:
            yield sink
        finally:
            server.stdin.close()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def _read_lines(stream: asyncio.StreamReader, sink: MailSink) -> None:
    while line := await stream.readline():
        sink.add(line.decode())
