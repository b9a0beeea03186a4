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

from sqlalchemy import ColumnElement, Table, bindparam, select
from sqlalchemy import delete as sa_delete
from sqlmodel import Session

from contracts.base import utc_now
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseRecertificationDue,
    EnterpriseState,
)
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.gateway.read_model.listing_terms import listing_ends, reserved_contracts
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
    ListingChangeRow,
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
    connection = session.connection()
    before = connection.execute(_LISTING_BEFORE, {"enterprise_id": state.enterprise_id}).first()
    values = enterprise_values(state, listed) | _delisting(event, listed, before)
    if not upsert_if(session, _ENTERPRISES, values, _newer_version):
        return False
    change = listing_change(before, listed)
    if change is not None:
        insert_new(session, _LISTING_CHANGES, [_change_row(event, change, values, before)])
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
_LISTING_CHANGES: Table = ListingChangeRow.__table__  # type: ignore[attr-defined]
# Read in the writer's transaction just before its upsert: what the event changes `listed` from.
_DELISTING_FIELDS = ("delisted_at", "delisted_reason", "lapsed_label", "lapsed_on")
_LISTING_BEFORE = select(
    _ENTERPRISES.c.listed,
    _ENTERPRISES.c.counting_labels,
    *(_ENTERPRISES.c[field] for field in _DELISTING_FIELDS),
).where(_ENTERPRISES.c.enterprise_id == bindparam("enterprise_id"))


def listing_change(before: Any, listed: bool) -> str | None:
    """`joined`, `returned` or `left` when an applied event changes whether the enterprise is
    listed (`before`: its stored `listed` and `delisted_at`, None when new); else None."""
    was_listed = bool(before is not None and before.listed)
    if listed == was_listed:
        return None
    if not listed:
        return "left"
    if before is None or before.delisted_at is None or before.delisted_reason == "moved":
        return "joined"  # after a move: joined at its new place, as the old one saw it leave
    return "returned"


def _labels(state: EnterpriseState, change: str, before: Any) -> str | None:
    """The labels that count now; for a departure also those that counted just before it (a
    lapse leaves none counting, yet a saved search on that label should see it leave)."""
    labels = [h.label for h in state.labels if h.counts]
    if change == "left" and before is not None and before.counting_labels:
        labels += before.counting_labels.split()
    return tokens(labels)


def _delisting(event: EnterpriseEvent, listed: bool, before: Any) -> dict[str, Any]:
    """Since when and why it is not listed: from the delisting itself, else as stored (a
    later update of a delisted enterprise does not move the date); cleared while listed."""
    if listed:
        return dict.fromkeys(_DELISTING_FIELDS)
    if isinstance(event, EnterpriseDelisted):
        return {
            "delisted_at": event.occurred_at,
            "delisted_reason": event.reason,
            "lapsed_label": event.lapsed_label,
            "lapsed_on": event.lapsed_on,
        }
    if before is not None and before.delisted_at is not None:
        return {field: getattr(before, field) for field in _DELISTING_FIELDS}
    return dict.fromkeys(_DELISTING_FIELDS) | {"delisted_at": event.occurred_at}


def _change_row(
    event: EnterpriseEvent, change: str, values: dict[str, Any], before: Any
) -> dict[str, Any]:
    state = event.enterprise
    if change == "left":
        reason = values["delisted_reason"]
    else:
        arrived = before is not None and before.delisted_reason == "moved"
        reason = "moved" if arrived else None
    return {
        "event_id": event.event_id,
        "enterprise_id": state.enterprise_id,
        "version": state.version,
        "occurred_at": event.occurred_at,
        "change": change,
        "reason": reason,
        "name": state.name,
        "province": state.province,
        "region": state.region,
        "municipality": state.municipality,
        "counting_labels": _labels(state, change, before),
        "category_slugs": values["category_slugs"],
        "delivery_regions": values["delivery_regions"],
    }


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
        "listing_ends": listing_ends(state.labels),
        "reserved": reserved_contracts(state.labels),
    }
