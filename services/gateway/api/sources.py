"""`/api/v1/sources`: how fresh each label registry's data is."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.deps import ReaderDep
from services.gateway.read_model.queries import list_sources
from services.gateway.read_model.views import SourceList

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", summary="Freshness of each label registry")
async def read_sources(read: ReaderDep) -> SourceList:
    """Per label: last successful scrape, last failure and its reason, holdings counted."""
    return await read(list_sources)
