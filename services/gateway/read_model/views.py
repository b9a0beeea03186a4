"""What the read model answers with: the shapes of the JSON API, also used by the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, model_validator

from contracts.labels import LabelName
from services.kit.health import ConsumerHealth, ServiceHealth


def web_url(value: str | None) -> str | None:
    """The URL when it is http(s) with a host, else None: the label registries and the
    enterprises' own forms feed these, and a `javascript:` or `data:` link must never reach a
    page or another region's site."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


WebUrl = Annotated[
    str | None,
    AfterValidator(web_url),
    Field(description="An http(s) URL; null when the source gave none, or another kind"),
]


class LabelView(BaseModel):
    """A label an enterprise holds that counts for its listing."""

    label: LabelName
    level: str | None
    pso30plus: bool
    status: str
    valid_from: date | None
    valid_until: date | None
    grace_until: date | None = Field(
        description="Set while the label has lapsed but still counts (hercertificering "
        "loopt): the last day it counts unless it is renewed"
    )
    last_verified_at: datetime
    last_checked_at: datetime = Field(
        description="The later of last_verified_at and the label's last successful scrape"
    )
    source_url: WebUrl


class CpvView(BaseModel):
    """A CPV 2008 code with its official Dutch wording."""

    code: str
    description: str | None = Field(description="None when the code is not in the CPV list")


class CategoryView(BaseModel):
    """A category of what the enterprise offers, with the CPV codes it maps to."""

    slug: str
    name: str
    cpv: list[CpvView]


class ContactView(BaseModel):
    """Whom buyers may contact, as the enterprise gave it."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


class SupplementView(BaseModel):
    """What the enterprise added to its listing itself (fields an operator hid left out)."""

    description: str | None = None
    keywords: list[str] = []
    delivery_areas: list[str] = Field(
        default=[], description="Municipalities, labour-market regions, or `heel Nederland`"
    )
    contact: ContactView | None = None
    website: WebUrl = None
    updated_at: datetime


class EnterpriseView(BaseModel):
    """A listed enterprise as buyers see it."""

    enterprise_id: str
    name: str
    place: str | None
    municipality: str | None
    province: str | None
    region: str | None
    website: Annotated[
        str | None,
        AfterValidator(web_url),
        Field(
            description="The http(s) website a label registry publishes, else the one the "
            "enterprise gave (see website_source)"
        ),
    ]
    website_source: Literal["registry", "enterprise"] | None
    kvk: list[str]
    labels: list[LabelView]
    themes: list[str]
    listed_since: datetime | None
    grace_until: date | None = Field(
        description="Set while the enterprise is listed only because a lapsed label is in its "
        "grace period (hercertificering loopt): the last day it stays listed unless a label "
        "returns"
    )
    summary: str | None = Field(description="What a label registry publishes about it")
    summary_label: LabelName | None = Field(
        description="The label whose registry published the summary"
    )
    categories: list[CategoryView]
    categories_chosen: bool = Field(
        description="True: the enterprise chose its categories; false: derived from what the "
        "label registries publish"
    )
    supplement: SupplementView | None

    @model_validator(mode="after")
    def _no_source_without_website(self) -> EnterpriseView:
        if self.website is None:
            self.website_source = None
        return self


class Facets(BaseModel):
    """Counts of the filtered enterprises per value (each ignoring its own filter)."""

    label: dict[str, int]
    province: dict[str, int]
    region: dict[str, int]
    municipality: dict[str, int]
    category: dict[str, int] = Field(
        description="Every category of the list, by slug, in list order (zero included)"
    )
    delivery_area: dict[str, int] = Field(
        description="Labour-market regions the filtered enterprises deliver in"
    )
    reserved: int = Field(
        description="How many of them may receive a contract reserved under article 2.82 of "
        "the Aanbestedingswet 2012 (a counting PSO 30+ certificate)",
    )


class EnterprisePage(BaseModel):
    """One page of search results."""

    items: list[EnterpriseView]
    total: int
    page: int
    page_size: int
    facets: Facets


class EnterpriseGone(BaseModel):
    """An enterprise that is no longer listed: since when and why."""

    enterprise_id: str
    name: str
    delisted_at: datetime | None = Field(description="When it left the listing")
    reason: Literal["label_lapsed", "outside_region", "moved"] | None = Field(
        description="`label_lapsed`: its last counting label lapsed; `outside_region`: its "
        "place lies outside the region this platform serves; `moved`: it moved to a place "
        "outside it"
    )
    lapsed_label: LabelName | None = Field(description="For `label_lapsed`: which label")
    lapsed_on: date | None = Field(description="For `label_lapsed`: the day it lapsed")
    detail: str = Field(description="The same, as one English sentence")
    categories: list[str] = Field(
        description="What it offered (category slugs): where to look for alternatives"
    )


class SourceView(BaseModel):
    """Freshness of one label registry."""

    label: LabelName
    name: str
    last_success_at: datetime | None
    last_success_started_at: datetime | None
    holdings: int | None
    counting: int | None
    last_failure_at: datetime | None
    last_failure_reason: str | None
    next_run_at: datetime | None


class SourceList(BaseModel):
    """Every label registry, in a fixed order."""

    items: list[SourceView]


class Health(BaseModel):
    """Liveness plus what an operator looks at first: the read model, the gateway's own
    durables and dead letters, and every other service's health report."""

    status: Literal["ok", "degraded"] = Field(
        default="ok", description="`degraded` when `problems` is not empty"
    )
    nats_connected: bool
    feed_started: bool
    enterprises_listed: int
    events_processed: int
    checked_at: datetime | None = Field(
        default=None, description="When the gateway's and the services' reports were taken"
    )
    problems: list[str] = Field(
        default_factory=list,
        description="The gateway's own problems, and one line per service that is not `ok`",
    )
    consumers: list[ConsumerHealth] = Field(
        default_factory=list, description="The gateway's own durables"
    )
    dead_letters: int | None = Field(
        default=None, description="The gateway's dead letters (null: not known)"
    )
    services: list[ServiceHealth] = Field(
        default_factory=list,
        description="The scraper's, the registry's and the notifier's reports, or "
        "`unreachable` for one that did not answer in time",
    )
