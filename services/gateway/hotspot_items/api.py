"""`/api/v1/news` and `/api/v1/agenda`: the hotspots' shown news and agenda as JSON, with the
pages' filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from contracts.hotspots import Hotspot
from services.gateway.deps import ReaderDep
from services.gateway.hotspot_items.directory import HotspotDirectory, UnknownChoice
from services.gateway.hotspot_items.params import HotspotParam, PageParam, RegionParam
from services.gateway.hotspot_items.queries import AgendaView, NewsView, agenda_page, news_page

router = APIRouter(tags=["news and agenda"])
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not a labour-market region, or not a hotspot shown here"}
}


class HotspotRef(BaseModel):
    """The hotspot an item comes from."""

    slug: str
    name: str
    region: str = Field(description="Its labour-market region, as CBS spells it")
    website: str


class NewsOut(BaseModel):
    """A news item; `summary_html` is sanitised (text markup and links only)."""

    hotspot: HotspotRef
    item_id: str
    title: str
    summary_html: str
    url: str = Field(description="Where it is published (else the hotspot's website)")
    published_at: datetime


class AgendaOut(BaseModel):
    """An agenda item: timed (`starts_at`, `ends_at`, UTC) or all-day (`starts_on`,
    `ends_on`, the last day inclusive); a cancelled one says so."""

    hotspot: HotspotRef
    item_id: str
    title: str
    description_html: str
    location: str | None
    url: str
    all_day: bool
    starts_at: datetime | None
    ends_at: datetime | None
    starts_on: date | None
    ends_on: date | None
    status: Literal["scheduled", "cancelled"]


class NewsList(BaseModel):
    """One page of news, newest first."""

    items: list[NewsOut]
    total: int
    page: int
    page_size: int


class AgendaList(BaseModel):
    """One page of agenda items: coming ones soonest first, past ones most recent first."""

    items: list[AgendaOut]
    total: int
    page: int
    page_size: int


@router.get("/news", summary="The hotspots' news", responses=UNKNOWN)
async def read_news(
    request: Request,
    read: ReaderDep,
    region: RegionParam = None,
    hotspot: HotspotParam = None,
    page: PageParam = 1,
) -> NewsList:
    """News of the hotspots of a region, or of one hotspot (all without either)."""
    hotspots = _chosen(_directory(request), region, hotspot)

    def look_up(session: Session) -> NewsList:
        found = news_page(session, hotspots, page)
        items = [_news(item) for item in found.items]
        return NewsList(items=items, total=found.total, page=page, page_size=found.page_size)

    return await read(look_up)


@router.get("/agenda", summary="The hotspots' agenda", responses=UNKNOWN)
async def read_agenda(
    request: Request,
    read: ReaderDep,
    region: RegionParam = None,
    hotspot: HotspotParam = None,
    period: Annotated[Literal["coming", "past"], Query()] = "coming",
    page: PageParam = 1,
) -> AgendaList:
    """Agenda items of the hotspots of a region, or of one hotspot (all without either)."""
    directory = _directory(request)
    hotspots = _chosen(directory, region, hotspot)

    def look_up(session: Session) -> AgendaList:
        found = agenda_page(session, hotspots, directory.now(), period, page)
        items = [_agenda(item) for item in found.items]
        return AgendaList(items=items, total=found.total, page=page, page_size=found.page_size)

    return await read(look_up)


def _directory(request: Request) -> HotspotDirectory:
    directory: HotspotDirectory = request.app.state.hotspot_items
    return directory


def _chosen(
    directory: HotspotDirectory, region: str | None, hotspot: str | None
) -> tuple[Hotspot, ...]:
    try:
        return directory.select(region, hotspot).hotspots
    except UnknownChoice:
        raise HTTPException(status_code=404, detail="Unknown region or hotspot") from None


def _ref(view: NewsView | AgendaView) -> HotspotRef:
    h = view.hotspot
    return HotspotRef(slug=h.slug, name=h.name, region=h.region, website=h.website)


def _news(view: NewsView) -> NewsOut:
    return NewsOut(
        hotspot=_ref(view),
        item_id=view.item_id,
        title=view.title,
        summary_html=view.summary_html,
        url=view.source_url,
        published_at=view.published_at,
    )


def _agenda(view: AgendaView) -> AgendaOut:
    return AgendaOut(
        hotspot=_ref(view),
        item_id=view.item_id,
        title=view.title,
        description_html=view.description_html,
        location=view.location,
        url=view.source_url,
        all_day=view.all_day,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        starts_on=view.starts_on,
        ends_on=view.ends_on,
        status="cancelled" if view.cancelled else "scheduled",
    )
