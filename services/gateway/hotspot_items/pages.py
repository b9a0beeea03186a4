"""`/nieuws`, `/agenda` and `/hotspots/{slug}`: the hotspots' news and agenda for buyers,
filtered by region and hotspot, a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from contracts.subjects import slug
from services.gateway.deps import ReaderDep, TemplatesDep
from services.gateway.hotspot_items.directory import HotspotDirectory, Selection, UnknownChoice
from services.gateway.hotspot_items.params import HotspotParam, PageParam, RegionParam, page_url
from services.gateway.hotspot_items.queries import agenda_page, news_page
from services.gateway.read_model.queries import list_sources

router = APIRouter(include_in_schema=False)
PAST_PREVIEW = 5
PeriodParam = Annotated[Literal["coming", "past"], Query()]


@router.get("/nieuws", name="news_page", response_class=HTMLResponse)
async def news_list(
    request: Request,
    read: ReaderDep,
    templates: TemplatesDep,
    region: RegionParam = None,
    hotspot: HotspotParam = None,
    page: PageParam = 1,
) -> HTMLResponse:
    """The shown news of the chosen hotspots, newest first."""
    base = request.url_for("news_page").path

    def news(session: Session, selection: Selection) -> dict[str, Any]:
        items = news_page(session, selection.hotspots, page)
        paging = _paging(base, page, items.last_page, region=region, hotspot=hotspot)
        return paging | {"result": items}

    return await _listing(request, read, templates, "news.html", (region, hotspot), news)


@router.get("/agenda", name="agenda_page", response_class=HTMLResponse)
async def agenda_list(
    request: Request,
    read: ReaderDep,
    templates: TemplatesDep,
    region: RegionParam = None,
    hotspot: HotspotParam = None,
    period: PeriodParam = "coming",
    page: PageParam = 1,
) -> HTMLResponse:
    """Coming items soonest first with the latest past ones below; or past ones alone,
    most recent first."""
    directory: HotspotDirectory = request.app.state.hotspot_items
    base = request.url_for("agenda_page").path
    past_period = "past" if period == "past" else None
    filters = {"region": region, "hotspot": hotspot}

    def agenda(session: Session, selection: Selection) -> dict[str, Any]:
        chosen, now = selection.hotspots, directory.now()
        items = agenda_page(session, chosen, now, period, page)
        preview = agenda_page(session, chosen, now, "past", 1, PAST_PREVIEW)
        return {
            "period": period,
            "result": items,
            "past": preview if period == "coming" else None,
            "past_url": page_url(base, 1, **filters, period="past"),
            "coming_url": page_url(base, 1, **filters),
            "now": now,
        } | _paging(base, page, items.last_page, **filters, period=past_period)

    return await _listing(request, read, templates, "agenda.html", (region, hotspot), agenda)


@router.get("/hotspots/{hotspot_slug}", name="hotspot_page", response_class=HTMLResponse)
async def hotspot_page(
    request: Request, hotspot_slug: str, read: ReaderDep, templates: TemplatesDep
) -> HTMLResponse:
    """One hotspot: its website, its latest news and its agenda."""
    directory: HotspotDirectory = request.app.state.hotspot_items
    hotspot = directory.named(hotspot_slug)

    def render(session: Session) -> HTMLResponse:
        if hotspot is None:
            return _problem(
                request,
                templates,
                session,
                "Deze hotspot staat niet in het overzicht. Misschien klopt de link niet.",
                title="Hotspot niet gevonden",
                status=404,
            )
        now = directory.now()
        context = {
            "hotspot": hotspot,
            "news": news_page(session, [hotspot], 1, 10),
            "coming": agenda_page(session, [hotspot], now, "coming", 1, 10),
            "past": agenda_page(session, [hotspot], now, "past", 1, PAST_PREVIEW),
            "now": now,
            "region_slug": slug(hotspot.region),
        }
        return _render(request, templates, session, "hotspot.html", context)

    return await read(render)


async def _listing(
    request: Request,
    read: ReaderDep,
    templates: Jinja2Templates,
    name: str,
    choice: tuple[str | None, str | None],
    fill: Callable[[Session, Selection], dict[str, Any]],
) -> HTMLResponse:
    """Template `name` with the filters and what `fill` finds for the chosen region and
    hotspot; an unknown choice gets a Dutch page that says so."""
    directory: HotspotDirectory = request.app.state.hotspot_items

    def render(session: Session) -> HTMLResponse:
        try:
            selection = directory.select(*choice)
        except UnknownChoice as problem:
            return _problem(request, templates, session, str(problem))
        context = _filters(directory, selection) | fill(session, selection)
        return _render(request, templates, session, name, context)

    return await read(render)


def _paging(base: str, page: int, last: int, **filters: str | None) -> dict[str, str | None]:
    """The links to the previous and next page, where there are such pages."""
    return {
        "previous": page_url(base, page - 1, **filters) if page > 1 else None,
        "next": page_url(base, page + 1, **filters) if page < last else None,
    }


def _filters(directory: HotspotDirectory, selection: Selection) -> dict[str, Any]:
    return {
        "regions": directory.regions(),
        "hotspots": directory.hotspots,
        "selection": selection,
        "chosen_region": selection.region.slug if selection.region else None,
        "chosen_hotspot": selection.hotspot.slug if selection.hotspot else None,
        # The feed offered: the chosen region's, else every region's.
        "feed_region": selection.region.slug if selection.region else None,
    }


def _render(
    request: Request,
    templates: Jinja2Templates,
    session: Session,
    name: str,
    context: dict[str, Any],
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, context | {"sources": list_sources(session).items}
    )


def _problem(
    request: Request,
    templates: Jinja2Templates,
    session: Session,
    message: str,
    *,
    title: str = "Ongeldige keuze",
    status: int = 422,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "messages": [message], "sources": list_sources(session).items},
        status_code=status,
    )
