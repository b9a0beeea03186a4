"""`/nieuws.rss`, `/nieuws/{region}.rss`, `/agenda.ics` and `/agenda/{region}.ics`: the
outgoing feeds, every region's and one region's. Their ETag and conditional GET come from
the gateway's revalidation layer (web/caching.py), as for every page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from services.gateway.deps import ReaderDep
from services.gateway.hotspot_items.directory import HotspotDirectory, Selection, UnknownChoice
from services.gateway.hotspot_items.outgoing import (
    ICS_TYPE,
    RSS_TYPE,
    calendar_document,
    rss_document,
)
from services.gateway.hotspot_items.queries import calendar_items, news_page

router = APIRouter(include_in_schema=False)
RSS_ITEMS = 50


@router.get("/nieuws.rss", name="news_feed")
async def news_feed(request: Request, read: ReaderDep) -> Response:
    """The news of every hotspot, newest first."""
    return await _news(request, read, None)


@router.get("/nieuws/{region_slug}.rss", name="news_region_feed")
async def news_region_feed(request: Request, read: ReaderDep, region_slug: str) -> Response:
    """The news of one region's hotspots."""
    return await _news(request, read, region_slug)


@router.get("/agenda.ics", name="agenda_feed")
async def agenda_feed(request: Request, read: ReaderDep) -> Response:
    """The agenda of every hotspot, for calendar programs."""
    return await _agenda(request, read, None)


@router.get("/agenda/{region_slug}.ics", name="agenda_region_feed")
async def agenda_region_feed(request: Request, read: ReaderDep, region_slug: str) -> Response:
    """The agenda of one region's hotspots."""
    return await _agenda(request, read, region_slug)


async def _news(request: Request, read: ReaderDep, region_slug: str | None) -> Response:
    directory, selection = _selected(request, region_slug)
    where = f" in {selection.region.name}" if selection.region else ""

    def render(session: Session) -> bytes:
        items = news_page(session, selection.hotspots, 1, RSS_ITEMS).items
        return rss_document(
            title=f"Nieuws van de hotspots{where}",
            page_url=_absolute(request, directory, "news_page", region_slug),
            self_url=_feed_url(request, directory, "news", region_slug),
            description=f"Nieuws van de lokale impactnetwerken{where}",
            items=items,
        )

    return Response(await read(render), media_type=RSS_TYPE)


async def _agenda(request: Request, read: ReaderDep, region_slug: str | None) -> Response:
    directory, selection = _selected(request, region_slug)
    where = f" in {selection.region.name}" if selection.region else ""

    def render(session: Session) -> bytes:
        items = calendar_items(session, selection.hotspots)
        self_url = _feed_url(request, directory, "agenda", region_slug)
        return calendar_document(f"Agenda van de hotspots{where}", self_url, items)

    return Response(
        await read(render),
        media_type=ICS_TYPE,
        headers={"Content-Disposition": 'inline; filename="agenda.ics"'},
    )


def _selected(request: Request, region_slug: str | None) -> tuple[HotspotDirectory, Selection]:
    directory: HotspotDirectory = request.app.state.hotspot_items
    try:
        return directory, directory.select(region_slug)
    except UnknownChoice:
        raise HTTPException(status_code=404) from None


def _absolute(
    request: Request, directory: HotspotDirectory, page: str, region_slug: str | None
) -> str:
    """The page's absolute address under the public base URL (never the request's Host)."""
    query = f"?region={region_slug}" if region_slug else ""
    return directory.absolute(f"{request.app.url_path_for(page)}{query}")


def _feed_url(
    request: Request, directory: HotspotDirectory, kind: str, region_slug: str | None
) -> str:
    """The feed's own absolute address under the public base URL."""
    if region_slug is None:
        path = request.app.url_path_for(f"{kind}_feed")
    else:
        path = request.app.url_path_for(f"{kind}_region_feed", region_slug=region_slug)
    return directory.absolute(str(path))
