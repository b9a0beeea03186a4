"""The news and agenda's wired parts, for the gateway's composition root: its consumers, its
routes and its background pruning."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from services.gateway.config import GatewaySettings
from services.gateway.hotspot_items import api, feeds, pages
from services.gateway.hotspot_items.consumers import AGENDA_ITEMS, NEWS_ITEMS, item_consumer
from services.gateway.hotspot_items.directory import HotspotDirectory
from services.gateway.hotspot_items.presenting import install_presentation
from services.gateway.hotspot_items.pruning import keep_pruning_items
from services.kit.batches import BatchConsumer


def hotspot_consumers(
    engine: Engine, writing: asyncio.Lock, **common: Any
) -> list[BatchConsumer[Any]]:
    """The NEWS and AGENDA consumers, with the read model's other consumers' settings."""
    return [
        item_consumer(NEWS_ITEMS, engine, writing, **common),
        item_consumer(AGENDA_ITEMS, engine, writing, **common),
    ]


def install_hotspot_items(app: FastAPI, settings: GatewaySettings) -> None:
    """The directory in `app.state.hotspot_items`, the pages, feeds and API routes."""
    app.state.hotspot_items = HotspotDirectory(settings.hotspots, settings.public_base_url)
    install_presentation(app.state.templates)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(api.router, prefix="/api/v1")


def prune_hotspot_items(app: FastAPI) -> asyncio.Task[None]:
    """The background task that prunes old items (see pruning.py)."""
    settings: GatewaySettings = app.state.settings
    directory: HotspotDirectory = app.state.hotspot_items
    return asyncio.create_task(
        keep_pruning_items(
            app.state.engine,
            lambda: directory.now(),
            settings.gateway_news_keep_days,
            settings.gateway_agenda_keep_days,
        ),
        name="hotspot-items-prune",
    )
