"""Links that carry a search: pagination, and the way from a result back to its search.

A result's link holds the search it was found with (`zoekopdracht`: the search page's own
query string), so the detail page's "Terug naar zoeken" can restore filters, order and page.
That value comes from the visitor, so it is never echoed: it is parsed and validated as a
search, and the link is rebuilt from the validated search; anything else links to the plain
search page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from services.gateway.read_model.queries import PLACE_FIELDS, SearchQuery
from services.gateway.read_model.search_query import search_from_query_string

DEFAULT_PAGE_SIZE = SearchQuery.model_fields["page_size"].default
DEFAULT_SORT = SearchQuery.model_fields["sort"].default
RETURN_PARAMETER = "zoekopdracht"


@dataclass(frozen=True)
class PageLink:
    """One numbered link in the pagination; `url` None marks a gap (…)."""

    number: int
    url: str | None
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    """Previous / next and a window of numbered pages."""

    previous: str | None
    next: str | None
    links: list[PageLink]


def search_string(query: SearchQuery, page: int) -> str:
    """The search page's query string for `query` at `page`, leaving out defaults."""
    params: list[tuple[str, object]] = [("q", query.q)]
    params += [("label", label) for label in query.label]
    params += [("category", slug) for slug in query.category]
    params += [("delivery_area", region) for region in query.delivery_area]
    params += [(field, getattr(query, field)) for field in PLACE_FIELDS]
    if query.reserved:
        params.append(("reserved", "true"))
    if query.sort != DEFAULT_SORT:
        params.append(("sort", query.sort))
    if query.page_size != DEFAULT_PAGE_SIZE:
        params.append(("page_size", query.page_size))
    if page > 1:
        params.append(("page", page))
    return urlencode([(k, v) for k, v in params if v])


def search_url(base: str, query: SearchQuery, page: int) -> str:
    """The search page's URL for `query` at `page`, leaving out defaults."""
    encoded = search_string(query, page)
    return f"{base}?{encoded}" if encoded else base


def from_search(query: SearchQuery) -> str:
    """What a result's link appends to carry `query` (empty for the plain first page)."""
    encoded = search_string(query, query.page)
    return f"?{urlencode({RETURN_PARAMETER: encoded})}" if encoded else ""


def back_to_search(base: str, carried: str | None) -> str:
    """The search page's URL for the search a result link carried, re-validated; `base`
    alone when nothing valid was carried."""
    query = search_from_query_string(carried) if carried else None
    return base if query is None else search_url(base, query, query.page)


def paginate(base: str, query: SearchQuery, total: int, around: int = 2) -> Pagination:
    """Links to the first, last and nearby pages, with gaps between."""
    last = max(1, -(-total // query.page_size))
    current = query.page
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    links: list[PageLink] = []
    for number in shown:
        if links and number - links[-1].number > 1:
            links.append(PageLink(number - 1, None))
        links.append(PageLink(number, search_url(base, query, number), number == current))
    return Pagination(
        previous=search_url(base, query, current - 1) if 1 < current <= last + 1 else None,
        next=search_url(base, query, current + 1) if current < last else None,
        links=links if last > 1 else [],
    )
