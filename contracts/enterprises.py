"""Enterprise events: who is listed, with their full public state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from contracts.base import Event, Frozen
from contracts.kvk import KvkNumber
from contracts.labels import LabelName
from contracts.supplements import ListingSupplement, SupplementField


class LabelHolding(Frozen):
    """One label an enterprise holds, as last verified in its registry."""

    label: LabelName
    holding_id: str
    level: str | None = None
    pso30plus: bool = False
    status: str
    valid_from: date | None = None
    valid_until: date | None = None
    counts: bool
    grace_until: date | None = Field(
        default=None,
        description="Set while the label has lapsed but still counts, in the grace period "
        "(hercertificering loopt): the last day it counts unless it returns",
    )
    source_url: str
    last_verified_at: datetime


class EnterpriseState(Frozen):
    """The public state of an enterprise, complete in every event so consumers need no lookups."""

    enterprise_id: str
    version: int = Field(ge=1, description="Increases with every change; consumers skip stale ones")
    name: str
    place: str | None = None
    municipality: str | None = None
    province: str | None = None
    region: str | None = None
    website: str | None = None
    kvk: tuple[KvkNumber, ...] = ()
    labels: tuple[LabelHolding, ...] = ()
    themes: tuple[str, ...] = ()
    listed: bool
    listed_since: datetime | None = None
    grace_until: date | None = Field(
        default=None,
        description="Set while the enterprise is listed only thanks to the grace period "
        "(hercertificering loopt): the last day it stays listed unless a label returns",
    )
    summary: str | None = Field(
        default=None,
        description="What a label registry publishes about the enterprise (the newest "
        "holding that has a description)",
    )
    summary_label: LabelName | None = Field(
        default=None, description="The label registry whose description `summary` is"
    )
    categories: tuple[str, ...] = Field(
        default=(), description="Category slugs of `contracts.categories`"
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
    changes: tuple[str, ...] = ()


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
    holding_id: str
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
