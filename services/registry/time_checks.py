"""The registry's own clock: at start-up and then periodically, it lets time pass for every
enterprise due for a look (validities that ran out, grace periods that ended, reminders due),
since no label event announces those days."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger()


class TimeChecks:
    """Runs `check` now and every `interval_seconds` until stopped; a failing pass is logged
    and tried again at the next interval."""

    def __init__(self, check: Callable[[], Awaitable[int]], interval_seconds: float) -> None:
        self.check = check
        self.interval_seconds = interval_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Pass after pass until stopped."""
        while not self._stop.is_set():
            try:
                await self.check()
            except Exception:
                log.exception("time_checks_failed", retry_in_seconds=self.interval_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval_seconds)

    def start(self) -> None:
        """Run as a background task of the running event loop (once)."""
        if self._task is None or self._task.done():
            self._stop.clear()
            self._task = asyncio.create_task(self.run(), name="registry-time-checks")

    async def stop(self) -> None:
        """Let a running pass finish, then end."""
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            await task
