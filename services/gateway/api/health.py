"""`/healthz`: liveness, plus whether the read model is being fed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from services.gateway.deps import BrokerDep, FeedDep, SessionDep
from services.gateway.read_model.queries import count_listed, count_processed
from services.gateway.read_model.views import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and feed status")
async def read_health(session: SessionDep, broker: BrokerDep, feed: FeedDep) -> Health:
    """Always `ok` while serving; says whether NATS is connected and how big the model is."""
    listed = await run_in_threadpool(count_listed, session)
    processed = await run_in_threadpool(count_processed, session)
    return Health(
        nats_connected=await broker.ping(timeout=0.25),
        feed_started=feed.started,
        enterprises_listed=listed,
        events_processed=processed,
    )
