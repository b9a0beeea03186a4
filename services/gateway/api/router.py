"""All JSON resources under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.api import enterprises, regions, sources

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(enterprises.router)
api_router.include_router(sources.router)
api_router.include_router(regions.router)
