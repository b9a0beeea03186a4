"""Expired links and sessions name people's addresses: they go on a timer too, not only when
new links arrive, so a quiet gateway keeps none of them longer than needed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy import Engine

from services.gateway.signin.links import purge_expired

log = structlog.get_logger()


async def keep_purging(
    engine: Engine, now: Callable[[], datetime], every_seconds: float = 600.0
) -> None:
    """Purge expired rows now and then every `every_seconds`, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(purge_expired, engine, now())
        except Exception as exc:  # a busy or unreachable database: try again next round
            log.warning("signin_purge_failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(every_seconds)
