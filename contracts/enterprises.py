"""Enterprise events: who is listed, with their full public state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from contracts.base import Event, Frozen
from contracts.labels import LabelName


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
    kvk: tuple[str, ...] = ()
    labels: tuple[LabelHolding, ...] = ()
    themes: tuple[str, ...] = ()
    listed: bool
    listed_since: datetime | None = None


class EnterpriseListed(Event):
    """An enterprise became visible to buyers: at least one of its labels counts."""

    kind: Literal["listed"] = "listed"
    enterprise: EnterpriseState


class EnterpriseUpdated(Event):
    """A listed enterprise's public state changed."""

    kind: Literal["updated"] = "updated"
    enterprise: EnterpriseState
    changes: tuple[str, ...] = ()


class EnterpriseDelisted(Event):
    """An enterprise stopped being visible: its last counting label lapsed."""

    kind: Literal["delisted"] = "delisted"
    enterprise: EnterpriseState
    lapsed_label: LabelName
    lapsed_on: date


EnterpriseEvent = EnterpriseListed | EnterpriseUpdated | EnterpriseDelisted
