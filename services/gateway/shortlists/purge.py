"""Lists hold what buyers typed: a list neither opened nor changed for the kept days is
deleted, on a timer, so a quiet gateway keeps none longer than the setting says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from services.gateway.shortlists.store import purge_unused

log = structlog.get_logger()


def purge_lists(engine: Engine, now: datetime, keep_days: int) -> int:
    """Delete the lists unused for more than `keep_days`; how many."""
    with Session(engine) as session:
        return purge_unused(session, now - timedelta(days=keep_days))


async def keep_purging_lists(
    engine: Engine,
    now: Callable[[], datetime],
    keep_days: int,
    every_seconds: float = 3600.0,
) -> None:
    """Purge unused lists now and then every `every_seconds`, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(purge_lists, engine, now(), keep_days)
        except Exception as exc:  # a busy or unreachable database: try again next round
            log.warning("shortlist_purge_failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(every_seconds)
