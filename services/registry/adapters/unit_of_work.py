"""One transaction around an enterprise change, its merges, processed event id and outbox rows."""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

from services.registry.adapters.claims import (
    AbstractClaims,
    Claim,
    FakeClaims,
    SqlClaims,
    SupplementChange,
)
from services.registry.adapters.merges import AbstractMerges, FakeMerges, Merge, SqlMerges
from services.registry.adapters.messages import (
    AbstractOutbox,
    FakeOutbox,
    OutboxMessage,
    SqlOutbox,
)
from services.registry.adapters.processed import (
    AbstractProcessedEvents,
    FakeProcessedEvents,
    ProcessedRecord,
    SqlProcessedEvents,
)
from services.registry.adapters.repository import (
    AbstractRepository,
    FakeRepository,
    SqlRepository,
)
from services.registry.enterprise import Enterprise, HoldingKey
from services.registry.identity import Identity

HeldAs = tuple[HoldingKey, Identity]
"""A holding and what the identity rules would recognise it by."""


class AbstractUnitOfWork(abc.ABC):
    """Everything written inside `with uow:` is committed together or not at all."""

    enterprises: AbstractRepository
    merges: AbstractMerges
    processed: AbstractProcessedEvents
    outbox: AbstractOutbox
    claims: AbstractClaims

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def prefetch(self, event_ids: Sequence[str], holdings: Sequence[HeldAs]) -> None:
        """Read ahead, in a few statements, what recording a batch of label events (these
        ids, about these holdings) will look up. Every look-up also works without."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every write of this unit of work permanent, atomically."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard every write not yet committed (a no-op after commit)."""


class SqlUnitOfWork(AbstractUnitOfWork):
    """A database transaction (SQLite or PostgreSQL) per `with` block. Its repositories keep
    their writes until the commit, then write each table's rows in one statement."""

    enterprises: SqlRepository
    merges: SqlMerges
    processed: SqlProcessedEvents
    outbox: SqlOutbox
    claims: SqlClaims

    def __init__(
        self, engine: Engine, on_commit: Callable[[list[OutboxMessage]], None] | None = None
    ) -> None:
        """On an engine from `database.reading`, a unit of work that only reads and takes no
        write lock (SQLite). `on_commit` is handed the outbox rows each commit wrote (the
        relay's `hand_over`)."""
        self.engine = engine
        self.on_commit = on_commit

    def __enter__(self) -> Self:
        self.session = Session(self.engine, expire_on_commit=False)
        self.enterprises = SqlRepository(self.session)
        self.merges = SqlMerges(self.session)
        self.processed = SqlProcessedEvents(self.session)
        self.outbox = SqlOutbox(self.session)
        self.claims = SqlClaims(self.session)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        self.session.close()

    def prefetch(self, event_ids: Sequence[str], holdings: Sequence[HeldAs]) -> None:
        self.processed.prefetch(event_ids)
        self.enterprises.prefetch(holdings)
        self.merges.prefetch(key for key, _ in holdings)

    def commit(self) -> None:
        # Enterprises first: holdings and their KvK numbers refer to them.
        self.enterprises.flush()
        self.processed.flush()
        self.outbox.flush()
        self.session.commit()
        written = self.outbox.take_written()
        if written and self.on_commit is not None:
            self.on_commit(written)

    def rollback(self) -> None:
        self.session.rollback()


@dataclass
class FakeDatabase:
    """What the fake units of work share, like a database shared by connections."""

    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    processed: set[str] = field(default_factory=set)
    processed_records: dict[str, ProcessedRecord] = field(default_factory=dict)
    pruned_through: dict[str, int] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    supplement_changes: list[SupplementChange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeUnitOfWork(AbstractUnitOfWork):
    """Stages writes in memory and applies them on commit; usable from several threads."""

    enterprises: FakeRepository
    merges: FakeMerges
    processed: FakeProcessedEvents
    outbox: FakeOutbox
    claims: FakeClaims

    def __init__(self, database: FakeDatabase | None = None) -> None:
        self.database = database or FakeDatabase()
        self.commits = 0
        self._start()

    def _start(self) -> None:
        self.enterprises = FakeRepository(self.database.enterprises)
        self.merges = FakeMerges(self.database.merges)
        self.processed = FakeProcessedEvents(
            self.database.processed, self.database.processed_records, self.database.pruned_through
        )
        self.outbox = FakeOutbox(self.database.outbox)
        self.claims = FakeClaims(self.database.claims, self.database.supplement_changes)

    def __enter__(self) -> Self:
        self._start()
        return super().__enter__()

    def prefetch(self, event_ids: Sequence[str], holdings: Sequence[HeldAs]) -> None:
        pass  # everything is in memory already

    def commit(self) -> None:
        with self.database.lock:
            self.outbox.apply()
            self.enterprises.apply()
            self.merges.apply()
            self.processed.apply()
            self.claims.apply()
        self.commits += 1
        self._start()

    def rollback(self) -> None:
        self._start()
