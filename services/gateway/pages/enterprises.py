"""`/` (search), `/ondernemingen/{enterprise_id}` (detail, or why it is gone) and
`/over-het-overzicht` (how the listing works)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session
from starlette.routing import NoMatchFound

from contracts.categories import CATEGORIES
from services.gateway.deps import ReaderDep, SearchCacheDep, SearchDep, TemplatesDep
from services.gateway.knowledge.calculator import AMOUNT_PARAMETER, calculate
from services.gateway.knowledge.library import Knowledge
from services.gateway.pages.departures import alternatives_url, gone_message
from services.gateway.pages.search_links import (
    DEFAULT_PAGE_SIZE,
    RETURN_PARAMETER,
    back_to_search,
    from_search,
    paginate,
    search_url,
)
from services.gateway.read_model.queries import (
    PLACE_FIELDS,
    get_departure,
    get_enterprise,
    list_sources,
    search_enterprises,
)
from services.gateway.read_model.search_query import SORT_ORDERS

__all__ = ["paginate", "router", "search_url", "supplement_url"]
router = APIRouter(include_in_schema=False)
SORT_NAMES = {
    "name": "Naam (A–Z)",
    "newest": "Nieuwste vermelding eerst",
    "ending": "Einddatum label (eerst aflopend)",
}
# The search a result link carries; its length is checked when it is read (search_links.py).
CarriedSearch = Annotated[str | None, Query(alias=RETURN_PARAMETER)]
# The SROI calculator's amount, as typed: checked by the calculator, which answers in Dutch.
PurchaseAmount = Annotated[str | None, Query(alias=AMOUNT_PARAMETER)]


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
                "sort_orders": {order: SORT_NAMES[order] for order in SORT_ORDERS},
                "from_search": from_search(query),
                "default_page_size": DEFAULT_PAGE_SIZE,
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
    carried: CarriedSearch = None,
    amount: PurchaseAmount = None,
) -> HTMLResponse:
    """One listed enterprise, with the SROI calculator for `amount`; a Dutch 410 page saying
    since when and why when it is no longer listed, 404 when unknown."""
    base = request.url_for("search_page").path
    knowledge: Knowledge = request.app.state.knowledge

    def render(session: Session) -> HTMLResponse:
        enterprise = get_enterprise(session, enterprise_id)
        sources = list_sources(session).items
        if enterprise is not None:
            back_url = back_to_search(base, carried)
            context = {
                "enterprise": enterprise,
                "sources": sources,
                "supplement_url": supplement_url(request, enterprise_id),
                "back_url": back_url,
                # The calculator's form keeps the search, as rebuilt from its valid values.
                "carried": back_url.partition("?")[2],
                "calculation": calculate(knowledge.model, enterprise, amount),
                "calculator_url": request.url_for(
                    "enterprise_page", enterprise_id=enterprise_id
                ).path,
            }
            return templates.TemplateResponse(request, "enterprise.html", context)
        gone = get_departure(session, enterprise_id)
        if gone is not None:
            context = {
                "gone": gone,
                "message": gone_message(gone),
                "alternatives_url": alternatives_url(base, gone),
                "sources": sources,
            }
            return templates.TemplateResponse(
                request, "enterprise_gone.html", context, status_code=410
            )
        return templates.TemplateResponse(
            request,
            "error.html",
            {
                "title": "Onderneming niet gevonden",
                "sources": sources,
                "messages": [
                    "Deze onderneming is bij ons niet bekend. Misschien klopt de link niet."
                ],
            },
            status_code=404,
        )

    return await read(render)


@router.get("/over-het-overzicht", name="about_listing_page", response_class=HTMLResponse)
async def about_listing_page(
    request: Request, read: ReaderDep, templates: TemplatesDep
) -> HTMLResponse:
    """Who is listed, why an enterprise leaves the listing, and what PSO 30+ allows."""

    def render(session: Session) -> HTMLResponse:
        context = {"sources": list_sources(session).items}
        return templates.TemplateResponse(request, "about_listing.html", context)

    return await read(render)


def supplement_url(request: Request, enterprise_id: str) -> str | None:
    """Where the enterprise signs in to complete its listing; None while this gateway serves
    no such page."""
    try:
        return str(request.url_for("supplement_sign_in", enterprise_id=enterprise_id))
    except NoMatchFound:
        return None
