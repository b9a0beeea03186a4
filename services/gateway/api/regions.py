"""`/api/v1/regions`: the labour-market regions presented, and one region's figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from contracts.subjects import slug
from services.gateway.deps import ReaderDep
from services.gateway.regions.directory import RegionDirectory
from services.gateway.regions.queries import region_counts
from services.gateway.regions.report import RegionReport, region_report

router = APIRouter(prefix="/regions", tags=["regions"])

RegionSlug = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]


class RegionSummary(BaseModel):
    """A labour-market region and how many of its enterprises are listed."""

    region: str = Field(description="The region's name as CBS spells it")
    slug: str
    listed: int


class RegionList(BaseModel):
    """The regions this platform presents, by name."""

    items: list[RegionSummary]


class CategoryEnterprises(BaseModel):
    """The region's listed enterprises offering a category (`slug` null: none chosen yet)."""

    slug: str | None
    name: str
    enterprise_ids: list[str]


class CoordinatorView(BaseModel):
    """An SROI coordinator, as the operator's file gives it."""

    name: str
    organisation: str
    role: str | None
    email: str | None
    phone: str | None
    website: str | None
    checked_on: date


class MonthFigures(BaseModel):
    """Listed enterprises at the end of a month (the current month: now), lapses in it."""

    month: str = Field(description="YYYY-MM", pattern=r"^\d{4}-\d{2}$")
    listed: int
    lapsed: int


class RegionDetail(RegionSummary):
    """One region: its enterprises by category, its coordinators and its months."""

    categories: list[CategoryEnterprises]
    coordinators: list[CoordinatorView]
    months: list[MonthFigures]


@router.get("", summary="The labour-market regions presented")
async def read_regions(request: Request, read: ReaderDep) -> RegionList:
    """Every region of the provinces shown, with its listed enterprises."""
    directory: RegionDirectory = request.app.state.regions

    def summarise(session: Session) -> RegionList:
        counts = region_counts(session)
        return RegionList(
            items=[
                RegionSummary(region=region, slug=slug(region), listed=counts.get(region, 0))
                for region in directory.presented()
            ]
        )

    return await read(summarise)


@router.get(
    "/{region_slug}",
    summary="One labour-market region",
    responses={404: {"description": "Not a region this platform presents"}},
)
async def read_region(request: Request, read: ReaderDep, region_slug: RegionSlug) -> RegionDetail:
    """Its listed enterprises by category, its SROI coordinators and its monthly figures."""
    directory: RegionDirectory = request.app.state.regions
    region = directory.named(region_slug)
    if region is None:
        raise HTTPException(status_code=404, detail="Not a region this platform presents")
    return _detail(await read(region_report, directory, region))


def _detail(report: RegionReport) -> RegionDetail:
    return RegionDetail(
        region=report.region,
        slug=slug(report.region),
        listed=report.listed,
        categories=[
            CategoryEnterprises(
                slug=group.slug,
                name=group.name,
                enterprise_ids=[e.enterprise_id for e in group.enterprises],
            )
            for group in report.groups
        ],
        coordinators=[
            CoordinatorView.model_validate(c.model_dump(exclude={"region"}))
            for c in report.coordinators
        ],
        months=[
            MonthFigures(month=f"{p.year:04d}-{p.month:02d}", listed=p.listed, lapsed=p.lapsed)
            for p in report.points
        ],
    )
