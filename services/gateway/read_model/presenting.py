"""From stored rows to what buyers see: labels with their last check, categories with their
CPV wording, the supplement, and which website to show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, NamedTuple, cast

from sqlalchemy import Row

from contracts.categories import category_named
from contracts.cpv import cpv_description
from contracts.labels import LABELS, LabelName
from services.gateway.labels import label_name
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow
from services.gateway.read_model.views import (
    CategoryView,
    CpvView,
    EnterpriseGone,
    EnterpriseView,
    LabelView,
    SupplementView,
    web_url,
)


def enterprise_view(
    row: EnterpriseRow | Row[Any],
    holdings: Sequence[HoldingRow | Row[Any] | Holding],
    checked: dict[str, datetime | None],
) -> EnterpriseView:
    """The enterprise with its counting labels; `checked`: each label's last successful scrape.
    Rows as ORM objects or as plain result rows of the tables (cheaper to read).

    Built without validating again what the read model's typed columns already hold (a page
    builds twenty of these, and validating them was most of a search's own work): each field
    gets the value validation would give it, the URLs passed through `web_url` as the views'
    validators do. The supplement, stored as JSON, is validated."""
    supplement = SupplementView.model_validate(row.supplement) if row.supplement else None
    website, source = _website(row.website, supplement)
    counting = sorted((h for h in holdings if h.counts), key=lambda h: LABELS.index(h.label))
    return EnterpriseView.model_construct(
        enterprise_id=row.enterprise_id,
        name=row.name,
        place=row.place,
        municipality=row.municipality,
        province=row.province,
        region=row.region,
        website=website,
        website_source=source,
        kvk=list(row.kvk),
        labels=[_label_view(h, checked.get(h.label)) for h in counting],
        themes=list(row.themes),
        listed_since=row.listed_since,
        grace_until=row.grace_until,
        summary=row.summary,
        summary_label=cast(LabelName | None, row.summary_label),
        categories=[view for view in map(category_view, row.categories) if view is not None],
        categories_chosen=row.categories_chosen,
        supplement=supplement,
    )


class Holding(NamedTuple):
    """What a view shows of a holding, when read with its enterprise in one query."""

    label: str
    level: str | None
    pso30plus: bool
    status: str
    valid_from: date | None
    valid_until: date | None
    counts: bool
    grace_until: date | None
    source_url: str
    last_verified_at: datetime


@cache
def category_view(slug: str) -> CategoryView | None:
    """A category with its CPV codes and their Dutch wording; None for an unknown slug."""
    category = category_named(slug)
    if category is None:
        return None
    codes = [CpvView(code=code, description=cpv_description(code)) for code in category.cpv]
    return CategoryView(slug=category.slug, name=category.name, cpv=codes)


def enterprise_gone(row: EnterpriseRow) -> EnterpriseGone:
    """A delisted enterprise: since when and why it is no longer listed."""
    reason = row.delisted_reason if row.delisted_reason in _GONE_BECAUSE else None
    since = f" since {row.delisted_at:%Y-%m-%d}" if row.delisted_at else ""
    label = label_name(row.lapsed_label or "")
    because = _GONE_BECAUSE[reason].format(label=label) if reason else ""
    return EnterpriseGone.model_validate(
        {
            "enterprise_id": row.enterprise_id,
            "name": row.name,
            "delisted_at": row.delisted_at,
            "reason": reason,
            "lapsed_label": row.lapsed_label if reason == "label_lapsed" else None,
            "lapsed_on": row.lapsed_on if reason == "label_lapsed" else None,
            "detail": f"{row.name} is no longer listed{since}{because}.",
            "categories": row.categories,
        }
    )


_GONE_BECAUSE = {
    "label_lapsed": ", because its {label} label lapsed",
    "outside_region": ", because it is established outside the region this platform serves",
    "moved": ", because it moved outside the region this platform serves",
}


def _website(
    registry: str | None, supplement: SupplementView | None
) -> tuple[str | None, Literal["registry", "enterprise"] | None]:
    """A registry's website wins; the enterprise's own is shown only while none is published
    (a registry's that is not http(s) counts as none)."""
    shown = web_url(registry)
    if shown:
        return shown, "registry"
    if supplement is not None and supplement.website:
        return supplement.website, "enterprise"
    return None, None


def _label_view(holding: HoldingRow | Row[Any] | Holding, scraped: datetime | None) -> LabelView:
    verified = holding.last_verified_at
    return LabelView.model_construct(
        label=cast(LabelName, holding.label),
        level=holding.level,
        pso30plus=holding.pso30plus,
        status=holding.status,
        valid_from=holding.valid_from,
        valid_until=holding.valid_until,
        grace_until=holding.grace_until,
        last_verified_at=verified,
        last_checked_at=max(verified, scraped) if scraped else verified,
        source_url=web_url(holding.source_url),
    )
