"""`/healthz`: liveness, plus whether the read model is being fed."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.deps import BrokerDep, FeedDep, ReaderDep, SearchCacheDep
from services.gateway.read_model.queries import model_size
from services.gateway.read_model.views import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and feed status")
async def read_health(
    read: ReaderDep, cache: SearchCacheDep, broker: BrokerDep, feed: FeedDep
) -> Health:
    """Always `ok` while serving; says whether NATS is connected and how big the model is."""
    listed, processed = await read(model_size, cache)
    return Health(
        nats_connected=await broker.ping(timeout=0.25),
        feed_started=feed.started,
        enterprises_listed=listed,
        events_processed=processed,
    )
