"""Label events: what the scraper saw change in a label registry."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from contracts.base import Event, Frozen
from contracts.kvk import KvkNumber

LabelName = Literal["pso", "codeso", "senl", "cedris"]
LABELS: tuple[LabelName, ...] = ("pso", "codeso", "senl", "cedris")
"""Every label, in the order people are shown them."""

# How people are told a label's name (Dutch), in LABELS order.
LABEL_DISPLAY_NAMES: dict[LabelName, str] = {
    "pso": "PSO",
    "codeso": "Code Sociale Ondernemingen",
    "senl": "Social Enterprise NL",
    "cedris": "Cedris leerwerkbedrijf",
}
"""On pages, in exports and in search forms."""
LABEL_FULL_NAMES: dict[LabelName, str] = {
    **LABEL_DISPLAY_NAMES,
    "pso": "PSO (Prestatieladder Socialer Ondernemen)",
}
"""In a mail's sentences, where an abbreviation needs explaining."""
LABEL_SHORT_NAMES: dict[LabelName, str] = {**LABEL_DISPLAY_NAMES, "cedris": "Cedris"}
"""In a mail's before/after table, beside a level."""


class Observation(Frozen):
    """One (label, holding) as read from a registry in one successful run."""

    label: LabelName
    holding_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    place: str | None = Field(default=None, max_length=120)
    kvk: tuple[KvkNumber, ...] = ()
    website: str | None = Field(default=None, max_length=300)
    level: str | None = Field(default=None, max_length=60)
    pso30plus: bool = False
    status: str = Field(min_length=1, max_length=60)
    valid_from: date | None = None
    valid_until: date | None = None
    counts: bool
    source_url: str = Field(min_length=1, max_length=1000)
    themes: tuple[str, ...] = ()
    summary: str | None = Field(
        default=None,
        max_length=2000,
        description="What the registry says the holder does (a card's excerpt, a profile's "
        "description), as plain text",
    )

    def fingerprint(self) -> tuple[object, ...]:
        """The published facts whose change, while the holding counts, is a `changed` event."""
        return (
            self.level,
            self.pso30plus,
            self.status,
            self.valid_from,
            self.valid_until,
            self.counts,
            self.kvk,
            self.website,
            self.name,
            self.place,
            self.themes,
            self.summary,
        )


class LabelGranted(Event):
    """A holding that counts was seen for the first time (or again, after a lapse)."""

    kind: Literal["granted"] = "granted"
    observation: Observation


class LabelChanged(Event):
    """A counting holding's level, status, dates or published facts changed."""

    kind: Literal["changed"] = "changed"
    observation: Observation
    previous: Observation


class LabelLapsed(Event):
    """A holding stopped counting: gone from the registry, expired, or no longer valid."""

    kind: Literal["lapsed"] = "lapsed"
    label: LabelName
    holding_id: str
    reason: Literal["absent", "expired", "not_counting"]
    lapsed_on: date
    last_observation: Observation


LabelEvent = LabelGranted | LabelChanged | LabelLapsed
AnyLabelEvent = Annotated[LabelEvent, Field(discriminator="kind")]
"""A label event as a payload type: its `kind` picks the class."""
