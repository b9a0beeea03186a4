"""The merges of holdings into existing enterprises, and which were split: abstract, SQL, fake."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Table
from sqlmodel import Session, col, select

from contracts.labels import LabelName
from services.registry.adapters.tables import MergeRow, as_utc
from services.registry.identity import Match


@dataclass(frozen=True)
class Merge:
    """A holding that joined an enterprise by `rule` on `value`; `split_at` once undone."""

    id: int
    enterprise_id: str
    label: str
    holding_id: str
    rule: str
    value: str
    created_at: datetime
    split_at: datetime | None = None


class AbstractMerges(abc.ABC):
    """The merge records, with the pairs a split keeps apart."""

    @abc.abstractmethod
    def add(self, label: LabelName, holding_id: str, found: Match, at: datetime) -> None:
        """Record that a holding joined `found.enterprise_id`."""

    @abc.abstractmethod
    def get(self, merge_id: int) -> Merge | None:
        """One merge record."""

    @abc.abstractmethod
    def list(self) -> list[Merge]:
        """Every merge record, oldest first."""

    @abc.abstractmethod
    def mark_split(self, merge_id: int, at: datetime) -> None:
        """Record that the merge was undone: its holding stays apart from its enterprise."""

    def kept_apart(self, label: str, holding_id: str) -> frozenset[str]:
        """The enterprises a holding was split from."""
        return frozenset(
            m.enterprise_id
            for m in self.list()
            if m.split_at is not None and (m.label, m.holding_id) == (label, holding_id)
        )


class SqlMerges(AbstractMerges):
    """Merges in the `merge` table."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._kept_apart: dict[tuple[str, str], frozenset[str]] = {}

    def prefetch(self, holdings: Iterable[tuple[str, str]]) -> None:
        """Read which enterprises these holdings are kept apart from, in one statement."""
        wanted = set(holdings) - self._kept_apart.keys()
        if not wanted:
            return
        ids = sorted({holding_id for _, holding_id in wanted})
        found: dict[tuple[str, str], set[str]] = {key: set() for key in wanted}
        for label, holding_id, enterprise_id in self.session.connection().execute(
            _KEPT_APART, {"ids": ids}
        ):
            if (label, holding_id) in found:
                found[(label, holding_id)].add(enterprise_id)
        self._kept_apart.update({key: frozenset(apart) for key, apart in found.items()})

    def add(self, label: LabelName, holding_id: str, found: Match, at: datetime) -> None:
        self.session.add(
            MergeRow(
                enterprise_id=found.enterprise_id,
                label=label,
                holding_id=holding_id,
                rule=found.rule,
                value=found.value[:300],
                created_at=at,
            )
        )

    def get(self, merge_id: int) -> Merge | None:
        row = self.session.get(MergeRow, merge_id)
        return _merge(row) if row else None

    def list(self) -> list[Merge]:
        rows = self.session.exec(select(MergeRow).order_by(col(MergeRow.id))).all()
        return [_merge(row) for row in rows]

    def kept_apart(self, label: str, holding_id: str) -> frozenset[str]:
        self.prefetch([(label, holding_id)])
        return self._kept_apart[(label, holding_id)]

    def mark_split(self, merge_id: int, at: datetime) -> None:
        row = self.session.get(MergeRow, merge_id)
        if row is not None:
            row.split_at = at
            self.session.add(row)


_MERGES: Table = MergeRow.__table__  # type: ignore[attr-defined]
# Built once: asked for every batch of new holdings.
_KEPT_APART = sa.select(_MERGES.c.label, _MERGES.c.holding_id, _MERGES.c.enterprise_id).where(
    _MERGES.c.holding_id.in_(sa.bindparam("ids", expanding=True)),
    _MERGES.c.split_at.is_not(None),
)


def _merge(row: MergeRow) -> Merge:
    return Merge(
        id=row.id or 0,
        enterprise_id=row.enterprise_id,
        label=row.label,
        holding_id=row.holding_id,
        rule=row.rule,
        value=row.value,
        created_at=as_utc(row.created_at),
        split_at=as_utc(row.split_at) if row.split_at else None,
    )


class FakeMerges(AbstractMerges):
    """Merges in a list; writes are staged until the unit of work commits."""

    def __init__(self, committed: list[Merge]) -> None:
        self.committed = committed
        self.staged: list[Merge] = []
        self.splits: dict[int, datetime] = {}

    def add(self, label: LabelName, holding_id: str, found: Match, at: datetime) -> None:
        merge_id = len(self.committed) + len(self.staged) + 1
        self.staged.append(
            Merge(merge_id, found.enterprise_id, label, holding_id, found.rule, found.value, at)
        )

    def get(self, merge_id: int) -> Merge | None:
        return next((m for m in self.list() if m.id == merge_id), None)

    def list(self) -> list[Merge]:
        merges = [*self.committed, *self.staged]
        return [replace(m, split_at=self.splits.get(m.id, m.split_at)) for m in merges]

    def mark_split(self, merge_id: int, at: datetime) -> None:
        self.splits[merge_id] = at

    def apply(self) -> None:
        """Make the staged writes permanent (called by the fake unit of work's commit)."""
        self.committed[:] = self.list()
        self.staged = []
        self.splits = {}
