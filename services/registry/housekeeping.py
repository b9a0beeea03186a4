"""Keeping the registry's own tables bounded and its relay observable: how the outbox
stands, and published (or given-up) outbox rows deleted after their retention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from contracts.subjects import DEADLETTERS_STREAM
from services.registry.adapters.unit_of_work import AbstractUnitOfWork

log = structlog.get_logger()
DELETE_BATCH = 1000
# A row given up on is kept as long as its dead letter: the operator may want its payload.
GIVEN_UP_KEEP = timedelta(days=DEADLETTERS_STREAM.max_age_days or 30)


@dataclass(frozen=True)
class RelayHealth:
    """How the outbox relay stands at `checked_at`: rows waiting, the oldest one's time, and
    rows given up on (each also a dead letter)."""

    backlog: int
    oldest_unpublished_at: datetime | None
    given_up: int
    checked_at: datetime

    @property
    def oldest_age_seconds(self) -> float:
        """How long the oldest waiting row has waited; 0 with none waiting. A relay that is
        stuck shows here first: it grows while the backlog does not shrink."""
        if self.oldest_unpublished_at is None:
            return 0.0
        return max(0.0, (self.checked_at - self.oldest_unpublished_at).total_seconds())


def relay_health(uow: AbstractUnitOfWork, now: datetime) -> RelayHealth:
    """The outbox's backlog, its oldest unpublished row and the rows given up on, read in
    one statement (a unit of work that only reads will do)."""
    with uow:
        counts = uow.outbox.counts()
    return RelayHealth(
        backlog=counts.backlog,
        oldest_unpublished_at=counts.oldest_unpublished_at,
        given_up=counts.given_up,
        checked_at=now,
    )


def forget_published(
    uow_factory: Callable[[], AbstractUnitOfWork],
    now: datetime,
    keep_days: int,
    batch: int = DELETE_BATCH,
) -> int:
    """Delete outbox rows published more than `keep_days` ago (and rows given up on, once
    their dead letter has expired), `batch` rows per transaction so no pass holds the
    relay's commits up for long; returns how many."""
    published_before = now - timedelta(days=keep_days)
    given_up_before = now - GIVEN_UP_KEEP
    deleted = 0
    while True:
        with uow_factory() as uow:
            count = uow.outbox.delete_done(published_before, given_up_before, batch)
            uow.commit()
        deleted += count
        if count < batch:
            break
    if deleted:
        log.info("outbox_rows_deleted", rows=deleted, keep_days=keep_days)
    return deleted
