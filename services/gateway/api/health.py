"""`/healthz`: liveness (always HTTP 200 while serving), the read model's feed, and whether
the platform is healthy: the gateway's durables and dead letters and every service's report."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.deps import BrokerDep, FeedDep, PlatformHealthDep, ReaderDep, SearchCacheDep
from services.gateway.read_model.queries import model_size
from services.gateway.read_model.views import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness, feed status and every service's health")
async def read_health(
    read: ReaderDep,
    cache: SearchCacheDep,
    broker: BrokerDep,
    feed: FeedDep,
    platform: PlatformHealthDep,
) -> Health:
    """HTTP 200 while serving; `status` is `degraded`, with the reasons in `problems`, when a
    dead letter waits, a durable has redeliveries, the registry's relay is behind, or a
    service does not answer."""
    listed, processed = await read(model_size, cache)
    gathered = await platform.current()
    problems = [*gathered.own.problems]
    if not feed.started:
        problems.append("read model feed not started")
    problems += [f"{s.service}: {s.status}" for s in gathered.services if s.status != "ok"]
    return Health(
        status="degraded" if problems else "ok",
        nats_connected=await broker.ping(timeout=0.25),
        feed_started=feed.started,
        enterprises_listed=listed,
        events_processed=processed,
        checked_at=gathered.own.checked_at,
        problems=problems,
        consumers=gathered.own.consumers,
        dead_letters=gathered.own.dead_letters,
        services=gathered.services,
    )
