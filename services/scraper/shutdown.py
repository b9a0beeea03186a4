"""How the scraper's schedules stop: a run in progress may finish within a grace period, so
that its state and events are not left half-written; after that it is cancelled."""

from __future__ import annotations

import asyncio
import contextlib

SHUTDOWN_GRACE_SECONDS = 20.0


async def finish_or_cancel(task: asyncio.Task[None], grace_seconds: float) -> bool:
    """Wait up to `grace_seconds` for `task` to end, then cancel it; True if it was cancelled."""
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=grace_seconds)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return True
    return False
