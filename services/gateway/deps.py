"""FastAPI dependencies, read from `app.state` (set by `create_app`), as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.templating import Jinja2Templates
from faststream.nats import NatsBroker
from sqlmodel import Session

from services.gateway.config import GatewaySettings
from services.gateway.feed import ReadModelFeed
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.queries import SearchQuery


def get_session(request: Request) -> Iterator[Session]:
    """A read model session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


def get_settings(request: Request) -> GatewaySettings:
    """The settings the app was built with."""
    settings: GatewaySettings = request.app.state.settings
    return settings


def get_templates(request: Request) -> Jinja2Templates:
    """The page templates (autoescaping)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


def get_broker(request: Request) -> NatsBroker:
    """The broker feeding the read model."""
    broker: NatsBroker = request.app.state.broker
    return broker


def get_feed(request: Request) -> ReadModelFeed:
    """The read model feed (its start-up state)."""
    feed: ReadModelFeed = request.app.state.feed
    return feed


def get_search_cache(request: Request) -> SearchCache:
    """Search answers of this process, each valid until the next projected event."""
    cache: SearchCache = request.app.state.search_cache
    return cache


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
BrokerDep = Annotated[NatsBroker, Depends(get_broker)]
FeedDep = Annotated[ReadModelFeed, Depends(get_feed)]
SearchDep = Annotated[SearchQuery, Query()]
SearchCacheDep = Annotated[SearchCache, Depends(get_search_cache)]
