"""Use cases of the read model: record one event, exactly once, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from contracts.base import Event
from contracts.enterprises import EnterpriseEvent
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.gateway.read_model.projection import (
    Position,
    apply_enterprise_event,
    apply_scrape_event,
    claim,
    count_processed_event,
)

log = structlog.get_logger()
E = TypeVar("E", bound=Event)


def record_enterprise_event(
    engine: Engine,
    event: EnterpriseEvent,
    position: Position | None = None,
) -> bool:
    """Project an enterprise event; False when it was a duplicate, older than what we have,
    or a recertification reminder (which changes no state)."""
    applied = _record(engine, event, position, apply_enterprise_event)
    log.info(
        "enterprise_event_recorded",
        kind=event.kind,
        applied=applied,
        enterprise_id=event.enterprise.enterprise_id,
        version=event.enterprise.version,
    )
    return applied


def record_scrape_event(
    engine: Engine,
    event: ScrapeCompleted | ScrapeFailed,
    position: Position | None = None,
) -> bool:
    """Project a scrape outcome; False when it was a duplicate or older than what we have."""
    applied = _record(engine, event, position, apply_scrape_event)
    log.info("scrape_event_recorded", kind=event.kind, label=event.label, applied=applied)
    return applied


def _record(
    engine: Engine,
    event: E,
    position: Position | None,
    apply: Callable[[Session, E], bool],
) -> bool:
    with Session(engine) as session:
        if not claim(session, event.event_id, position):
            return False
        applied = apply(session, event)
        count_processed_event(session, position)
        session.commit()
    return applied
