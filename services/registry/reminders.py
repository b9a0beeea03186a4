"""Recertification reminders and the next day time alone changes an enterprise: pure rules.

A reminder is due when a label whose loss would delist the enterprise ends within a lead time
(default 60, 30 and 7 days). Only the most urgent lead time that is due is sent: an enterprise
first seen 20 days before its label ends gets the 30-day reminder, not the 60-day one as well.
Each (holding, validity period, lead time) is reminded once; a renewal starts a new period.
Reminders go out from the registry's time checks (at start-up and periodically), not at once
with a label event: right after a first scrape, an enterprise's other labels may still be on
their way, and one of them may make the ending label no longer decisive.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseRecertificationDue
from services.registry.enterprise import Enterprise, Holding, ReminderKey
from services.registry.rules import ListingRules


def critical_holdings(enterprise: Enterprise, today: date) -> list[Holding]:
    """The counting holdings whose end would delist the enterprise: those that end last,
    when every counting holding has an end date (one without never ends by itself)."""
    counting = [h for h in enterprise.holdings.values() if h.counts_strictly(today)]
    ends = [h.observation.valid_until for h in counting]
    if not counting or any(end is None for end in ends):
        return []
    last = max(end for end in ends if end is not None)
    return sorted((h for h in counting if h.observation.valid_until == last), key=lambda h: h.key)


def pending_reminders(
    enterprise: Enterprise, today: date, rules: ListingRules
) -> list[ReminderKey]:
    """The reminders due today that were not sent before (at most one per critical holding)."""
    state = enterprise.published
    if state is None or not state.listed or state.grace_until is not None:
        return []
    pending = []
    for holding in critical_holdings(enterprise, today):
        valid_until = holding.observation.valid_until
        assert valid_until is not None  # critical holdings have an end
        due = [lead for lead in rules.lead_days if (valid_until - today).days <= lead]
        if not due:
            continue
        label, holding_id = holding.key
        period = (label, holding_id, valid_until)
        sent = [key[3] for key in enterprise.reminded if key[:3] == period]
        if not any(earlier <= min(due) for earlier in sent):
            pending.append((*period, min(due)))
    return pending


def due_reminders(
    enterprise: Enterprise, today: date, source: str, at: datetime, rules: ListingRules
) -> list[EnterpriseRecertificationDue]:
    """The reminders due today that were not sent before, recorded on the enterprise."""
    reminders = []
    for key in pending_reminders(enterprise, today, rules):
        assert enterprise.published is not None  # only a listed enterprise is reminded
        enterprise.reminded.add(key)
        label, holding_id, valid_until, lead = key
        reminders.append(
            EnterpriseRecertificationDue(
                event_id=reminder_id(key),
                occurred_at=at,
                source=source,
                enterprise=enterprise.published,
                label=label,
                holding_id=holding_id,
                valid_until=valid_until,
                lead_days=lead,
            )
        )
    return reminders


def reminder_id(key: ReminderKey) -> str:
    """The same reminder always has the same event id, whichever process sends it."""
    return deterministic_id("recertification_due", *key)


def next_check_on(enterprise: Enterprise, today: date, rules: ListingRules) -> date | None:
    """The day the enterprise must next be looked at: today while a reminder is pending, else
    the first day on which time alone may change it (a lead time reached, a validity ended,
    a grace period over); None when no day can."""
    if pending_reminders(enterprise, today, rules):
        return today
    days: list[date | None] = []
    for holding in enterprise.holdings.values():
        valid_until = holding.observation.valid_until
        if holding.counts_strictly(today) and valid_until is not None:
            days.append(shifted(valid_until, 1))
            days.extend(shifted(valid_until, -lead) for lead in rules.lead_days)
        grace_until = holding.grace_until(today, rules.grace_days)
        if grace_until is not None:
            days.append(shifted(grace_until, 1))
    return min((day for day in days if day is not None and day > today), default=None)


def shifted(day: date, days: int) -> date | None:
    """`day` moved by `days`; None beyond the calendar's ends (a label valid until 9999-12-31,
    which the contract allows, has no day after it)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None
