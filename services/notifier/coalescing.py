"""Pure rules: which enterprise events share one mail, and when a mail is due.

A burst of events about one enterprise (its first scrape by four registries: a listing and
then an update per further label, seconds apart) is one mail. The welcome and the change
mail ("gewijzigd") *coalesce*: each event of the burst folds into the open mail and moves its
due time to a quiet period after the latest event, but never past `MAX_HOLD_PERIODS` quiet
periods after the first, so a steady trickle of changes still gets mailed.

Mails that cannot wait never coalesce and close the open mail (later changes start a new
one, so the order of what the enterprise reads stays the order of what happened):

- a delisting is due at once; an open change mail is dropped (superseded: the listing it
  describes is gone), an open welcome goes out first (the sender sends an enterprise's
  earlier mails before a due later one);
- a recertification reminder is due after one quiet period (so a welcome still being
  gathered goes out first, naming every label), and never later than the start of the last
  day the label is valid; should a later state show the label renewed (or gone) before then,
  the reminder is not sent (`reminder_outdated`);
- a hidden supplement is due at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal

from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseRecertificationDue,
    EnterpriseState,
    EnterpriseUpdated,
)
from services.kit.dutch import LOCAL

MAX_HOLD_PERIODS = 5
COALESCING_KINDS = frozenset({"listed", "updated"})
NON_ESSENTIAL_KINDS = COALESCING_KINDS
"""Mails an enterprise may stop: the welcome and the change mail. Reminders that a label
lapses, the removal and an operator's hiding of its own data always go out."""


@dataclass(frozen=True)
class Timing:
    """How long mails wait for more of a burst."""

    quiet: timedelta

    @property
    def max_hold(self) -> timedelta:
        """The longest a coalescing mail waits after its first event."""
        return self.quiet * MAX_HOLD_PERIODS


@dataclass(frozen=True)
class OpenMail:
    """The enterprise's mail that still takes further events: its kind and first event's
    arrival."""

    kind: str
    first_at: datetime


@dataclass(frozen=True)
class Plan:
    """What one mailed event does: fold into the open mail, or start a new mail due at
    `due_at`; `close_open` ends the open mail's folding, `supersede_open` drops it."""

    action: Literal["fold", "new"]
    due_at: datetime
    close_open: bool = False
    supersede_open: bool = False


def is_essential(kind: str) -> bool:
    """Whether a mail of this kind goes out even to an enterprise that stopped the others."""
    return kind not in NON_ESSENTIAL_KINDS


def plan_mail(
    event: EnterpriseEvent, open_mail: OpenMail | None, now: datetime, timing: Timing
) -> Plan:
    """How a mailed event (see `domain.is_mailed`) joins the enterprise's mails."""
    match event:
        case EnterpriseUpdated() if open_mail is not None:
            return Plan("fold", due_after_change(open_mail.first_at, now, timing))
        case EnterpriseUpdated() | EnterpriseListed():
            # A listing always starts a new welcome (after a delisting, an open mail is none).
            return Plan("new", now + timing.quiet, close_open=open_mail is not None)
        case EnterpriseDelisted():
            supersede = open_mail is not None and open_mail.kind == "updated"
            return Plan("new", now, close_open=open_mail is not None, supersede_open=supersede)
        case EnterpriseRecertificationDue():
            due = reminder_due_at(event, now, timing)
            return Plan("new", due, close_open=open_mail is not None)
        case _:
            return Plan("new", now, close_open=open_mail is not None)


def due_after_change(first_at: datetime, now: datetime, timing: Timing) -> datetime:
    """A quiet period after the latest event, at most `max_hold` after the first."""
    return max(now, min(now + timing.quiet, first_at + timing.max_hold))


def reminder_due_at(event: EnterpriseRecertificationDue, now: datetime, timing: Timing) -> datetime:
    """At most a quiet period from now, and never after the last valid day has begun."""
    # Converted to UTC only once chosen: a last day in year 1 has no UTC moment before it.
    last_day_begins = datetime.combine(event.valid_until, time(0), tzinfo=LOCAL)
    return max(now, min(now + timing.quiet, last_day_begins)).astimezone(UTC)


def reminder_outdated(reminder: EnterpriseRecertificationDue, latest: EnterpriseState) -> bool:
    """Whether the enterprise's latest state no longer holds the label ending on the day the
    reminder names: renewed meanwhile (a new end date) or gone, so "vernieuw uw label" would
    be wrong."""
    if latest.version <= reminder.enterprise.version:
        return False
    return not any(
        h.label == reminder.label
        and h.holding_id == reminder.holding_id
        and h.valid_until == reminder.valid_until
        and h.counts
        for h in latest.labels
    )
