"""Label events: what the scraper saw change in a label registry."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

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

# Limits no real holding reaches; they keep every event, and every enterprise event merged
# from holdings, far below nats-server's max_payload (docs in contracts/enterprises.py).
KVK_PER_HOLDING_MAX = 20
THEMES_PER_HOLDING_MAX = 30
THEME_CHARS_MAX = 100
NAME_CHARS_MAX = 300
PLACE_CHARS_MAX = 120
WEBSITE_CHARS_MAX = 300
SUMMARY_CHARS_MAX = 2000
HOLDING_ID_CHARS_MAX = 200
LEVEL_CHARS_MAX = 60
STATUS_CHARS_MAX = 60
SOURCE_URL_CHARS_MAX = 1000
Theme = Annotated[str, StringConstraints(max_length=THEME_CHARS_MAX)]


class Observation(Frozen):
    """One (label, holding) as read from a registry in one successful run."""

    label: LabelName
    holding_id: str = Field(min_length=1, max_length=HOLDING_ID_CHARS_MAX)
    name: str = Field(min_length=1, max_length=NAME_CHARS_MAX)
    place: str | None = Field(default=None, max_length=PLACE_CHARS_MAX)
    kvk: tuple[KvkNumber, ...] = Field(default=(), max_length=KVK_PER_HOLDING_MAX)
    website: str | None = Field(default=None, max_length=WEBSITE_CHARS_MAX)
    level: str | None = Field(default=None, max_length=LEVEL_CHARS_MAX)
    pso30plus: bool = False
    status: str = Field(min_length=1, max_length=STATUS_CHARS_MAX)
    valid_from: date | None = None
    valid_until: date | None = None
    counts: bool
    source_url: str = Field(min_length=1, max_length=SOURCE_URL_CHARS_MAX)
    themes: tuple[Theme, ...] = Field(default=(), max_length=THEMES_PER_HOLDING_MAX)
    summary: str | None = Field(
        default=None,
        max_length=SUMMARY_CHARS_MAX,
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
    holding_id: str = Field(max_length=HOLDING_ID_CHARS_MAX)
    reason: Literal["absent", "expired", "not_counting"]
    lapsed_on: date
    last_observation: Observation


LabelEvent = LabelGranted | LabelChanged | LabelLapsed
AnyLabelEvent = Annotated[LabelEvent, Field(discriminator="kind")]
"""A label event as a payload type: its `kind` picks the class."""
