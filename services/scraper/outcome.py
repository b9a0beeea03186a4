"""What a run reports: its outcome, and observations printed one JSON line each for the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from contracts.labels import LabelEvent, LabelName, Observation
from contracts.scrapes import ScrapeStats


@dataclass
class RunOutcome:
    """What one run did: for the scheduler's log, the on-demand reply and the CLI."""

    label: LabelName
    started_at: datetime
    ok: bool
    stats: ScrapeStats
    reason: str | None = None
    observations: list[Observation] = field(default_factory=list)
    events: list[LabelEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The bodies of `stats.bytes_received` after decompression. Not in the ScrapeStats
    # contract: a field added there would be refused by consumers built before it.
    bytes_decoded: int = 0
    # Per endpoint whose request shape is uncertain, the known shape that worked. Not in
    # ScrapeCompleted for the same reason as `bytes_decoded`.
    request_shapes: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """A small JSON-able account of the run."""
        kinds = [e.kind for e in self.events]
        return {
            "label": self.label,
            "ok": self.ok,
            "reason": self.reason,
            "started_at": self.started_at.isoformat(),
            "stats": self.stats.model_dump(),
            "granted": kinds.count("granted"),
            "changed": kinds.count("changed"),
            "lapsed": kinds.count("lapsed"),
            "warnings": len(self.warnings),
            "request_shapes": self.request_shapes,
        }


OBSERVATION_FIELDS = (
    "label",
    "holding_id",
    "name",
    "place",
    "kvk",
    "website",
    "level",
    "pso30plus",
    "status",
    "valid_from",
    "valid_until",
    "counts",
    "source_url",
)


def observation_line(observation: Observation) -> str:
    """One JSON line with exactly the observation fields of label-sources.md (for the CLI)."""
    data = observation.model_dump(mode="json", include=set(OBSERVATION_FIELDS))
    return json.dumps({name: data[name] for name in OBSERVATION_FIELDS}, ensure_ascii=False)
