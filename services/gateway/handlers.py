"""Use cases of the read model: record events exactly once, a batch in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    record_processed,
)
from services.gateway.read_model.pruning import pruned_through

log = structlog.get_logger()
E = TypeVar("E", bound=Event)


def record_enterprise_event(
    engine: Engine,
    event: EnterpriseEvent,
    position: Position | None = None,
) -> bool:
    """Project an enterprise event; False when it was a duplicate, older than what we have,
    or a recertification reminder (which changes no state)."""
    (recorded,) = record_enterprise_events(engine, [(event, position)])
    if isinstance(recorded, Exception):
        raise recorded
    return recorded


def record_enterprise_events(
    engine: Engine, batch: Sequence[tuple[EnterpriseEvent, Position | None]]
) -> list[bool | Exception]:
    """Project events in the order given, in one transaction: one commit for many events is
    what lets a new gateway replay a long stream quickly. Should the transaction fail, each
    event is projected on its own, so one bad event holds up no other; its error is its
    result. Per event: whether it changed the read model (see `record_enterprise_event`)."""
    try:
        with Session(engine) as session:
            applied = _project(session, batch, apply_enterprise_event)
            session.commit()
    except Exception as exc:
        if len(batch) == 1:
            return [exc]
        log.warning(
            "enterprise_batch_failed", events=len(batch), error=f"{type(exc).__name__}: {exc}"
        )
        return [result for item in batch for result in record_enterprise_events(engine, [item])]
    for (event, _), done in zip(batch, applied, strict=True):
        log.info(
            "enterprise_event_recorded",
            kind=event.kind,
            applied=done,
            enterprise_id=event.enterprise.enterprise_id,
            version=event.enterprise.version,
        )
    return list(applied)


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
        (applied,) = _project(session, [(event, position)], apply)
        session.commit()
    return applied


def _project(
    session: Session,
    batch: Sequence[tuple[E, Position | None]],
    apply: Callable[[Session, E], bool],
) -> list[bool]:
    """The events' effects, ids and count in the caller's transaction, in order; per event,
    whether it changed the read model (an id seen before changes nothing)."""
    applied: list[bool] = []
    counted: list[Position | None] = []
    pruned = pruned_through(session)
    for event, position in batch:
        if position is not None and position.seq <= pruned.get(position.stream, 0):
            applied.append(False)  # applied long ago; its id was pruned since
        elif claim(session, event.event_id, position):
            applied.append(apply(session, event))
            counted.append(position)
        else:
            applied.append(False)
    record_processed(session, counted)
    return applied
