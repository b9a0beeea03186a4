"""`/` (search) and `/ondernemingen/{enterprise_id}` (detail)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session
from starlette.routing import NoMatchFound

from contracts.categories import CATEGORIES
from services.gateway.deps import ReaderDep, SearchCacheDep, SearchDep, TemplatesDep
from services.gateway.read_model.queries import (
    PLACE_FIELDS,
    SearchQuery,
    get_enterprise,
    list_sources,
    search_enterprises,
)

router = APIRouter(include_in_schema=False)
DEFAULT_PAGE_SIZE = SearchQuery.model_fields["page_size"].default


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


@router.get("/", name="search_page", response_class=HTMLResponse)
async def search_page(
    request: Request,
    read: ReaderDep,
    templates: TemplatesDep,
    query: SearchDep,
    cache: SearchCacheDep,
) -> HTMLResponse:
    """The search form with results, facets and pagination."""
    base = request.url_for("search_page").path

    def render(session: Session) -> HTMLResponse:
        result = search_enterprises(session, query, cache)
        return templates.TemplateResponse(
            request,
            "search.html",
            {
                "query": query,
                "result": result,
                "sources": list_sources(session).items,
                "pagination": paginate(base, query, result.total),
                "place_fields": PLACE_FIELDS,
                "categories": CATEGORIES,
            },
        )

    # Rendered in the worker thread too: a page's template costs more than its queries.
    return await read(render)


@router.get("/ondernemingen/{enterprise_id}", name="enterprise_page", response_class=HTMLResponse)
async def enterprise_page(
    request: Request,
    enterprise_id: str,
    read: ReaderDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """One listed enterprise; a Dutch 404 page when unknown or delisted."""

    def render(session: Session) -> HTMLResponse:
        enterprise = get_enterprise(session, enterprise_id)
        sources = list_sources(session).items
        if enterprise is None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "title": "Onderneming niet gevonden",
                    "sources": sources,
                    "messages": [
                        "Deze onderneming staat niet in het overzicht. Misschien heeft zij "
                        "geen geldig label meer, of klopt de link niet."
                    ],
                },
                status_code=404,
            )
        return templates.TemplateResponse(
            request,
            "enterprise.html",
            {
                "enterprise": enterprise,
                "sources": sources,
                "supplement_url": supplement_url(request, enterprise_id),
            },
        )

    return await read(render)


def supplement_url(request: Request, enterprise_id: str) -> str | None:
    """Where the enterprise signs in to complete its listing; None while this gateway serves
    no such page."""
    try:
        return str(request.url_for("supplement_sign_in", enterprise_id=enterprise_id))
    except NoMatchFound:
        return None


def search_url(base: str, query: SearchQuery, page: int) -> str:
    """The search page's URL for `query` at `page`, leaving out defaults."""
    params: list[tuple[str, object]] = [("q", query.q)]
    params += [("label", label) for label in query.label]
    params += [("category", slug) for slug in query.category]
    params += [("delivery_area", region) for region in query.delivery_area]
    params += [(field, getattr(query, field)) for field in PLACE_FIELDS]
    if query.page_size != DEFAULT_PAGE_SIZE:
        params.append(("page_size", query.page_size))
    if page > 1:
        params.append(("page", page))
    encoded = urlencode([(k, v) for k, v in params if v])
    return f"{base}?{encoded}" if encoded else base


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
