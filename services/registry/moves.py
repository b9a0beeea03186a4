"""A move: a listed enterprise whose subject (province or region) changed while it stays
listed. Subscribers filter on the subject, so a move is told as a delisting under the old
subject and a listing under the new, never as an update only the new subject carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseState,
)
from contracts.subjects import enterprise_subject

# What a subscriber filtered on the old subject last saw of where the enterprise is.
PLACE_FIELDS = ("place", "municipality", "province", "region")


@dataclass(frozen=True)
class Moved:
    """A listed enterprise whose subject changed (another province or region), still listed:
    delisted (reason `moved`, version n+1) under the old subject, then listed (n+2) under the
    new one, so a subscriber filtered on either sees it leave or arrive, and one that sees both
    ends, by version, with the enterprise listed at its new place. It reads as its listing."""

    delisted: EnterpriseDelisted
    listed: EnterpriseListed

    kind: ClassVar[Literal["moved"]] = "moved"

    @property
    def enterprise(self) -> EnterpriseState:
        """The state consumers now see: the listing's."""
        return self.listed.enterprise


Outcome = EnterpriseEvent | Moved | None
"""What a change tells consumers: one enterprise event, a move (two), or nothing."""


def events_of(outcome: Outcome) -> tuple[EnterpriseEvent, ...]:
    """The enterprise events an outcome queues, in the order consumers must see them."""
    if outcome is None:
        return ()
    if isinstance(outcome, Moved):
        return outcome.delisted, outcome.listed
    return (outcome,)


def last_event(outcome: Outcome) -> EnterpriseEvent | None:
    """The event that tells consumers the state as it now is."""
    return outcome.listed if isinstance(outcome, Moved) else outcome


def subject_changed(before: EnterpriseState, after: EnterpriseState) -> bool:
    """Whether consumers filtered on the subject (province and region) would lose sight of it."""
    return enterprise_subject(before.province, before.region, "listed") != enterprise_subject(
        after.province, after.region, "listed"
    )


def moved(
    before: EnterpriseState, after: EnterpriseState, occurred_at: datetime, source: str
) -> Moved:
    """Delisted at `after`'s version from the old place, listed one version later at the new.

    The listing keeps `listed_since`: the enterprise never stopped being listed, and that is
    how consumers that tell it news (the notifier) recognise the listing of a move.
    """
    left = after.model_copy(
        update={
            **{name: getattr(before, name) for name in PLACE_FIELDS},
            "listed": False,
            "listed_since": None,
            "grace_until": None,
            "supplement": None,
        }
    )
    arrived = after.model_copy(update={"version": after.version + 1})
    return Moved(
        EnterpriseDelisted(
            event_id=deterministic_id(left.enterprise_id, left.version, "delisted"),
            enterprise=left,
            occurred_at=occurred_at,
            source=source,
            reason="moved",
        ),
        EnterpriseListed(
            event_id=deterministic_id(arrived.enterprise_id, arrived.version, "listed"),
            enterprise=arrived,
            occurred_at=occurred_at,
            source=source,
        ),
    )
