"""An enterprise and its label holdings: what the registry knows, and what each holding
counts for on a given day (validity, lapse, grace period)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseState, LabelHolding
from contracts.labels import LabelName, Observation
from services.registry.regions.resolver import ResolutionStatus
from services.registry.supplements import StoredSupplement

HoldingKey = tuple[LabelName, str]
ReminderKey = tuple[LabelName, str, date, int]
"""(label, holding_id, valid_until, lead_days): one reminder of one validity period."""


@dataclass
class Holding:
    """One label held by an enterprise, as the scraper last observed it."""

    observation: Observation
    last_event_at: datetime
    lapsed_on: date | None = None
    municipality_code: str | None = None
    place_status: ResolutionStatus | None = None

    @property
    def key(self) -> HoldingKey:
        """(label, holding_id): unique across all registries."""
        return (self.observation.label, self.observation.holding_id)

    def expired(self, today: date) -> bool:
        """Whether its validity ended before `today`."""
        valid_until = self.observation.valid_until
        return valid_until is not None and valid_until < today

    def counts_strictly(self, today: date) -> bool:
        """The listing rule for one holding: a valid label, neither lapsed nor expired."""
        return self.observation.counts and self.lapsed_on is None and not self.expired(today)

    def lapse_day(self, today: date) -> date | None:
        """The first day it no longer counted: when it lapsed, or the day after its validity
        ended, whichever came first; None while it counts or when it never lapsed."""
        if self.counts_strictly(today):
            return None
        valid_until = self.observation.valid_until
        days = [self.lapsed_on] if self.lapsed_on else []
        if valid_until is not None and valid_until < today:
            days.append(valid_until + timedelta(days=1))
        return min(days, default=None)

    def grace_until(self, today: date, grace_days: int) -> date | None:
        """The last day a lapsed holding still counts, while `today` is in its grace period."""
        lapsed = self.lapse_day(today) if grace_days > 0 else None
        if lapsed is None:
            return None
        try:
            last = lapsed + timedelta(days=grace_days - 1)
        except OverflowError:  # a lapse within the grace period of the calendar's end
            last = date.max
        return last if today <= last else None

    def counts(self, today: date, grace_days: int = 0) -> bool:
        """Whether it counts for listing today, the grace period included."""
        return self.counts_strictly(today) or self.grace_until(today, grace_days) is not None

    def public(self, today: date, grace_days: int = 0) -> LabelHolding:
        """The holding as buyers see it."""
        obs = self.observation
        return LabelHolding(
            label=obs.label,
            holding_id=obs.holding_id,
            level=obs.level,
            pso30plus=obs.pso30plus,
            status=obs.status,
            valid_from=obs.valid_from,
            valid_until=obs.valid_until,
            counts=self.counts(today, grace_days),
            grace_until=self.grace_until(today, grace_days),
            source_url=obs.source_url,
            last_verified_at=self.last_event_at,
        )


@dataclass
class Enterprise:
    """An enterprise with its holdings and the public state consumers last received."""

    enterprise_id: str
    holdings: dict[HoldingKey, Holding] = field(default_factory=dict)
    published: EnterpriseState | None = None
    reminded: set[ReminderKey] = field(default_factory=set)
    next_check_on: date | None = None
    supplement: StoredSupplement | None = None

    @property
    def version(self) -> int:
        """Version of the last published state; 0 before anything was published."""
        return self.published.version if self.published else 0

    @property
    def listed(self) -> bool:
        """Whether consumers were last told this enterprise is listed."""
        return self.published is not None and self.published.listed

    def kvk(self) -> tuple[str, ...]:
        """Every KvK number any of its holdings names."""
        return tuple(sorted({k for h in self.holdings.values() for k in h.observation.kvk}))


def new_enterprise_id(label: LabelName, holding_id: str) -> str:
    """The id of the enterprise a holding founds when it joins no existing one."""
    return deterministic_id("enterprise", label, holding_id)[:16]
