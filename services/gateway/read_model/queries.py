"""Read-side queries: search with facets, one enterprise, registry freshness.

Searches are answered by the process's in-memory search index (enterprise_index.py), brought
up to the request's own view of the database first (index_follow.py); only the page's
enterprises are read from the database, by id, so a hit always shows its current row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, UnaryExpression, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from contracts.labels import LABELS, LabelName
from services.gateway.labels import label_name
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.facets import PLACE_FIELDS, Filters
from services.gateway.read_model.index_follow import FollowedIndex, followed_index
from services.gateway.read_model.presenting import Holding, enterprise_gone, enterprise_view
from services.gateway.read_model.search_query import MAX_PAGE, SearchQuery, SortOrder
from services.gateway.read_model.searchable import words
from services.gateway.read_model.tables import (
    EnterpriseChangeRow,
    EnterpriseRow,
    HoldingRow,
    ProcessedCount,
    SourceRow,
)
from services.gateway.read_model.views import (
    EnterpriseGone,
    EnterprisePage,
    EnterpriseView,
    SourceList,
    SourceView,
)

# Up to this many matches, a page is found by sorting the matches; above it, by walking the
# order's list of every listed enterprise (see enterprise_index.py).
WORDS_FIRST_BELOW = 5_000
_TIE_BREAKS = (col(EnterpriseRow.sort_name).asc(), col(EnterpriseRow.enterprise_id).asc())
# The orders in SQL, as the search index keeps them (each ending in the same tie-breaks, so
# paging is stable); the database has an index for each (see tables.py).
ORDER_BY: dict[SortOrder, tuple[UnaryExpression[Any], ...]] = {
    "name": _TIE_BREAKS,
    "newest": (col(EnterpriseRow.listed_since).desc(), *_TIE_BREAKS),
    "ending": (col(EnterpriseRow.listing_ends).asc(), *_TIE_BREAKS),
}
__all__ = ["MAX_PAGE", "PLACE_FIELDS", "SearchQuery", "search_enterprises"]


def search_enterprises(
    session: Session, query: SearchQuery, cache: SearchCache | None = None
) -> EnterprisePage:
    """One page of listed enterprises matching `query`, with the total and facet counts;
    from `cache` when the same search was answered since the last change."""
    # One round trip for where the change log stands and how many events were applied, both
    # read in the request's transaction: what is cached under them is computed from this
    # state or a newer one, never an older one.
    logged, processed = session.execute(_STATE).one()
    index = followed_index(session.get_bind().engine)
    generation = index.follow(session, logged)
    if cache is None:
        return _search(session, query, index, _checked(session))
    # The registries' last checks change only with projected (counted) events.
    checked = cache.checked.get_or_compute(processed, lambda: _checked(session))
    key = (processed, generation, _normalised(query))
    return cache.pages.get_or_compute(key, lambda: _search(session, query, index, checked))


_STATE = core_select(
    core_select(func.max(col(EnterpriseChangeRow.seq))).scalar_subquery(),
    core_select(col(ProcessedCount.events)).where(col(ProcessedCount.id) == 1).scalar_subquery(),
)
_ENTERPRISES: Table = EnterpriseRow.__table__  # type: ignore[attr-defined]
_HOLDINGS: Table = HoldingRow.__table__  # type: ignore[attr-defined]
_HOLDING_FIELDS = len(Holding._fields)
# A page's enterprises, each joined to its counting holdings (ordered as `_views` orders
# them), the holdings' columns last and in the order of `Holding`. Whether each is listed is
# read, not filtered on: SQLite would then walk the index on `listed` over every listed row
# rather than look the page's ids up by key.
_PAGE = (
    core_select(
        *(
            _ENTERPRISES.c[name]
            for name in (
                "enterprise_id",
                "listed",
                "name",
                "place",
                "municipality",
                "province",
                "region",
                "website",
                "kvk",
                "themes",
                "listed_since",
                "grace_until",
                "summary",
                "summary_label",
                "categories",
                "categories_chosen",
                "supplement",
            )
        ),
        *(_HOLDINGS.c[name].label(f"holding_{name}") for name in Holding._fields),
    )
    .outerjoin(
        _HOLDINGS,
        (_HOLDINGS.c.enterprise_id == _ENTERPRISES.c.enterprise_id) & _HOLDINGS.c.counts.is_(True),
    )
    .order_by(_ENTERPRISES.c.enterprise_id, _HOLDINGS.c.holding_id)
)


def _search(
    session: Session,
    query: SearchQuery,
    index: FollowedIndex,
    checked: dict[str, datetime | None],
) -> EnterprisePage:
    offset = (query.page - 1) * query.page_size
    found = index.find(
        _terms(query.q),
        Filters.of(query),
        query.sort,
        offset,
        query.page_size,
        sort_below=WORDS_FIRST_BELOW,
    )
    return EnterprisePage(
        items=page_views(session, found.ids, checked),
        total=found.tally.total,
        page=query.page,
        page_size=query.page_size,
        facets=found.tally.facets,
    )


def page_views(
    session: Session, ids: Sequence[str], checked: dict[str, datetime | None]
) -> list[EnterpriseView]:
    """The listed ones of these enterprises, in this order, with their counting holdings:
    one query, of the columns the views show, as plain rows (cheaper than ORM objects). A
    row another process changed since the index last followed shows as it is now; one it
    delisted meanwhile is left out rather than shown as listed."""
    if not ids:
        return []
    rows: dict[str, Row[Any]] = {}
    held: dict[str, list[Holding]] = {}
    for row in session.execute(_PAGE.where(_ENTERPRISES.c.enterprise_id.in_(ids))):
        if not row.listed:
            continue
        if row.enterprise_id not in rows:
            rows[row.enterprise_id] = row
            held[row.enterprise_id] = []
        if row.holding_label is not None:
            held[row.enterprise_id].append(Holding._make(row[-_HOLDING_FIELDS:]))
    return [enterprise_view(rows[i], held[i], checked) for i in ids if i in rows]


def _normalised(query: SearchQuery) -> tuple[object, ...]:
    """What decides a search's answer: its terms, label, category and delivery region sets,
    places ignoring case, reserved contracts, order, paging."""
    places = tuple((getattr(query, field) or "").lower() for field in PLACE_FIELDS)
    sets = (frozenset(query.label), frozenset(query.category), frozenset(query.delivery_area))
    return (
        tuple(_terms(query.q)),
        *sets,
        places,
        query.reserved,
        query.sort,
        query.page,
        query.page_size,
    )


def get_enterprise(session: Session, enterprise_id: str) -> EnterpriseView | None:
    """A listed enterprise, or None when unknown or delisted."""
    row = session.get(EnterpriseRow, enterprise_id)
    if row is None or not row.listed:
        return None
    return _views(session, [row], _checked(session))[0]


def get_departure(session: Session, enterprise_id: str) -> EnterpriseGone | None:
    """Since when and why a known enterprise is no longer listed; None when it is listed or
    unknown."""
    row = session.get(EnterpriseRow, enterprise_id)
    if row is None or row.listed:
        return None
    return enterprise_gone(row)


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


def _checked(session: Session) -> dict[str, datetime | None]:
    """Each label registry's last successful scrape."""
    return {s.label: s.last_success_at for s in session.exec(select(SourceRow)).all()}


def _views(
    session: Session,
    rows: Sequence[EnterpriseRow | Row[Any]],
    checked: dict[str, datetime | None],
) -> list[EnterpriseView]:
    ids = [row.enterprise_id for row in rows]
    holdings = (
        session.execute(
            core_select(_HOLDINGS)
            .where(_HOLDINGS.c.enterprise_id.in_(ids))
            .order_by(_HOLDINGS.c.holding_id)
        ).all()
        if ids
        else []
    )
    held: dict[str, list[Row[Any]]] = {i: [] for i in ids}
    for holding in holdings:
        held[holding.enterprise_id].append(holding)
    return [enterprise_view(row, held[row.enterprise_id], checked) for row in rows]


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
