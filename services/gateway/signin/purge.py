"""Expired links and sessions name people's addresses: they go on a timer too, not only when
new links arrive, so a quiet gateway keeps none of them longer than needed."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from services.gateway.signin.book import LinkBook
from services.gateway.signin.bootstrap import SignIn

log = structlog.get_logger()


async def keep_purging(book: LinkBook[Any], signin: SignIn, every_seconds: float = 600.0) -> None:
    """Purge the book's expired rows now and then every `every_seconds`, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(book.purge_expired, signin.engine, signin.now())
        except Exception as exc:  # a busy or unreachable database: try again next round
            log.warning(f"{book.name}_purge_failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(every_seconds)
