"""Each gateway's search index, built from the read model's rows and kept in step with them.

The index follows `enterprise_changes`, the log the database's triggers write whoever changes
an enterprise row (search_index.py): before each search it asks for the log's highest number
(one indexed look-up) and applies the enterprises logged since, reading their rows by id, in
the search's own transaction. A search therefore never answers from a state older than the
one its transaction sees, whichever process wrote it.

PostgreSQL hands out sequence numbers before commit, so a number can become visible after a
higher one; the follower keeps numbers above its floor that it has seen, and waits up to
`GAP_SECONDS` for a missing one (a writer still busy) before taking it for a rolled-back one.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import structlog
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from services.gateway.read_model.enterprise_index import EnterpriseIndex, Entry, Found, SortOrder
from services.gateway.read_model.facets import Filters, GroupKey
from services.gateway.read_model.tables import EnterpriseChangeRow, EnterpriseRow

log = structlog.get_logger()

GAP_SECONDS = 30.0
# The change log keeps this many latest numbers; an index further behind is built anew.
LOG_KEPT = 100_000
# At build, this many of the latest log numbers are checked for writers still busy.
_LOOKBACK = 1_000
_BATCH = 500
_COLUMNS = (
    col(EnterpriseRow.enterprise_id),
    col(EnterpriseRow.listed),
    col(EnterpriseRow.sort_name),
    col(EnterpriseRow.search_text),
    col(EnterpriseRow.province),
    col(EnterpriseRow.region),
    col(EnterpriseRow.municipality),
    col(EnterpriseRow.counting_labels),
    col(EnterpriseRow.category_slugs),
    col(EnterpriseRow.delivery_regions),
    col(EnterpriseRow.reserved),
    col(EnterpriseRow.listed_since),
    col(EnterpriseRow.listing_ends),
)
_SEQ = col(EnterpriseChangeRow.seq)


class FollowedIndex:
    """A search index and where in the change log it stands; safe across threads (one lock,
    held while following and searching: both are short, and Python runs one at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: EnterpriseIndex | None = None
        self._floor = 0
        self._seen: set[int] = set()
        self._gaps: dict[int, float] = {}
        # Whether the log was empty when the index was last built: rows written with the
        # triggers held off (the bench's fill) leave it empty, and an index of them stays right
        # while it stays empty.
        self._built_on_empty_log = False
        self.generation = 0

    def follow(self, session: Session, logged: int | None = -1) -> int:
        """Bring the index up to what `session` sees; its generation (raised with every
        change applied). `logged`: the change log's highest number, when the caller read it
        already (None: the log is empty)."""
        if logged == -1:
            logged = session.execute(select(func.max(_SEQ))).scalar()
        generation = self.generation
        # Nothing new (the common case) needs no lock: the floor only rises, and every number
        # up to it is applied. Read in this order, the generation is not newer than the floor.
        if self._index is not None and (logged or 0) == self._floor and not self._gaps:
            return generation
        with self._lock:
            self._follow(session, logged)
            return self.generation

    def find(
        self,
        terms: list[str],
        filters: Filters,
        order: SortOrder,
        offset: int,
        limit: int,
        *,
        sort_below: int,
    ) -> Found:
        """A search in the index as last followed."""
        with self._lock:
            if self._index is None:
                raise RuntimeError("search index not built yet: follow() first")
            self._index.sort_below = sort_below
            return self._index.search(terms, filters, order, offset, limit)

    def _follow(self, session: Session, top: int | None) -> None:
        if self._index is None or self._index.worn:
            self._build(session)
            return
        if top is None or top < self._floor:
            if self._floor or (len(self._index) and not self._built_on_empty_log):
                # The log was emptied: the tables were made anew.
                self._build(session)
            return
        if top == self._floor or (not self._gaps and top in self._seen):
            return
        statement = select(_SEQ, col(EnterpriseChangeRow.enterprise_id)).where(self._floor < _SEQ)
        logged = [(seq, eid) for seq, eid in session.execute(statement).all() if seq is not None]
        fresh = [(seq, eid) for seq, eid in logged if seq not in self._seen]
        if fresh and self._pruned_past(session, min(seq for seq, _ in logged)):
            self._build(session)
            return
        self._apply(session, {eid for _, eid in fresh})
        self._seen.update(seq for seq, _ in fresh)
        self._advance()

    def _pruned_past(self, session: Session, lowest: int) -> bool:
        """True when log numbers right above the floor were pruned (not merely not yet
        committed): the index is too far behind to follow and is built anew."""
        if lowest <= self._floor + 1:
            return False
        oldest = session.execute(select(func.min(_SEQ))).scalar()
        return oldest is not None and oldest > self._floor + 1 and self._floor > 0

    def _advance(self) -> None:
        """Raise the floor over every number seen, and over gaps waited for long enough."""
        now = time.monotonic()
        for seq in sorted(self._seen):
            if seq != self._floor + 1:
                since = self._gaps.setdefault(self._floor + 1, now)
                if now - since < GAP_SECONDS:
                    break
                log.warning("search_index_gap_skipped", first=self._floor + 1, until=seq - 1)
            self._gaps.pop(self._floor + 1, None)
            self._floor = seq
        self._seen = {seq for seq in self._seen if seq > self._floor}

    def _apply(self, session: Session, ids: set[str]) -> None:
        if not ids or self._index is None:
            return
        index = self._index
        wanted = sorted(ids)
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            rows = session.execute(
                select(*_COLUMNS).where(col(EnterpriseRow.enterprise_id).in_(batch))
            ).all()
            current = {row.enterprise_id: row for row in rows}
            for enterprise_id in batch:
                row = current.get(enterprise_id)
                index.put(enterprise_id, _entry(row) if row is not None and row.listed else None)
        self.generation += 1

    def _build(self, session: Session) -> None:
        started = time.monotonic()
        logged = session.execute(select(func.max(_SEQ))).scalar()
        self._built_on_empty_log = logged is None
        top = logged or 0
        self._floor = max(0, top - _LOOKBACK)
        recent = session.execute(select(_SEQ).where(self._floor < _SEQ)).scalars().all()
        self._seen = {int(seq) for seq in recent if seq is not None}
        self._gaps = {}
        index = EnterpriseIndex()
        index.load(self._listed_rows(session))
        self._index = index
        self._advance()
        self.generation += 1
        log.info("search_index_built", listed=len(index), seconds=time.monotonic() - started)

    def _listed_rows(self, session: Session) -> Iterator[Entry]:
        statement = select(*_COLUMNS).where(col(EnterpriseRow.listed).is_(True))
        for row in session.execute(statement.execution_options(yield_per=10_000)):
            yield _entry(row)


def _entry(row: Any) -> Entry:
    return Entry(
        enterprise_id=row.enterprise_id,
        sort_name=row.sort_name,
        search_text=row.search_text,
        group=GroupKey(
            province=row.province,
            region=row.region,
            municipality=row.municipality,
            labels=row.counting_labels,
            categories=row.category_slugs,
            delivery_regions=row.delivery_regions,
            reserved=bool(row.reserved),
        ),
        listed_since=row.listed_since,
        listing_ends=row.listing_ends,
    )


_INDEXES: weakref.WeakKeyDictionary[Engine, FollowedIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def followed_index(engine: Engine) -> FollowedIndex:
    """The process's search index of the read model at `engine` (one per engine, made on
    first use and built on its first follow)."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(engine)
        if index is None:
            index = _INDEXES[engine] = FollowedIndex()
        return index


def build_search_index(engine: Engine) -> None:
    """Build (or bring up to date) the process's search index of the read model at `engine`."""
    with Session(engine) as session:
        followed_index(engine).follow(session)


def prune_change_log(engine: Engine, keep: int = LOG_KEPT) -> int:
    """Delete all but the latest `keep` numbers of the change log; returns how many went."""
    with Session(engine) as session:
        top = session.execute(select(func.max(_SEQ))).scalar()
        if top is None or top <= keep:
            return 0
        result = session.execute(delete(EnterpriseChangeRow).where(top - keep >= _SEQ))
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)
