"""Enterprise events: who is listed, with their full public state.

Every list and text has a limit no real enterprise reaches, so that every event stays far
below nats-server's max_payload (1 MB by default): at the limits, an event is under
`EVENT_BYTES_BUDGET` even with accented text throughout. The registry merges holdings into
one state within these limits (it keeps the first of a longer list, and says so in its log);
a payload beyond them fails validation, naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from contracts.base import Event, Frozen
from contracts.kvk import KvkNumber
from contracts.labels import (
    HOLDING_ID_CHARS_MAX,
    LEVEL_CHARS_MAX,
    NAME_CHARS_MAX,
    PLACE_CHARS_MAX,
    SOURCE_URL_CHARS_MAX,
    STATUS_CHARS_MAX,
    SUMMARY_CHARS_MAX,
    WEBSITE_CHARS_MAX,
    LabelName,
    Theme,
)
from contracts.supplements import ListingSupplement, SupplementField

EVENT_BYTES_BUDGET = 64 * 1024
HOLDINGS_MAX = 10
KVK_MAX = 40
THEMES_MAX = 40
CATEGORIES_MAX = 40
CHANGES_MAX = 20
AREA_CHARS_MAX = 120
ENTERPRISE_ID_CHARS_MAX = 64
Slug = Annotated[str, StringConstraints(max_length=60)]
AreaName = Annotated[str, StringConstraints(max_length=AREA_CHARS_MAX)]


class LabelHolding(Frozen):
    """One label an enterprise holds, as last verified in its registry."""

    label: LabelName
    holding_id: str = Field(max_length=HOLDING_ID_CHARS_MAX)
    level: str | None = Field(default=None, max_length=LEVEL_CHARS_MAX)
    pso30plus: bool = False
    status: str = Field(max_length=STATUS_CHARS_MAX)
    valid_from: date | None = None
    valid_until: date | None = None
    counts: bool
    grace_until: date | None = Field(
        default=None,
        description="Set while the label has lapsed but still counts, in the grace period "
        "(hercertificering loopt): the last day it counts unless it returns",
    )
    source_url: str = Field(max_length=SOURCE_URL_CHARS_MAX)
    last_verified_at: datetime


class EnterpriseState(Frozen):
    """The public state of an enterprise, complete in every event so consumers need no lookups."""

    enterprise_id: str = Field(max_length=ENTERPRISE_ID_CHARS_MAX)
    version: int = Field(ge=1, description="Increases with every change; consumers skip stale ones")
    name: str = Field(max_length=NAME_CHARS_MAX)
    place: str | None = Field(default=None, max_length=PLACE_CHARS_MAX)
    municipality: AreaName | None = None
    province: AreaName | None = None
    region: AreaName | None = None
    website: str | None = Field(default=None, max_length=WEBSITE_CHARS_MAX)
    kvk: tuple[KvkNumber, ...] = Field(default=(), max_length=KVK_MAX)
    labels: tuple[LabelHolding, ...] = Field(default=(), max_length=HOLDINGS_MAX)
    themes: tuple[Theme, ...] = Field(default=(), max_length=THEMES_MAX)
    listed: bool
    listed_since: datetime | None = None
    grace_until: date | None = Field(
        default=None,
        description="Set while the enterprise is listed only thanks to the grace period "
        "(hercertificering loopt): the last day it stays listed unless a label returns",
    )
    summary: str | None = Field(
        default=None,
        max_length=SUMMARY_CHARS_MAX,
        description="What a label registry publishes about the enterprise (the newest "
        "holding that has a description)",
    )
    summary_label: LabelName | None = Field(
        default=None, description="The label registry whose description `summary` is"
    )
    categories: tuple[Slug, ...] = Field(
        default=(),
        max_length=CATEGORIES_MAX,
        description="Category slugs of `contracts.categories`",
    )
    categories_chosen: bool = Field(
        default=False,
        description="True: the enterprise chose its categories; false: the registry derived "
        "them from what the label registries publish",
    )
    supplement: ListingSupplement | None = Field(
        default=None,
        description="What the enterprise added itself, while it is listed; it never decides "
        "who is listed",
    )


class EnterpriseListed(Event):
    """An enterprise became visible to buyers: at least one of its labels counts.

    Right after an EnterpriseDelisted with reason `moved` (one version earlier, under the old
    subject) it is the same enterprise arriving under its new subject: it never stopped being
    listed, so its `listed_since` is earlier than `occurred_at` (a new listing's equals it).
    """

    kind: Literal["listed"] = "listed"
    enterprise: EnterpriseState


class EnterpriseUpdated(Event):
    """A listed enterprise's public state changed."""

    kind: Literal["updated"] = "updated"
    enterprise: EnterpriseState
    changes: tuple[Annotated[str, StringConstraints(max_length=40)], ...] = Field(
        default=(), max_length=CHANGES_MAX
    )


DelistReason = Literal["label_lapsed", "outside_region", "moved"]
"""`label_lapsed`: its last counting label lapsed; `outside_region`: its place now lies
outside the served region; `moved`: it moved to another province or region and stays listed
there (an EnterpriseListed under the new subject follows, one version later)."""


class EnterpriseDelisted(Event):
    """An enterprise stopped being visible under this subject: its last counting label lapsed
    (`lapsed_label` and `lapsed_on` say which and when), its place now lies outside the served
    region, or it moved (`moved`: the state names the old place, and the enterprise is listed
    again, at its new place, under its new province and region's subject)."""

    kind: Literal["delisted"] = "delisted"
    enterprise: EnterpriseState
    reason: DelistReason = "label_lapsed"
    lapsed_label: LabelName | None = None
    lapsed_on: date | None = None

    @model_validator(mode="after")
    def _lapse_named(self) -> EnterpriseDelisted:
        if self.reason == "label_lapsed" and (self.lapsed_label is None or self.lapsed_on is None):
            raise ValueError("a delisting because a label lapsed names the label and the day")
        return self


class EnterpriseRecertificationDue(Event):
    """A listed enterprise's label, whose loss would delist it, ends in `lead_days` days or
    fewer: renew it before `valid_until`. Sent once per lead time and validity period."""

    kind: Literal["recertification_due"] = "recertification_due"
    enterprise: EnterpriseState
    label: LabelName
    holding_id: str = Field(max_length=HOLDING_ID_CHARS_MAX)
    valid_until: date
    lead_days: int = Field(ge=0)


class EnterpriseSupplementHidden(Event):
    """An operator hid (part of) a listed enterprise's supplement as misleading; the state
    shows it without those fields. The enterprise is told why."""

    kind: Literal["supplement_hidden"] = "supplement_hidden"
    enterprise: EnterpriseState
    fields: tuple[SupplementField, ...] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)


EnterpriseEvent = (
    EnterpriseListed
    | EnterpriseUpdated
    | EnterpriseDelisted
    | EnterpriseRecertificationDue
    | EnterpriseSupplementHidden
)
AnyEnterpriseEvent = Annotated[EnterpriseEvent, Field(discriminator="kind")]
"""An enterprise event as a payload type: its `kind` picks the class."""
