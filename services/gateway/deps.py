"""FastAPI dependencies, read from `app.state` (set by `create_app`), as Annotated aliases.

All are `async def`: FastAPI runs a plain `def` dependency in the thread pool, a hop that costs
more than reading an attribute. Read-model queries go through `Reader`, one hop per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.templating import Jinja2Templates
from faststream.nats import NatsBroker

from services.gateway.feed import ReadModelFeed
from services.gateway.platform_health import PlatformHealth
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.queries import SearchQuery
from services.gateway.read_model.reader import Reader
from services.gateway.signin.bootstrap import SignIn


async def get_reader(request: Request) -> Reader:
    """Runs a request's read-model queries (see Reader)."""
    reader: Reader = request.app.state.reader
    return reader


async def get_templates(request: Request) -> Jinja2Templates:
    """The page templates (autoescaping)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def get_broker(request: Request) -> NatsBroker:
    """The broker feeding the read model."""
    broker: NatsBroker = request.app.state.broker
    return broker


async def get_feed(request: Request) -> ReadModelFeed:
    """The read model feed (its start-up state)."""
    feed: ReadModelFeed = request.app.state.feed
    return feed


async def get_platform_health(request: Request) -> PlatformHealth:
    """The gateway's and the other services' health reports (see PlatformHealth)."""
    platform: PlatformHealth = request.app.state.platform_health
    return platform


async def get_search_cache(request: Request) -> SearchCache:
    """Search answers of this process, each valid until the next projected event."""
    cache: SearchCache = request.app.state.search_cache
    return cache


async def get_signin(request: Request) -> SignIn:
    """The sign-in's wired parts: secret, limits, publisher, clocks (see bootstrap_signin)."""
    signin: SignIn = request.app.state.signin
    return signin


ReaderDep = Annotated[Reader, Depends(get_reader)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
BrokerDep = Annotated[NatsBroker, Depends(get_broker)]
PlatformHealthDep = Annotated[PlatformHealth, Depends(get_platform_health)]
FeedDep = Annotated[ReadModelFeed, Depends(get_feed)]
SearchDep = Annotated[SearchQuery, Query()]
SearchCacheDep = Annotated[SearchCache, Depends(get_search_cache)]
SignInDep = Annotated[SignIn, Depends(get_signin)]
