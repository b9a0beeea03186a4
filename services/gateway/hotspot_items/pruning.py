"""News and agenda items are kept only so long: news published more than the news setting's
days ago, and agenda items that ended more than the agenda setting's days ago, go (hidden
rows too). They name organisations and events, no people; pruning keeps the pages current
and the tables small."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine, delete, or_
from sqlmodel import Session, col

from services.gateway.hotspot_items.tables import AgendaRow, NewsRow

log = structlog.get_logger()


def prune_items(engine: Engine, now: datetime, news_days: int, agenda_days: int) -> int:
    """Delete the items past their keeping; returns how many went."""
    news_before = now - timedelta(days=news_days)
    with Session(engine) as session:
        news = session.exec(
            delete(NewsRow).where(
                or_(
                    col(NewsRow.published_at) < news_before,
                    col(NewsRow.published_at).is_(None) & (col(NewsRow.changed_at) < news_before),
                )
            )
        )
        agenda = session.exec(
            delete(AgendaRow).where(col(AgendaRow.ends_key) < now - timedelta(days=agenda_days))
        )
        session.commit()
    return int(news.rowcount + agenda.rowcount)


async def keep_pruning_items(
    engine: Engine,
    now: Callable[[], datetime],
    news_days: int,
    agenda_days: int,
    every_seconds: float = 3600.0,
) -> None:
    """Prune at start and then every `every_seconds`, until cancelled."""
    while True:
        try:
            pruned = await asyncio.to_thread(prune_items, engine, now(), news_days, agenda_days)
            log.info("hotspot_items_pruned", pruned=pruned)
        except Exception as exc:  # the database away: next round
            log.warning("hotspot_items_not_pruned", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(every_seconds)
