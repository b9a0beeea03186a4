"""Use cases: record a label event, exactly once, with the enterprise events it causes; let
time pass (expiries, grace periods, reminders); split a wrong merge of a holding."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import structlog

from contracts.base import deterministic_id, utc_now
from contracts.enterprises import EnterpriseEvent
from contracts.labels import LabelEvent
from contracts.subjects import LABELS_STREAM, enterprise_subject, state_subject
from services.registry import domain, identity, reminders
from services.registry.adapters.unit_of_work import AbstractUnitOfWork, HeldAs
from services.registry.enterprise import Enterprise, new_enterprise_id
from services.registry.moves import Outcome, events_of, last_event
from services.registry.regions import Resolution
from services.registry.rules import ListingRules

log = structlog.get_logger()


Recorded = Outcome | Exception
"""What recording one label event gave: its enterprise event (a move: two; or none), or the
error."""


def record_label_event(
    event: LabelEvent,
    uow: AbstractUnitOfWork,
    today: date,
    *,
    source: str,
    now: datetime | None = None,
    resolution: Resolution | None = None,
    rules: ListingRules = domain.STRICT,
) -> Outcome:
    """Apply a label event to its enterprise and queue the resulting enterprise event.

    The effect (with the place's `resolution`, found before the transaction), the processed
    event id and the outbox rows commit in one transaction; an event id seen before changes
    nothing. Returns what it queued: an enterprise event, a move (two), or nothing. Reminders
    it makes due are left to the time checks (see reminders.py).
    """
    now = now or utc_now()
    with uow:
        outcome = _apply(event, uow, today, source, now, resolution, rules)
        uow.commit()
    return outcome


def record_label_events(
    batch: Sequence[tuple[LabelEvent, Resolution | None]],
    uow_factory: Callable[[], AbstractUnitOfWork],
    today: date,
    *,
    source: str,
    now: datetime | None = None,
    rules: ListingRules = domain.STRICT,
    sequences: Sequence[int | None] = (),
) -> list[Recorded]:
    """Record label events in order, in one transaction: one commit for many events is
    what lets the registry keep up with a stream. Should the transaction fail, each event
    is recorded on its own, so one bad event holds up no other; its error is its result.
    `sequences` are the events' LABELS stream sequences, where known: kept with their ids,
    they let processed ids be pruned without letting a redelivery through."""
    now = now or utc_now()
    known = list(sequences) or [None] * len(batch)
    try:
        with uow_factory() as uow:
            uow.prefetch(
                [event.event_id for event, _ in batch], [_held_as(*item) for item in batch]
            )
            outcomes: list[Recorded] = [
                _apply(event, uow, today, source, now, resolution, rules, sequence)
                for (event, resolution), sequence in zip(batch, known, strict=True)
            ]
            uow.commit()
        _log_batch(outcomes)
        return outcomes
    except Exception as exc:
        if len(batch) == 1:
            return [exc]
        log.warning("label_batch_failed", events=len(batch), error=f"{type(exc).__name__}: {exc}")
    results: list[Recorded] = []
    for item, sequence in zip(batch, known, strict=True):
        results += record_label_events(
            [item], uow_factory, today, source=source, now=now, rules=rules, sequences=[sequence]
        )
    return results


def _apply(
    event: LabelEvent,
    uow: AbstractUnitOfWork,
    today: date,
    source: str,
    now: datetime,
    resolution: Resolution | None,
    rules: ListingRules,
    sequence: int | None = None,
) -> Outcome:
    """One label event's effect inside the caller's transaction."""
    if not uow.processed.claim(event.event_id, now, LABELS_STREAM.name, sequence):
        log.info("label_event_skipped", event_id=event.event_id, reason="already processed")
        return None
    enterprise, found = find_enterprise(event, uow, resolution)
    outcome = domain.apply_label_event(enterprise, event, today, source, resolution, rules)
    enterprise.next_check_on = reminders.next_check_on(enterprise, today, rules)
    uow.enterprises.save(enterprise, now)
    if found is not None:
        obs = domain.observation_of(event)
        uow.merges.add(obs.label, obs.holding_id, found, now)
    queue(outcome, uow, now)
    # Per event at debug: a scrape's burst would otherwise spend a tenth of the registry's
    # time writing log lines. The relay logs every enterprise event it publishes at info.
    log.debug(
        "label_event_recorded",
        kind=event.kind,
        event_id=event.event_id,
        enterprise_id=enterprise.enterprise_id,
        outcome=outcome.kind if outcome else None,
        version=outcome.enterprise.version if outcome else enterprise.version,
    )
    return outcome


def _log_batch(outcomes: Sequence[Recorded]) -> None:
    kinds = Counter("none" if o is None or isinstance(o, Exception) else o.kind for o in outcomes)
    log.info("label_events_recorded", events=len(outcomes), outcomes=dict(sorted(kinds.items())))


def pass_time(
    uow_factory: Callable[[], AbstractUnitOfWork],
    today: date,
    *,
    source: str,
    now: datetime | None = None,
    rules: ListingRules = domain.STRICT,
) -> int:
    """Bring every enterprise due for a look up to `today`: validities that ran out, grace
    periods that ended, reminders now due. One transaction per enterprise, so one that fails
    (logged, looked at again next time) holds up no other. Returns how many events it queued.
    """
    now = now or utc_now()
    with uow_factory() as uow:
        due = uow.enterprises.due_for_check(today)
    queued = 0
    for enterprise_id in due:
        try:
            queued += _pass_time_for(enterprise_id, uow_factory(), today, source, now, rules)
        except Exception:
            log.exception("time_check_failed", enterprise_id=enterprise_id)
    log.info("time_checked", enterprises=len(due), events=queued, today=today.isoformat())
    return queued


def _pass_time_for(
    enterprise_id: str,
    uow: AbstractUnitOfWork,
    today: date,
    source: str,
    now: datetime,
    rules: ListingRules,
) -> int:
    with uow:
        enterprise = uow.enterprises.get(enterprise_id)
        check_on = enterprise.next_check_on if enterprise else None
        if enterprise is None or check_on is None or check_on > today:
            return 0  # another process looked at it meanwhile
        changed = domain.pass_time(enterprise, today, source, now, rules)
        events: list[Outcome] = [
            changed,
            *reminders.due_reminders(enterprise, today, source, now, rules),
        ]
        enterprise.next_check_on = reminders.next_check_on(enterprise, today, rules)
        uow.enterprises.save(enterprise, now)
        for event in events:
            queue(event, uow, now)
        uow.commit()
    return sum(len(events_of(event)) for event in events)


def find_enterprise(
    event: LabelEvent, uow: AbstractUnitOfWork, resolution: Resolution | None = None
) -> tuple[Enterprise, identity.Match | None]:
    """The holding's enterprise; else the one the identity rules find (and how); else a new one.

    An enterprise the holding was split from is never chosen again.
    """
    obs = domain.observation_of(event)
    known = uow.enterprises.get_by_holding(obs.label, obs.holding_id)
    if known is not None:
        return known, None
    _, who = _held_as(event, resolution)
    kept_apart = uow.merges.kept_apart(obs.label, obs.holding_id)
    found = identity.match(who, uow.enterprises.candidates(who, kept_apart))
    enterprise = uow.enterprises.get(found.enterprise_id) if found else None
    if enterprise is not None:
        return enterprise, found
    return Enterprise(new_enterprise_id(obs.label, obs.holding_id)), None


def _held_as(event: LabelEvent, resolution: Resolution | None) -> HeldAs:
    """The event's holding, and what the identity rules would recognise it by."""
    obs = domain.observation_of(event)
    found_in = resolution.municipality if resolution is not None else None
    code = found_in.code if found_in else None
    return (obs.label, obs.holding_id), identity.Identity.of(obs.kvk, obs.website, obs.name, code)


class SplitRefused(Exception):
    """The merge cannot be split: unknown, already split, or its holding moved on."""


@dataclass(frozen=True)
class Split:
    """What a split did: the holding's old and new enterprise, and the event that tells
    consumers each one's state now (a move's listing; its delisting was queued before it)."""

    merge_id: int
    label: str
    holding_id: str
    remaining_id: str
    split_off_id: str
    remaining_event: EnterpriseEvent | None
    split_off_event: EnterpriseEvent | None


def split_merge(
    merge_id: int,
    uow: AbstractUnitOfWork,
    today: date,
    *,
    source: str,
    now: datetime | None = None,
    rules: ListingRules = domain.STRICT,
) -> Split:
    """Detach a merged holding into an enterprise of its own, for good, in one transaction.

    Both enterprises' public states are recomputed and their events queued in the outbox.
    """
    now = now or utc_now()
    with uow:
        merge = uow.merges.get(merge_id)
        if merge is None:
            raise SplitRefused(f"no merge with id {merge_id}")
        if merge.split_at is not None:
            raise SplitRefused(f"merge {merge_id} was already split at {merge.split_at:%Y-%m-%d}")
        remaining = uow.enterprises.get(merge.enterprise_id)
        holdings = remaining.holdings if remaining else {}
        key = next((k for k in holdings if k == (merge.label, merge.holding_id)), None)
        if remaining is None or key is None or len(remaining.holdings) < 2:
            raise SplitRefused(f"merge {merge_id}: the holding is no longer in that enterprise")
        split_off = Enterprise(new_enterprise_id(*key))
        split_off.holdings[key] = remaining.holdings.pop(key)
        events = [
            domain.republish(e, today, source, now, key[0], rules) for e in (remaining, split_off)
        ]
        for enterprise in (remaining, split_off):
            enterprise.next_check_on = reminders.next_check_on(enterprise, today, rules)
            uow.enterprises.save(enterprise, now)
        uow.merges.mark_split(merge_id, now)
        for event in events:
            queue(event, uow, now)
        uow.commit()
    log.info(
        "merge_split",
        merge_id=merge_id,
        enterprise_id=remaining.enterprise_id,
        split_off_id=split_off.enterprise_id,
    )
    return Split(
        merge_id,
        key[0],
        key[1],
        remaining.enterprise_id,
        split_off.enterprise_id,
        *map(last_event, events),
    )


# The kinds that tell a new state; a reminder repeats the state its enterprise already has.
STATE_KINDS = frozenset({"listed", "updated", "delisted", "supplement_hidden"})


def queue(outcome: Outcome, uow: AbstractUnitOfWork, now: datetime) -> None:
    """Put the enterprise events, if any, in the outbox, each under its regional subject (a
    move's delisting under the old, its listing under the new), in the order they happened;
    each that tells a new state also under its enterprise's state subject, where it replaces
    the one before (ENTERPRISE_STATES keeps one message per subject)."""
    for event in events_of(outcome):
        state = event.enterprise
        uow.outbox.add(enterprise_subject(state.province, state.region, event.kind), event, now)
        if event.kind in STATE_KINDS:
            queue_state(event, uow, now)


def queue_state(event: EnterpriseEvent, uow: AbstractUnitOfWork, now: datetime) -> None:
    """Put the event in the outbox under its enterprise's state subject too: the same event
    under a second subject, so a message id of its own for JetStream."""
    state = event.enterprise
    subject = state_subject(state.province, state.region, state.enterprise_id)
    uow.outbox.add(subject, event, now, deterministic_id("state", event.event_id))
