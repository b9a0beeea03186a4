"""`/api/v1/enterprises`: search listed enterprises, or read one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from services.gateway.deps import ReaderDep, SearchCacheDep, SearchDep
from services.gateway.read_model.queries import get_enterprise, search_enterprises
from services.gateway.read_model.views import EnterprisePage, EnterpriseView

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
    responses={404: {"description": "Unknown, or no longer listed"}},
)
async def read_enterprise(read: ReaderDep, enterprise_id: EnterpriseId) -> EnterpriseView:
    """A listed enterprise; 404 when unknown or delisted."""
    view = await read(get_enterprise, enterprise_id)
    if view is None:
        raise HTTPException(status_code=404, detail="Enterprise not found or no longer listed")
    return view
