"""Read-side queries: search with facets, one enterprise, registry freshness.

Everything is filtered and counted in SQL; only the requested page is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts.labels import LABELS, LabelName
from services.gateway.labels import label_name
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.facets import (
    PLACE_FIELDS,
    Group,
    filter_tests,
    read_groups,
    tally,
)
from services.gateway.read_model.projection import words
from services.gateway.read_model.search_index import matching
from services.gateway.read_model.tables import (
    EnterpriseRow,
    HoldingRow,
    ProcessedCount,
    SourceRow,
)
from services.gateway.read_model.views import (
    EnterprisePage,
    EnterpriseView,
    LabelView,
    SourceList,
    SourceView,
)

MAX_PAGE = 10_000
WORDS_FIRST_BELOW = 5_000
__all__ = ["PLACE_FIELDS", "SearchQuery", "search_enterprises"]


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


def search_enterprises(
    session: Session, query: SearchQuery, cache: SearchCache | None = None
) -> EnterprisePage:
    """One page of listed enterprises matching `query`, with the total and facet counts;
    from `cache` when the same search was answered since the last projected event."""
    dialect = session.get_bind().dialect.name
    if cache is None:
        return _search(session, query, lambda terms: read_groups(session, matching(terms, dialect)))
    # Read first, in the request's transaction: what is cached under this count is computed
    # from this state or a newer one, never an older one.
    state = count_processed(session)

    def groups(terms: list[str]) -> list[Group]:
        # Shared by every filter and page of the same words, as when a buyer clicks facets.
        return cache.groups.get_or_compute(
            (state, tuple(terms)), lambda: read_groups(session, matching(terms, dialect))
        )

    key = (state, _normalised(query))
    return cache.pages.get_or_compute(key, lambda: _search(session, query, groups))


def _search(
    session: Session, query: SearchQuery, groups: Callable[[list[str]], list[Group]]
) -> EnterprisePage:
    dialect, terms = session.get_bind().dialect.name, _terms(query.q)
    places = {field: getattr(query, field) for field in PLACE_FIELDS}
    counted = tally(groups(terms), filter_tests(query.label, places))
    # Few matches: fetch them by their words and sort; many: walk the name order instead.
    words_first = counted.total <= WORDS_FIRST_BELOW
    rows = (
        session.exec(
            select(EnterpriseRow)
            .where(*matching(terms, dialect, words_first=words_first), *counted.narrowing)
            .order_by(col(EnterpriseRow.sort_name), col(EnterpriseRow.enterprise_id))
            .offset((query.page - 1) * query.page_size)
            .limit(query.page_size)
        ).all()
        if counted.total
        else []
    )
    return EnterprisePage(
        items=_views(session, rows),
        total=counted.total,
        page=query.page,
        page_size=query.page_size,
        facets=counted.facets,
    )


def _normalised(query: SearchQuery) -> tuple[object, ...]:
    """What decides a search's answer: its terms, label set, places ignoring case, paging."""
    places = tuple((getattr(query, field) or "").lower() for field in PLACE_FIELDS)
    return (tuple(_terms(query.q)), frozenset(query.label), places, query.page, query.page_size)


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
    counted = session.get(ProcessedCount, 1)
    return counted.events if counted else 0


def model_size(session: Session, cache: SearchCache) -> tuple[int, int]:
    """How many enterprises are listed and how many events were applied. The listed rows are
    counted once per state (kept in `cache`), not on every health check of a monitor."""
    processed = count_processed(session)
    return cache.listed.get_or_compute(processed, lambda: count_listed(session)), processed


def _terms(q: str | None, limit: int = 10) -> list[str]:
    return words(q or "")[:limit]


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
