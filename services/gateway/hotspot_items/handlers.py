"""Record news and agenda events exactly once: a batch's effects, event ids and stream
position in one transaction, as the rest of the read model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from contracts.agenda import AgendaEvent
from contracts.news import NewsEvent
from services.gateway.hotspot_items.projection import apply_agenda_event, apply_news_event
from services.gateway.read_model.projection import Position, claim, record_processed
from services.gateway.read_model.pruning import pruned_through

log = structlog.get_logger()
E = TypeVar("E", NewsEvent, AgendaEvent)
Apply = Callable[[Session, E, int], bool]


def record_news_events(
    engine: Engine, batch: Sequence[tuple[NewsEvent, Position]]
) -> list[bool | Exception]:
    """Project news events in the order given (see `_record`)."""
    return _record(engine, batch, apply_news_event)


def record_agenda_events(
    engine: Engine, batch: Sequence[tuple[AgendaEvent, Position]]
) -> list[bool | Exception]:
    """Project agenda events in the order given (see `_record`)."""
    return _record(engine, batch, apply_agenda_event)


def _record(
    engine: Engine, batch: Sequence[tuple[E, Position]], apply: Apply[E]
) -> list[bool | Exception]:
    """The batch in one transaction; should it fail, each event on its own, so one bad event
    holds up no other (its error is its result). Per event: whether it changed anything (a
    duplicate or an event older than the stored row changes nothing)."""
    try:
        with Session(engine) as session:
            applied = _project(session, batch, apply)
            session.commit()
    except Exception as exc:
        if len(batch) == 1:
            return [exc]
        log.warning("hotspot_batch_failed", events=len(batch), error=f"{type(exc).__name__}: {exc}")
        return [result for item in batch for result in _record(engine, [item], apply)]
    for (event, _), done in zip(batch, applied, strict=True):
        log.info("hotspot_event_recorded", kind=event.kind, applied=done, event_id=event.event_id)
    return list(applied)


def _project(session: Session, batch: Sequence[tuple[E, Position]], apply: Apply[E]) -> list[bool]:
    applied: list[bool] = []
    counted: list[Position | None] = []
    pruned = pruned_through(session)
    for event, position in batch:
        if position.seq <= pruned.get(position.stream, 0):
            applied.append(False)  # applied long ago; its id was pruned since
        elif claim(session, event.event_id, position):
            applied.append(apply(session, event, position.seq))
            counted.append(position)
        else:
            applied.append(False)
    record_processed(session, counted)
    return applied
