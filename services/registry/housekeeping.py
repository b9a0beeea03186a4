"""Keeping the registry's own tables bounded and its relay observable: how the outbox
stands, published (or given-up) outbox rows deleted after their retention, and processed
event ids pruned without ever letting a redelivery through."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from contracts.subjects import DEADLETTERS_STREAM, STREAMS
from services.registry.adapters.unit_of_work import AbstractUnitOfWork

log = structlog.get_logger()
DELETE_BATCH = 1000
# A row given up on is kept as long as its dead letter: the operator may want its payload.
GIVEN_UP_KEEP = timedelta(days=DEADLETTERS_STREAM.max_age_days or 30)
# An id kept without a stream sequence (from before sequences were kept, or of a supplement
# or sign-in) goes once every stream has dropped its event: none can deliver it again.
UNSEQUENCED_KEEP = timedelta(days=max(s.max_age_days or 0 for s in STREAMS))


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
    deleted = _in_batches(
        uow_factory,
        lambda uow: uow.outbox.delete_done(published_before, given_up_before, batch),
        batch,
    )
    if deleted:
        log.info("outbox_rows_deleted", rows=deleted, keep_days=keep_days)
    return deleted


def prune_processed(
    uow_factory: Callable[[], AbstractUnitOfWork],
    now: datetime,
    keep_days: int,
    acknowledged: Mapping[str, int],
    batch: int = DELETE_BATCH,
) -> int:
    """Forget processed ids older than `keep_days` whose stream sequence the durable has
    acknowledged (`acknowledged`: stream -> its durable's ack floor), raising each stream's
    pruned-through sequence with them; ids kept without a sequence go once no stream can
    hold their event any more. Returns how many."""
    before = now - timedelta(days=keep_days)
    pruned = 0
    for stream, floor in sorted(acknowledged.items()):
        prune = functools.partial(_prune_stream, stream, floor, before, batch)
        pruned += _in_batches(uow_factory, prune, batch)
    unsequenced_before = min(before, now - UNSEQUENCED_KEEP)
    pruned += _in_batches(
        uow_factory, lambda uow: uow.processed.prune_unsequenced(unsequenced_before, batch), batch
    )
    if pruned:
        log.info("processed_ids_pruned", ids=pruned, acknowledged=dict(acknowledged))
    return pruned


def _prune_stream(
    stream: str, floor: int, before: datetime, batch: int, uow: AbstractUnitOfWork
) -> int:
    return uow.processed.prune(stream, floor, before, batch)


def _in_batches(
    uow_factory: Callable[[], AbstractUnitOfWork],
    step: Callable[[AbstractUnitOfWork], int],
    batch: int = DELETE_BATCH,
) -> int:
    """Run `step` in one transaction after another until it does less than `batch`."""
    total = 0
    while True:
        with uow_factory() as uow:
            count = step(uow)
            uow.commit()
        total += count
        if count < batch:
            return total
