"""What a region's page reads from the read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.categories import CATEGORIES
from services.gateway.read_model.tables import EnterpriseRow, ListingChangeRow
from services.gateway.regions.history import Change


@dataclass(frozen=True)
class Listed:
    """A listed enterprise as the region's page links it."""

    enterprise_id: str
    name: str
    place: str | None


@dataclass(frozen=True)
class CategoryGroup:
    """The region's listed enterprises offering one category (`slug` None: no category)."""

    slug: str | None
    name: str
    enterprises: list[Listed]


def region_counts(session: Session) -> dict[str, int]:
    """Listed enterprises per region (regions with none left out)."""
    rows = session.exec(
        select(EnterpriseRow.region, func.count())
        .where(col(EnterpriseRow.listed).is_(True), col(EnterpriseRow.region).is_not(None))
        .group_by(col(EnterpriseRow.region))
    ).all()
    return {region: count for region, count in rows if region}


def by_category(session: Session, region: str) -> list[CategoryGroup]:
    """The region's listed enterprises under each category they offer, in the categories'
    order, then those without a category; an enterprise offering several is under each."""
    rows = session.exec(
        select(EnterpriseRow)
        .where(col(EnterpriseRow.listed).is_(True), EnterpriseRow.region == region)
        .order_by(col(EnterpriseRow.sort_name), col(EnterpriseRow.enterprise_id))
    ).all()
    groups: dict[str | None, list[Listed]] = {}
    for row in rows:
        listed = Listed(row.enterprise_id, row.name, row.place)
        slugs: list[str | None] = list((row.category_slugs or "").split())
        for slug in slugs or [None]:
            groups.setdefault(slug, []).append(listed)
    named = [CategoryGroup(c.slug, c.name, groups[c.slug]) for c in CATEGORIES if c.slug in groups]
    if None in groups:
        named.append(CategoryGroup(None, "Nog zonder categorie", groups[None]))
    return named


def listed_in(session: Session, region: str) -> int:
    """How many enterprises in the region are listed now."""
    return session.exec(
        select(func.count())
        .select_from(EnterpriseRow)
        .where(col(EnterpriseRow.listed).is_(True), EnterpriseRow.region == region)
    ).one()


def changes_since(session: Session, region: str, since: datetime) -> list[Change]:
    """The region's listing changes from `since` on (served by the (region, time) index)."""
    rows = session.exec(
        select(ListingChangeRow.occurred_at, ListingChangeRow.change, ListingChangeRow.reason)
        .where(ListingChangeRow.region == region, col(ListingChangeRow.occurred_at) >= since)
        .order_by(col(ListingChangeRow.occurred_at))
    ).all()
    return [Change(at, change, reason) for at, change, reason in rows]
