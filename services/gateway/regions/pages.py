"""`/regios` (every region presented, with its listed enterprises) and `/regios/{slug}`."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from contracts.subjects import slug
from services.gateway.deps import ReaderDep, TemplatesDep
from services.gateway.read_model.queries import list_sources
from services.gateway.regions.chart import chart
from services.gateway.regions.directory import RegionDirectory
from services.gateway.regions.history import monthly_series
from services.gateway.regions.queries import by_category, changes_since, listed_in, region_counts

router = APIRouter(include_in_schema=False)


@router.get("/regios", name="regions_page", response_class=HTMLResponse)
async def regions_page(request: Request, read: ReaderDep, templates: TemplatesDep) -> HTMLResponse:
    """Every region presented, with how many enterprises it lists."""
    directory: RegionDirectory = request.app.state.regions

    def render(session: Session) -> HTMLResponse:
        counts = region_counts(session)
        rows = [(region, slug(region), counts.get(region, 0)) for region in directory.presented()]
        return templates.TemplateResponse(
            request,
            "regions.html",
            {"regions": rows, "sources": list_sources(session).items},
        )

    return await read(render)


@router.get("/regios/{region_slug}", name="region_page", response_class=HTMLResponse)
async def region_page(
    request: Request, region_slug: str, read: ReaderDep, templates: TemplatesDep
) -> HTMLResponse:
    """One region: its enterprises by category, its SROI coordinators and its chart."""
    directory: RegionDirectory = request.app.state.regions
    region = directory.named(region_slug)
    now = directory.now()

    def render(session: Session) -> HTMLResponse:
        sources = list_sources(session).items
        if region is None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "title": "Regio niet gevonden",
                    "sources": sources,
                    "messages": ["Deze arbeidsmarktregio staat niet in het overzicht."],
                },
                status_code=404,
            )
        since = _chart_start(now, directory.months)
        points = monthly_series(
            listed_in(session, region), changes_since(session, region, since), now, directory.months
        )
        return templates.TemplateResponse(
            request,
            "region.html",
            {
                "region": region,
                "groups": by_category(session, region),
                "listed": points[-1].listed,
                "coordinators": directory.coordinators.get(region, ()),
                "points": points,
                "chart": chart(points),
                "sources": sources,
            },
        )

    return await read(render)


def _chart_start(now: datetime, months: int) -> datetime:
    """A moment safely before the first charted month (changes before it do not matter)."""
    return now - timedelta(days=31 * months + 1)
