"""Who is listed: pure rules that apply label events, the passing of time, splits and
supplements to an enterprise and say which enterprise event tells consumers.

An enterprise is listed while at least one of its holdings counts (or, with a grace period,
counted until recently) and its place does not lie outside the served region. Every label
event updates one holding, and the passing of time expires validities and ends grace periods;
the enterprise then compares its derived public state (public_state.py) with the state
consumers last saw, and says which enterprise event (if any) tells them about the difference.
A listed enterprise whose subject changes (another province or region) is told as a move: two
events, so that every subscriber's filter sees it leave or arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseState,
    EnterpriseSupplementHidden,
    EnterpriseUpdated,
)
from contracts.labels import LabelEvent, LabelLapsed, LabelName, Observation
from contracts.supplements import SupplementField
from services.registry.enterprise import Enterprise, Holding, HoldingKey
from services.registry.moves import Outcome, moved, subject_changed
from services.registry.public_state import public_state, transition
from services.registry.regions import Resolution
from services.registry.regions.resolver import ResolutionStatus
from services.registry.rules import STRICT as STRICT
from services.registry.rules import ListingRules
from services.registry.supplements import StoredSupplement


def observation_of(event: LabelEvent) -> Observation:
    """The observation a label event carries."""
    return event.last_observation if isinstance(event, LabelLapsed) else event.observation


def apply_label_event(
    enterprise: Enterprise,
    event: LabelEvent,
    today: date,
    source: str,
    resolution: Resolution | None = None,
    rules: ListingRules = STRICT,
) -> Outcome:
    """Record `event` on its holding and return the enterprise event it causes, if any.

    `resolution` is where the observation's place was found to lie (resolved before the
    transaction); without one, the holding keeps what it knew about the same place.
    An event older than what the holding already reflects (a late redelivery) is ignored.
    """
    obs = observation_of(event)
    current = enterprise.holdings.get((obs.label, obs.holding_id))
    if current is not None and event.occurred_at < current.last_event_at:
        return None
    lapsed_on = event.lapsed_on if isinstance(event, LabelLapsed) else None
    if current is not None and event.kind == "changed":
        lapsed_on = current.lapsed_on
    code, status = _place_of(current, obs, resolution)
    enterprise.holdings[(obs.label, obs.holding_id)] = Holding(
        obs, event.occurred_at, lapsed_on, code, status
    )
    cause = (event.label, event.lapsed_on) if isinstance(event, LabelLapsed) else None
    return _publish(
        enterprise,
        event.occurred_at,
        today,
        source,
        rules,
        lambda before: _lapse(enterprise, before, today, (obs.label, obs.holding_id), cause),
    )


def pass_time(
    enterprise: Enterprise, today: date, source: str, at: datetime, rules: ListingRules = STRICT
) -> Outcome:
    """The enterprise event that time alone causes by `today`: a validity that ran out
    (delisted, or in grace: updated) or a grace period that ended (delisted)."""
    return _publish(
        enterprise, at, today, source, rules, lambda before: _lapse(enterprise, before, today)
    )


def _place_of(
    current: Holding | None, obs: Observation, resolution: Resolution | None
) -> tuple[str | None, ResolutionStatus | None]:
    """The municipality code and place status a holding gets from an observation."""
    if resolution is not None:
        found = resolution.municipality
        return (found.code if found else None), resolution.status
    if current is not None and current.observation.place == obs.place:
        return current.municipality_code, current.place_status
    return None, None


def republish(
    enterprise: Enterprise,
    today: date,
    source: str,
    at: datetime,
    moved: LabelName,
    rules: ListingRules = STRICT,
) -> Outcome:
    """The enterprise event an operator's split causes: a holding of label `moved` left one
    enterprise for another. A delisting names the moved label, from the split's day."""
    return _publish(enterprise, at, today, source, rules, lambda _before: (moved, at.date()))


def apply_supplement(
    enterprise: Enterprise,
    stored: StoredSupplement,
    today: date,
    source: str,
    at: datetime,
    rules: ListingRules = STRICT,
) -> Outcome:
    """Keep the enterprise's supplement as it now is (submitted by the enterprise, or fields
    hidden or shown by an operator) and return the event that tells consumers: an update, or
    EnterpriseSupplementHidden when an operator newly hid fields buyers saw (the enterprise is
    told why). A supplement never lists or delists; time may have, meanwhile."""
    before = enterprise.supplement.hidden if enterprise.supplement else ()
    newly = tuple(name for name in stored.hidden if name not in before)
    enterprise.supplement = stored
    reason = stored.hidden_reason
    return _publish(
        enterprise,
        at,
        today,
        source,
        rules,
        lambda before: _lapse(enterprise, before, today),
        hidden=(newly, reason) if newly and reason else None,
    )


def _publish(
    enterprise: Enterprise,
    occurred_at: datetime,
    today: date,
    source: str,
    rules: ListingRules,
    lapse: Callable[[EnterpriseState | None], tuple[LabelName, date]],
    hidden: tuple[tuple[SupplementField, ...], str] | None = None,
) -> Outcome:
    before = enterprise.published
    since = before.listed_since if before and before.listed else occurred_at
    state = public_state(enterprise, today, enterprise.version + 1, since, rules)
    kind, changes = transition(before, state)
    if kind is None:
        return None
    if kind == "updated" and before is not None and subject_changed(before, state):
        # A move outweighs a newly hidden supplement: the listing shows the supplement as it is.
        move = moved(before, state, occurred_at, source)
        enterprise.published = move.enterprise
        return move
    event_id = deterministic_id(state.enterprise_id, state.version, kind)
    event: EnterpriseEvent
    if kind == "listed":
        event = EnterpriseListed(
            event_id=event_id, enterprise=state, occurred_at=occurred_at, source=source
        )
    elif kind == "updated" and hidden is not None:
        event = EnterpriseSupplementHidden(
            event_id=deterministic_id(state.enterprise_id, state.version, "supplement_hidden"),
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            fields=hidden[0],
            reason=hidden[1],
        )
    elif kind == "updated":
        event = EnterpriseUpdated(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            changes=changes,
        )
    elif any(h.counts for h in state.labels):
        event = EnterpriseDelisted(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            reason="outside_region",
        )
    else:
        label, lapsed_on = lapse(before)
        event = EnterpriseDelisted(
            event_id=event_id,
            enterprise=state,
            occurred_at=occurred_at,
            source=source,
            lapsed_label=label,
            lapsed_on=lapsed_on,
        )
    enterprise.published = state
    return event


def _key(holding: Holding) -> HoldingKey:
    return holding.key


def _lapse(
    enterprise: Enterprise,
    before: EnterpriseState | None,
    today: date,
    cause: HoldingKey | None = None,
    cause_lapse: tuple[LabelName, date] | None = None,
) -> tuple[LabelName, date]:
    """Which label's lapse delisted the enterprise, and from which day.

    The holding a label event was about, if it counted before; else the counted holding that
    lapsed last (time alone ended it). A lapse event names its own day.
    """
    counted = {(h.label, h.holding_id) for h in before.labels if h.counts} if before else set()
    if cause in counted and cause_lapse is not None:
        return cause_lapse
    known = [enterprise.holdings[k] for k in sorted(counted) if k in enterprise.holdings]
    if cause is not None and cause in counted:
        holding = enterprise.holdings[cause]
    elif known:
        holding = max(known, key=lambda h: h.lapse_day(today) or today)
    else:  # nothing counted before: the event's own holding, or any
        holdings = enterprise.holdings
        holding = holdings[cause] if cause in holdings else min(holdings.values(), key=_key)
    return holding.observation.label, holding.lapse_day(today) or today
