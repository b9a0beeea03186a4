"""`/api/v1/enterprises`: search listed enterprises, or read one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import JSONResponse
from sqlmodel import Session

from services.gateway.deps import ReaderDep, SearchCacheDep, SearchDep
from services.gateway.read_model.queries import get_departure, get_enterprise, search_enterprises
from services.gateway.read_model.views import EnterpriseGone, EnterprisePage, EnterpriseView

router = APIRouter(prefix="/enterprises", tags=["enterprises"])

EnterpriseId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("", summary="Search listed enterprises")
async def read_enterprises(
    read: ReaderDep, query: SearchDep, cache: SearchCacheDep
) -> EnterprisePage:
    """Listed enterprises matching the filters, one page at a time, with facet counts."""
    return await read(search_enterprises, query, cache)


@router.get(
    "/{enterprise_id}",
    summary="One listed enterprise",
    response_model=EnterpriseView,
    responses={
        404: {"description": "Unknown"},
        410: {"model": EnterpriseGone, "description": "No longer listed: since when and why"},
    },
)
async def read_enterprise(
    read: ReaderDep, enterprise_id: EnterpriseId
) -> EnterpriseView | JSONResponse:
    """A listed enterprise; 410 saying since when and why when no longer listed, 404 when
    unknown."""

    def look_up(session: Session) -> EnterpriseView | EnterpriseGone | None:
        return get_enterprise(session, enterprise_id) or get_departure(session, enterprise_id)

    found = await read(look_up)
    if isinstance(found, EnterpriseGone):
        return JSONResponse(status_code=410, content=found.model_dump(mode="json"))
    if found is None:
        raise HTTPException(status_code=404, detail="Enterprise not found")
    return found
