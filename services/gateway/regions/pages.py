"""`/regios` (every region presented, with its listed enterprises) and `/regios/{slug}`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from contracts.subjects import slug
from services.gateway.deps import ReaderDep, TemplatesDep
from services.gateway.read_model.queries import list_sources
from services.gateway.regions.chart import chart
from services.gateway.regions.directory import RegionDirectory
from services.gateway.regions.queries import region_counts
from services.gateway.regions.report import region_report

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
        report = region_report(session, directory, region)
        return templates.TemplateResponse(
            request,
            "region.html",
            {"report": report, "chart": chart(report.points), "sources": sources},
        )

    return await read(render)
