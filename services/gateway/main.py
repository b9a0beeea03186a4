"""The gateway's composition root: the FastAPI app, its feed, and the process around it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from contracts.base import utc_now
from services.gateway.alerts import pages as alert_pages
from services.gateway.alerts.bootstrap import bootstrap_alerts
from services.gateway.alerts.digest import keep_sending
from services.gateway.alerts.tables import create_alert_tables
from services.gateway.api import health
from services.gateway.api.router import api_router
from services.gateway.config import GatewaySettings
from services.gateway.editors import pages as editor_pages
from services.gateway.editors.access import EDITOR_ISSUED, EDITOR_LINKS
from services.gateway.editors.bootstrap import bootstrap_editors
from services.gateway.editors.outbox import EDITOR_PUBLICATIONS, Publish, jetstream_publish
from services.gateway.editors.tables import create_editor_tables
from services.gateway.feed import ReadModelFeed
from services.gateway.hotspot_items.wiring import (
    hotspot_consumers,
    install_hotspot_items,
    prune_hotspot_items,
)
from services.gateway.knowledge.bootstrap import install_knowledge
from services.gateway.mail_preferences import routes as mail_preference_pages
from services.gateway.pages import enterprises as enterprise_pages
from services.gateway.pages.errors import install_error_pages
from services.gateway.pages.formatting import make_templates
from services.gateway.platform_health import PlatformHealth
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.database import create_tables, for_writing, make_engine
from services.gateway.read_model.index_follow import build_search_index
from services.gateway.read_model.pruning import keep_pruning
from services.gateway.read_model.reader import Reader
from services.gateway.regions import pages as region_pages
from services.gateway.regions.directory import RegionDirectory
from services.gateway.shortlists import pages as shortlist_pages
from services.gateway.shortlists.bootstrap import bootstrap_shortlists
from services.gateway.shortlists.purge import keep_purging_lists
from services.gateway.shortlists.tables import create_shortlist_tables
from services.gateway.signin import pages as signin_pages
from services.gateway.signin.bootstrap import bootstrap_signin
from services.gateway.signin.consumer import link_consumer
from services.gateway.signin.links import ENTERPRISE_ISSUED, ENTERPRISE_LINKS
from services.gateway.signin.publishing import AbstractPublisher, JetStreamPublisher
from services.gateway.signin.purge import keep_purging
from services.gateway.signin.rendering import Problem, render_problem
from services.gateway.subscribers import PUBLICATIONS, SERVICE, enterprise_consumer, scrape_consumer
from services.gateway.web import install_web_hygiene
from services.kit.asyncapi import asyncapi_json as render_asyncapi
from services.kit.batches import BatchConsumer
from services.kit.health import HealthCheck, running_durables
from services.kit.health_requests import HealthResponder
from services.kit.jetstream import make_broker
from services.kit.logging import configure_logging
from services.kit.nats_users import GATEWAY
from services.kit.settings import load_settings

log = structlog.get_logger()
STATIC_DIR = Path(__file__).resolve().parent / "static"
VERSION = "0.1.0"


def create_app(
    settings: GatewaySettings | None = None,
    *,
    publisher: AbstractPublisher | None = None,
    editor_publish: Publish | None = None,
) -> FastAPI:
    """Build the app: read model engine, broker with its subscribers, routes, pages, and the
    sign-in, which publishes with `publisher` (default: JetStream through the feed's broker),
    and the editors' area, whose outbox relay publishes with `editor_publish` (same default).

    Nothing connects here and no file is read; the lifespan reads the sign-in secret and the
    SROI coordinators file, creates the tables, and starts the feed and the background tasks
    (sign-in and shortlist purges, alert digests).
    """
    settings = settings or load_settings(GatewaySettings)
    engine = make_engine(settings.database_url)
    writing = asyncio.Lock()
    broker = make_broker(settings.nats())
    timeout = settings.publish_timeout_seconds
    publications = (*PUBLICATIONS, *EDITOR_PUBLICATIONS)
    publisher = publisher or JetStreamPublisher(broker, publications, timeout)
    signin = bootstrap_signin(settings, engine, publisher)
    editors = bootstrap_editors(signin, editor_publish or jetstream_publish(broker, timeout))
    consumers = _consumers(settings, engine, writing, signin.now)
    app = FastAPI(
        title="impactoost buyers API",
        version=VERSION,
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        description="Impact enterprises that hold a valid social-enterprise label, "
        "and how fresh each label registry's data is.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.broker = broker
    check = HealthCheck(GATEWAY.name, running_durables(consumers))
    app.state.feed = ReadModelFeed(
        settings, broker, consumers, engine, health=HealthResponder(check)
    )
    app.state.platform_health = PlatformHealth(
        check,
        broker,
        timeout=settings.health_timeout_seconds,
        cache_seconds=settings.health_cache_seconds,
    )
    app.state.signin = signin
    app.state.editors = editors
    app.state.alerts = bootstrap_alerts(settings, engine, signin)
    app.state.shortlists = bootstrap_shortlists(settings, engine, signin.csrf)
    app.state.reader = Reader(engine)
    app.state.search_cache = SearchCache()
    app.state.templates = make_templates(settings.platform_name)
    app.state.regions = RegionDirectory(
        settings.gateway_sroi_coordinators_file,
        settings.provinces,
        settings.gateway_region_chart_months,
    )
    app.state.templates.env.globals["region_path"] = app.state.regions.path_of
    app.include_router(health.router)
    app.include_router(api_router)
    app.include_router(enterprise_pages.router)
    app.include_router(signin_pages.router)
    app.include_router(editor_pages.router)
    app.include_router(mail_preference_pages.router)
    app.include_router(region_pages.router)
    app.include_router(alert_pages.router)
    app.include_router(shortlist_pages.router)
    install_knowledge(app)
    install_hotspot_items(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_pages(app)
    app.add_exception_handler(Problem, render_problem)
    install_web_hygiene(app, settings, app.state.templates, STATIC_DIR)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = app.state
    await asyncio.to_thread(state.signin.secret.value)
    await asyncio.to_thread(create_tables, state.engine)
    await asyncio.to_thread(create_alert_tables, state.engine)
    await asyncio.to_thread(create_shortlist_tables, state.engine)
    await asyncio.to_thread(create_editor_tables, state.engine)
    await asyncio.to_thread(state.regions.load)
    await asyncio.to_thread(state.knowledge.load)
    lists = state.shortlists
    processed_keep = timedelta(hours=state.settings.gateway_processed_keep_hours)
    tasks = [
        # Built in the background: liveness, pages and the API's look-ups answer at once, and
        # searches wait for it (minutes at 1,000,000 enterprises, longer than a health check
        # or a process supervisor waits for a start).
        asyncio.create_task(asyncio.to_thread(build_search_index, state.engine), name="index"),
        asyncio.create_task(keep_purging(ENTERPRISE_LINKS, state.signin), name="signin-purge"),
        asyncio.create_task(keep_sending(state.alerts), name="alert-digests"),
        asyncio.create_task(keep_purging(EDITOR_LINKS, state.signin), name="editor-purge"),
        asyncio.create_task(state.editors.relay.run(), name="editor-outbox"),
        asyncio.create_task(
            keep_purging_lists(state.engine, lists.now, lists.keep_days), name="shortlist-purge"
        ),
        asyncio.create_task(
            keep_pruning(state.engine, state.feed.ack_floors, processed_keep), name="id-prune"
        ),
        prune_hotspot_items(app),
    ]
    state.feed.start()
    log.info(
        "gateway_started",
        database=state.engine.url.render_as_string(hide_password=True),
        durable=state.settings.durable,
        provinces=list(state.settings.provinces) or "all",
    )
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await state.feed.stop()
        state.engine.dispose()
        log.info("gateway_stopped")


async def serve(settings: GatewaySettings) -> None:
    """Serve HTTP until SIGINT/SIGTERM, then drain requests and in-flight messages."""
    configure_logging(settings.log_format, settings.log_level)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        lifespan="on",
        log_config=None,
        timeout_graceful_shutdown=15,
    )
    server = _Server(config)
    await server.serve()
    if not server.started:
        raise RuntimeError("gateway did not start; see the log above")


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stop signal after a graceful shutdown.

    uvicorn re-raises a captured SIGTERM/SIGINT once it has stopped, so a deliberate stop
    would end as "killed by signal" or a KeyboardInterrupt; a graceful stop exits cleanly.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)


def _consumers(
    settings: GatewaySettings,
    engine: Engine,
    writing: asyncio.Lock,
    now: Callable[[], datetime],
) -> list[BatchConsumer[Any]]:
    """The durable consumers that feed the read model and the sign-in links' table, all
    under the gateway's durable name; they write one at a time, under `writing`, and each
    transaction takes SQLite's write lock from its start (`for_writing`), so a page that
    writes meanwhile makes it wait rather than fail."""
    engine = for_writing(engine)
    common: dict[str, Any] = {
        "nats": settings.nats(),
        "durable": settings.durable,
        "ack_wait_seconds": settings.ack_wait_seconds,
        "inactive_threshold_seconds": settings.gateway_durable_inactive_days * 86400,
    }
    return [
        enterprise_consumer(engine, writing, subjects=settings.enterprise_subjects, **common),
        scrape_consumer(engine, writing, **common),
        link_consumer(ENTERPRISE_ISSUED, engine, writing, now, **common),
        link_consumer(EDITOR_ISSUED, engine, writing, now, **common),
        *hotspot_consumers(engine, writing, **common),
    ]


def asyncapi_json(settings: GatewaySettings | None = None) -> str:
    """The gateway's AsyncAPI document: the consumers it starts and what it publishes,
    built without connecting."""
    settings = settings or load_settings(GatewaySettings)
    engine = make_engine(settings.database_url)
    # The default durable name hashes the database's path: the document names its pattern,
    # so it reads the same wherever it is generated.
    named = settings.gateway_consumer or "gateway-<hash>"
    settings = settings.model_copy(update={"gateway_consumer": named})
    consumers = _consumers(settings, engine, asyncio.Lock(), utc_now)
    return render_asyncapi(
        service=SERVICE,
        title="impactoost gateway",
        version=VERSION,
        description="Feeds the buyers' read model from ENTERPRISES, SCRAPES, NEWS and AGENDA.",
        consumers=consumers,
        publications=(*PUBLICATIONS, *EDITOR_PUBLICATIONS),
    )
