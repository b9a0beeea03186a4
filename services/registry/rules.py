"""The registry's listing rules that differ per deployment: the region it serves, the grace
period after a lapse and when to remind an enterprise of its label's end. Built once from the
settings at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.registry.regions.served import ServedRegion

DEFAULT_LEAD_DAYS = (60, 30, 7)


@dataclass(frozen=True)
class ListingRules:
    """What a deployment decides; the defaults are the platform's strict policy."""

    served: ServedRegion = field(default_factory=ServedRegion)
    grace_days: int = 0
    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise ValueError("the grace period cannot be negative")
        if any(days < 1 for days in self.lead_days):
            raise ValueError("reminder lead times are whole days, at least 1")
        object.__setattr__(self, "lead_days", tuple(sorted(set(self.lead_days), reverse=True)))


STRICT = ListingRules()
"""The default rules: every served province, no grace period, the default reminders."""
