"""Apply events to the read model: order-safe by version, idempotent by event id.

Events can arrive out of order and be applied concurrently (redeliveries, larger pull
batches, several gateways sharing one PostgreSQL database), so every "only if newer" decision
is made inside one atomic upsert, never as read-then-write. Every function here works in the
caller's session; the caller commits once, so the effect, the processed event id and the
stream position land in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam
from sqlalchemy import delete as sa_delete
from sqlmodel import Session

from contracts.base import utc_now
from contracts.enterprises import EnterpriseEvent, EnterpriseRecertificationDue, EnterpriseState
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.gateway.read_model.searchable import (
    categories_of,
    delivery_regions,
    region_token,
    search_text,
    tokens,
)
from services.gateway.read_model.tables import (
    EnterpriseRow,
    HoldingRow,
    ProcessedCount,
    ProcessedEvent,
    SourceRow,
    StreamPosition,
)
from services.kit.sql import Excluded, insert_many, insert_new, insert_statement, upsert_if


@dataclass(frozen=True)
class Position:
    """Where an event sits in its stream."""

    stream: str
    seq: int


def claim(session: Session, event_id: str, position: Position | None) -> bool:
    """Record the event id as applied; False, writing nothing, when it was applied before.

    One statement decides (insert unless there): of two writers with the same event on
    PostgreSQL the second waits for the first's commit and then finds it there.
    """
    row = {
        "event_id": event_id,
        "stream": position.stream if position else None,
        "stream_seq": position.seq if position else None,
        "processed_at": utc_now(),
    }
    return insert_new(session, _PROCESSED_EVENTS, [row]) == 1


def record_processed(session: Session, positions: Sequence[Position | None]) -> None:
    """Count events newly applied at these positions, and advance each stream's position to
    the highest (never backwards): last in the transaction, so concurrent writers
    (PostgreSQL) queue on the one count row only once everything else of theirs is written."""
    highest: dict[str, int] = {}
    for position in positions:
        if position is not None:
            highest[position.stream] = max(position.seq, highest.get(position.stream, 0))
    for stream, seq in highest.items():
        upsert_if(session, _STREAM_POSITIONS, {"stream": stream, "last_seq": seq}, _higher_sequence)
    if positions:
        dialect = session.get_bind().dialect.name
        session.connection().execute(_count_statement(dialect), {"events": len(positions)})


def apply_enterprise_event(session: Session, event: EnterpriseEvent) -> bool:
    """Store the event's state if it is newer than what is stored; False when stale or when
    the event changes no state."""
    if isinstance(event, EnterpriseRecertificationDue):
        # A reminder carries the state of the last state event at that same version: it is
        # not a change. Skipped here on purpose, not left to the version guard to reject.
        return False
    state = event.enterprise
    listed = state.listed and event.kind != "delisted"
    if not upsert_if(session, _ENTERPRISES, enterprise_values(state, listed), _newer_version):
        return False
    connection = session.connection()
    connection.execute(_DROP_HOLDINGS, {"enterprise_id": state.enterprise_id})
    insert_many(
        session,
        _HOLDINGS,
        [
            {"enterprise_id": state.enterprise_id, **h.model_dump(include=_HOLDING_FIELDS)}
            for h in state.labels
        ],
    )
    return True


def apply_scrape_event(session: Session, event: ScrapeCompleted | ScrapeFailed) -> bool:
    """Keep the label's latest successful and latest failed run; False when older."""
    if isinstance(event, ScrapeCompleted):
        values: dict[str, Any] = {
            "last_success_started_at": event.started_at,
            "last_success_at": event.occurred_at,
            "holdings": event.stats.holdings,
            "counting": event.stats.counting,
            "next_run_at": event.next_run_at,
        }
        guard = _later_success
    else:
        values = {
            "last_failure_started_at": event.started_at,
            "last_failure_at": event.occurred_at,
            "last_failure_reason": event.reason,
            "next_run_at": event.next_run_at,
        }
        guard = _later_failure
    return upsert_if(session, _SOURCES, {"label": event.label, **values}, guard)


# The statements below are built once (kit.sql caches them per guard): building an upsert
# anew for every event cost the gateway more than running it.
_ENTERPRISES: Table = EnterpriseRow.__table__  # type: ignore[attr-defined]
_HOLDINGS: Table = HoldingRow.__table__  # type: ignore[attr-defined]
_SOURCES: Table = SourceRow.__table__  # type: ignore[attr-defined]
_PROCESSED_EVENTS: Table = ProcessedEvent.__table__  # type: ignore[attr-defined]
_STREAM_POSITIONS: Table = StreamPosition.__table__  # type: ignore[attr-defined]
_PROCESSED_COUNT: Table = ProcessedCount.__table__  # type: ignore[attr-defined]
_DROP_HOLDINGS = sa_delete(_HOLDINGS).where(_HOLDINGS.c.enterprise_id == bindparam("enterprise_id"))


def _newer_version(table: Table, new: Excluded) -> ColumnElement[bool]:
    return table.c.version < new.version


def _higher_sequence(table: Table, new: Excluded) -> ColumnElement[bool]:
    return table.c.last_seq < new.last_seq


def _later_success(table: Table, new: Excluded) -> ColumnElement[bool]:
    started = table.c.last_success_started_at
    return started.is_(None) | (started < new.last_success_started_at)


def _later_failure(table: Table, new: Excluded) -> ColumnElement[bool]:
    started = table.c.last_failure_started_at
    return started.is_(None) | (started < new.last_failure_started_at)


@cache
def _count_statement(dialect: str) -> Any:
    statement = insert_statement(dialect, _PROCESSED_COUNT).values(id=1)
    return statement.on_conflict_do_update(
        index_elements=["id"],
        set_={"events": _PROCESSED_COUNT.c.events + statement.excluded.events},
    )


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


def enterprise_values(state: EnterpriseState, listed: bool) -> dict[str, Any]:
    """The enterprise table's row for `state` (its holdings go to their own table)."""
    supplement = state.supplement
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
        "summary": state.summary,
        "summary_label": state.summary_label,
        "categories": list(state.categories),
        "categories_chosen": state.categories_chosen,
        "supplement": supplement.model_dump(mode="json") if supplement else None,
        "category_slugs": tokens(c.slug for c in categories_of(state)),
        "delivery_regions": tokens(map(region_token, delivery_regions(state))),
    }
