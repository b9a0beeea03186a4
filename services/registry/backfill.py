"""Filling an empty ENTERPRISE_STATES: a deployment from before the compacted view has
listed enterprises whose states were never published there, so a new subscriber starting
from the present would miss them until their next change.

Each listed enterprise's last published state goes out under its state subject as a listing
at that state's version (queued in the outbox like every state, so later changes, queued
after it, replace it). Enterprises not listed need nothing: a subscriber starting from the
present has never seen them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseListed
from services.registry.adapters.unit_of_work import AbstractUnitOfWork
from services.registry.handlers import queue_state

log = structlog.get_logger()


def backfill_states(
    uow_factory: Callable[[], AbstractUnitOfWork], now: datetime, *, source: str
) -> int:
    """Queue the state of every listed enterprise, in one transaction; how many."""
    with uow_factory() as uow:
        queued = 0
        for enterprise_id in uow.enterprises.listed_ids():
            enterprise = uow.enterprises.get(enterprise_id)
            state = enterprise.published if enterprise else None
            if state is None or not state.listed:
                continue
            event = EnterpriseListed(
                event_id=deterministic_id(state.enterprise_id, state.version, "state-backfill"),
                occurred_at=now,
                source=source,
                enterprise=state,
            )
            queue_state(event, uow, now)
            queued += 1
        uow.commit()
    log.info("enterprise_states_backfilled", enterprises=queued)
    return queued
