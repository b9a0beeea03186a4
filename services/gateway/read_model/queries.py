"""Read-side queries: search with facets, one enterprise, registry freshness.

Everything is filtered and counted in SQL; only the requested page is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, distinct, exists, func
from sqlmodel import Session, col, select

from contracts.labels import LABELS, LabelName
from services.gateway.labels import label_name
from services.gateway.read_model.projection import words
from services.gateway.read_model.tables import (
    EnterpriseRow,
    HoldingRow,
    ProcessedEvent,
    SourceRow,
)
from services.gateway.read_model.views import (
    EnterprisePage,
    EnterpriseView,
    Facets,
    LabelView,
    SourceList,
    SourceView,
)

MAX_PAGE = 10_000
PLACE_FIELDS = ("province", "region", "municipality")


class SearchQuery(BaseModel):
    """Filters and paging of an enterprise search, as given in the query string."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(
        None,
        max_length=200,
        description="Words in name, place, themes, "
        "label level; case-insensitive; every word must start a word there",
    )
    label: list[LabelName] = Field(default_factory=list, description="Any of these labels")
    province: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    municipality: str | None = Field(None, max_length=100)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _drop_empty_values(cls, data: Any) -> Any:
        """An empty form field (`?label=&province=`) means no filter."""
        if not isinstance(data, dict):
            return data
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list):
                value = [v for v in value if v not in ("", None)]
            if value not in ("", None, []):
                cleaned[key] = value
        return cleaned


Filters = dict[str, list[ColumnElement[bool]]]


def search_enterprises(session: Session, query: SearchQuery) -> EnterprisePage:
    """One page of listed enterprises matching `query`, with the total and facet counts."""
    filters = _filters(query)
    where = _where(filters)
    total = session.exec(select(func.count()).select_from(EnterpriseRow).where(*where)).one()
    rows = session.exec(
        select(EnterpriseRow)
        .where(*where)
        .order_by(col(EnterpriseRow.sort_name), col(EnterpriseRow.enterprise_id))
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    return EnterprisePage(
        items=_views(session, rows),
        total=total,
        page=query.page,
        page_size=query.page_size,
        facets=_facets(session, filters),
    )


def get_enterprise(session: Session, enterprise_id: str) -> EnterpriseView | None:
    """A listed enterprise, or None when unknown or delisted."""
    row = session.get(EnterpriseRow, enterprise_id)
    if row is None or not row.listed:
        return None
    return _views(session, [row])[0]


def list_sources(session: Session) -> SourceList:
    """Every label registry with its latest successful and failed scrape."""
    rows = {row.label: row for row in session.exec(select(SourceRow)).all()}
    return SourceList(items=[_source_view(label, rows.get(label)) for label in LABELS])


def count_listed(session: Session) -> int:
    """How many enterprises are listed."""
    where = col(EnterpriseRow.listed).is_(True)
    return session.exec(select(func.count()).select_from(EnterpriseRow).where(where)).one()


def count_processed(session: Session) -> int:
    """How many events the read model has applied."""
    return session.exec(select(func.count()).select_from(ProcessedEvent)).one()


def _filters(query: SearchQuery) -> Filters:
    filters: Filters = {"q": [_starts_a_word(term) for term in _terms(query.q)]}
    if query.label:
        filters["label"] = [
            exists().where(
                col(HoldingRow.enterprise_id) == col(EnterpriseRow.enterprise_id),
                col(HoldingRow.counts).is_(True),
                col(HoldingRow.label).in_(query.label),
            )
        ]
    for field in PLACE_FIELDS:
        value = getattr(query, field)
        if value:
            filters[field] = [func.lower(getattr(EnterpriseRow, field)) == value.lower()]
    return filters


def _where(filters: Filters, without: str | None = None) -> list[ColumnElement[bool]]:
    conditions = [c for key, group in filters.items() if key != without for c in group]
    return [col(EnterpriseRow.listed).is_(True), *conditions]


def _terms(q: str | None, limit: int = 10) -> list[str]:
    return words(q or "")[:limit]


def _starts_a_word(term: str) -> ColumnElement[bool]:
    # Terms are letters and digits only (see `words`), so they hold no LIKE wildcards.
    return col(EnterpriseRow.search_text).like(f"% {term}%")


def _facets(session: Session, filters: Filters) -> Facets:
    label_counts = session.exec(
        select(HoldingRow.label, func.count(distinct(col(HoldingRow.enterprise_id))))
        .join(EnterpriseRow, col(EnterpriseRow.enterprise_id) == col(HoldingRow.enterprise_id))
        .where(col(HoldingRow.counts).is_(True), *_where(filters, without="label"))
        .group_by(HoldingRow.label)
    ).all()
    by_label = {label: 0 for label in LABELS} | dict(label_counts)
    places = {}
    for field in PLACE_FIELDS:
        column = getattr(EnterpriseRow, field)
        places[field] = dict(
            session.exec(
                select(column, func.count())
                .where(column.is_not(None), *_where(filters, field))
                .group_by(column)
                .order_by(column)
            ).all()
        )
    return Facets(label=by_label, **places)


def _views(session: Session, rows: Sequence[EnterpriseRow]) -> list[EnterpriseView]:
    ids = [row.enterprise_id for row in rows]
    holdings = (
        session.exec(
            select(HoldingRow)
            .where(col(HoldingRow.enterprise_id).in_(ids), col(HoldingRow.counts).is_(True))
            .order_by(col(HoldingRow.holding_id))
        ).all()
        if ids
        else []
    )
    checked = {s.label: s.last_success_at for s in session.exec(select(SourceRow)).all()}
    labels: dict[str, list[LabelView]] = {i: [] for i in ids}
    for h in sorted(holdings, key=lambda h: LABELS.index(h.label)):
        labels[h.enterprise_id].append(
            LabelView.model_validate(
                {
                    **h.model_dump(),
                    "last_checked_at": _later(h.last_verified_at, checked.get(h.label)),
                }
            )
        )
    return [
        EnterpriseView.model_validate({**row.model_dump(), "labels": labels[row.enterprise_id]})
        for row in rows
    ]


def _later(verified: datetime, scraped: datetime | None) -> datetime:
    return max(verified, scraped) if scraped else verified


def _source_view(label: LabelName, row: SourceRow | None) -> SourceView:
    data = row.model_dump() if row else {}
    fields = (
        "last_success_at",
        "last_success_started_at",
        "holdings",
        "counting",
        "last_failure_at",
        "last_failure_reason",
        "next_run_at",
    )
    return SourceView(label=label, name=label_name(label), **{f: data.get(f) for f in fields})
