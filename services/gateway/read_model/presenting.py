"""From stored rows to what buyers see: labels with their last check, categories with their
CPV wording, the supplement, and which website to show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import Row
from sqlmodel import SQLModel

from contracts.categories import category_named
from contracts.cpv import cpv_description
from contracts.labels import LABELS
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
    holdings: Sequence[HoldingRow | Row[Any]],
    checked: dict[str, datetime | None],
) -> EnterpriseView:
    """The enterprise with its counting labels; `checked`: each label's last successful scrape.
    Rows as ORM objects or as plain result rows of the tables (cheaper to read)."""
    supplement = SupplementView.model_validate(row.supplement) if row.supplement else None
    website, source = _website(row.website, supplement)
    counting = sorted((h for h in holdings if h.counts), key=lambda h: LABELS.index(h.label))
    return EnterpriseView.model_validate(
        {
            **_fields(row),
            "labels": [_label_view(h, checked.get(h.label)) for h in counting],
            "website": website,
            "website_source": source,
            "categories": [view for view in map(category_view, row.categories) if view is not None],
            "supplement": supplement,
        }
    )


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
    if web_url(registry):
        return registry, "registry"
    if supplement is not None and supplement.website:
        return supplement.website, "enterprise"
    return None, None


def _label_view(holding: HoldingRow | Row[Any], scraped: datetime | None) -> LabelView:
    verified = holding.last_verified_at
    return LabelView.model_validate(
        {
            **_fields(holding),
            "last_checked_at": max(verified, scraped) if scraped else verified,
        }
    )


def _fields(row: SQLModel | Row[Any]) -> dict[str, Any]:
    return row.model_dump() if isinstance(row, SQLModel) else dict(row._mapping)
