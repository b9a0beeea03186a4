"""Apply events to the read model: order-safe by version, idempotent by event id.

Events can arrive out of order and be applied concurrently (redeliveries, larger pull
batches, several gateways sharing one PostgreSQL database), so every "only if newer" decision
is made inside one atomic upsert, never as read-then-write. Every function here works in the
caller's session; the caller commits once, so the effect, the processed event id and the
stream position land in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlmodel import Session, col, delete

from contracts.base import utc_now
from contracts.enterprises import EnterpriseEvent, EnterpriseRecertificationDue, EnterpriseState
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.gateway.labels import level_text
from services.gateway.read_model.tables import (
    EnterpriseRow,
    HoldingRow,
    ProcessedCount,
    ProcessedEvent,
    SourceRow,
    StreamPosition,
)
from services.kit.sql import insert_for

Newer = Callable[[Table, Any], ColumnElement[bool]]


@dataclass(frozen=True)
class Position:
    """Where an event sits in its stream."""

    stream: str
    seq: int


def already_processed(session: Session, event_id: str) -> bool:
    """Whether this event id was applied before."""
    return session.get(ProcessedEvent, event_id) is not None


def mark_processed(session: Session, event_id: str, position: Position | None) -> None:
    """Record the event id, count it, and advance the stream position (never backwards)."""
    session.add(
        ProcessedEvent(
            event_id=event_id,
            stream=position.stream if position else None,
            stream_seq=position.seq if position else None,
            processed_at=utc_now(),
        )
    )
    if position is not None:
        _upsert(
            session,
            StreamPosition,
            {"stream": position.stream, "last_seq": position.seq},
            lambda t, new: t.c.last_seq < new.last_seq,
        )
    _count_processed(session)


def _count_processed(session: Session) -> None:
    # Last in the transaction: concurrent writers (PostgreSQL) queue on this one row only
    # once everything else of theirs is written.
    table: Table = ProcessedCount.__table__  # type: ignore[attr-defined]
    statement = insert_for(session, table).values(id=1, events=1)
    session.execute(
        statement.on_conflict_do_update(index_elements=["id"], set_={"events": table.c.events + 1})
    )


def apply_enterprise_event(session: Session, event: EnterpriseEvent) -> bool:
    """Store the event's state if it is newer than what is stored; False when stale or when
    the event changes no state."""
    if isinstance(event, EnterpriseRecertificationDue):
        # A reminder carries the state of the last state event at that same version: it is
        # not a change. Skipped here on purpose, not left to the version guard to reject.
        return False
    state = event.enterprise
    listed = state.listed and event.kind != "delisted"
    if not _upsert(
        session,
        EnterpriseRow,
        _enterprise_values(state, listed),
        lambda t, new: t.c.version < new.version,
    ):
        return False
    session.exec(delete(HoldingRow).where(col(HoldingRow.enterprise_id) == state.enterprise_id))
    for holding in state.labels:
        session.add(
            HoldingRow(
                enterprise_id=state.enterprise_id, **holding.model_dump(include=_HOLDING_FIELDS)
            )
        )
    return True


def apply_scrape_event(session: Session, event: ScrapeCompleted | ScrapeFailed) -> bool:
    """Keep the label's latest successful and latest failed run; False when older."""
    if isinstance(event, ScrapeCompleted):
        started = "last_success_started_at"
        values = {
            started: event.started_at,
            "last_success_at": event.occurred_at,
            "holdings": event.stats.holdings,
            "counting": event.stats.counting,
            "next_run_at": event.next_run_at,
        }
    else:
        started = "last_failure_started_at"
        values = {
            started: event.started_at,
            "last_failure_at": event.occurred_at,
            "last_failure_reason": event.reason,
            "next_run_at": event.next_run_at,
        }
    return _upsert(
        session,
        SourceRow,
        {"label": event.label, **values},
        lambda t, new: t.c[started].is_(None) | (t.c[started] < new[started]),
    )


def _upsert(session: Session, model: type[Any], values: dict[str, Any], newer: Newer) -> bool:
    """Insert the row, or update it where `newer(table, excluded)` holds; True if written."""
    table: Table = model.__table__
    statement = insert_for(session, table).values(**values)
    keys = [c.name for c in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in values if name not in keys},
        where=newer(table, statement.excluded),
    )
    # RETURNING names only rows actually inserted or updated (rowcount is not portable).
    written = session.execute(statement.returning(*table.primary_key.columns)).first()
    return written is not None


_HOLDING_FIELDS = {
    "label",
    "holding_id",
    "level",
    "pso30plus",
    "status",
    "valid_from",
    "valid_until",
    "counts",
    "grace_until",
    "source_url",
    "last_verified_at",
}


def _enterprise_values(state: EnterpriseState, listed: bool) -> dict[str, Any]:
    return {
        "enterprise_id": state.enterprise_id,
        "version": state.version,
        "listed": listed,
        "name": state.name,
        "sort_name": state.name.casefold(),
        "search_text": search_text(state),
        "place": state.place,
        "municipality": state.municipality,
        "province": state.province,
        "region": state.region,
        "website": state.website,
        "kvk": list(state.kvk),
        "themes": list(state.themes),
        "listed_since": state.listed_since,
        "grace_until": state.grace_until,
    }


def search_text(state: EnterpriseState) -> str:
    """The words a search term is matched against, lower-cased, each preceded by a space."""
    levels = [level_text(h.level, h.pso30plus) for h in state.labels if h.counts]
    parts = [state.name, state.place, state.municipality, *state.themes, *state.kvk, *levels]
    return "".join(f" {word}" for part in parts if part for word in words(part))


def words(text: str) -> list[str]:
    """Lower-cased words: letters and digits, punctuation dropped (`Trede-3` -> trede, 3)."""
    return _WORD.findall(text.lower())


_WORD = re.compile(r"[^\W_]+")
