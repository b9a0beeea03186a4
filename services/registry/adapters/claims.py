"""Sign-in claims waiting for an operator, and the record of supplement changes: abstract,
SQL, fake. Both name people's addresses, so both can forget what is older than a day given."""

from __future__ import annotations

import abc
import json
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Table
from sqlmodel import Session, col, select

from services.registry.adapters.tables import ClaimRow, SupplementChangeRow, as_utc


@dataclass(frozen=True)
class Claim:
    """Someone asked to sign in for an enterprise at an address it does not trust yet."""

    id: int
    enterprise_id: str
    email: str
    request_event_id: str
    requested_at: datetime
    decision: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class SupplementChange:
    """One change of a supplement: by whom, which fields, and the supplement after it."""

    enterprise_id: str
    changed_at: datetime
    changed_by: str
    action: str
    fields: tuple[str, ...]
    supplement: str | None


class AbstractClaims(abc.ABC):
    """Claims, and the audit of supplement changes."""

    @abc.abstractmethod
    def add(self, enterprise_id: str, email: str, request_event_id: str, at: datetime) -> None:
        """File a claim, unless the same address already waits for the same enterprise."""

    @abc.abstractmethod
    def get(self, claim_id: int) -> Claim | None:
        """One claim."""

    @abc.abstractmethod
    def pending(self) -> list[Claim]:
        """Claims no operator decided yet, oldest first."""

    @abc.abstractmethod
    def decide(self, claim_id: int, decision: str, at: datetime) -> None:
        """Record the operator's decision."""

    @abc.abstractmethod
    def record_change(self, change: SupplementChange) -> None:
        """Keep who changed a supplement, what and when."""

    @abc.abstractmethod
    def changes(self, enterprise_id: str) -> list[SupplementChange]:
        """An enterprise's supplement changes, oldest first."""

    @abc.abstractmethod
    def forget_before(self, cutoff: datetime) -> int:
        """Delete claims requested and changes made before `cutoff`; how many rows went."""


class SqlClaims(AbstractClaims):
    """The `claim` and `supplement_change` tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, enterprise_id: str, email: str, request_event_id: str, at: datetime) -> None:
        waiting = self.session.exec(
            select(ClaimRow).where(
                col(ClaimRow.enterprise_id) == enterprise_id,
                col(ClaimRow.email) == email,
                col(ClaimRow.decision).is_(None),
            )
        ).first()
        if waiting is None:
            self.session.add(
                ClaimRow(
                    enterprise_id=enterprise_id,
                    email=email,
                    request_event_id=request_event_id,
                    requested_at=at,
                )
            )
            self.session.flush()

    def get(self, claim_id: int) -> Claim | None:
        row = self.session.get(ClaimRow, claim_id)
        return _claim(row) if row else None

    def pending(self) -> list[Claim]:
        rows = self.session.exec(
            select(ClaimRow).where(col(ClaimRow.decision).is_(None)).order_by(col(ClaimRow.id))
        ).all()
        return [_claim(row) for row in rows]

    def decide(self, claim_id: int, decision: str, at: datetime) -> None:
        self.session.connection().execute(
            sa.update(_CLAIMS)
            .where(_CLAIMS.c.id == claim_id)
            .values(decision=decision, decided_at=at)
        )

    def record_change(self, change: SupplementChange) -> None:
        self.session.connection().execute(
            sa.insert(_CHANGES).values(
                enterprise_id=change.enterprise_id,
                changed_at=change.changed_at,
                changed_by=change.changed_by,
                action=change.action,
                fields=json.dumps(list(change.fields)),
                supplement=change.supplement,
            )
        )

    def changes(self, enterprise_id: str) -> list[SupplementChange]:
        rows = self.session.exec(
            select(SupplementChangeRow)
            .where(col(SupplementChangeRow.enterprise_id) == enterprise_id)
            .order_by(col(SupplementChangeRow.id))
        ).all()
        return [
            SupplementChange(
                r.enterprise_id,
                as_utc(r.changed_at),
                r.changed_by,
                r.action,
                tuple(json.loads(r.fields)),
                r.supplement,
            )
            for r in rows
        ]

    def forget_before(self, cutoff: datetime) -> int:
        connection = self.session.connection()
        claims = connection.execute(sa.delete(_CLAIMS).where(_CLAIMS.c.requested_at < cutoff))
        changes = connection.execute(sa.delete(_CHANGES).where(_CHANGES.c.changed_at < cutoff))
        return int(claims.rowcount or 0) + int(changes.rowcount or 0)


_CLAIMS: Table = ClaimRow.__table__  # type: ignore[attr-defined]
_CHANGES: Table = SupplementChangeRow.__table__  # type: ignore[attr-defined]


def _claim(row: ClaimRow) -> Claim:
    return Claim(
        id=row.id or 0,
        enterprise_id=row.enterprise_id,
        email=row.email,
        request_event_id=row.request_event_id,
        requested_at=as_utc(row.requested_at),
        decision=row.decision,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
    )


class FakeClaims(AbstractClaims):
    """Claims and changes in lists; writes are staged until the unit of work commits."""

    def __init__(self, claims: list[Claim], changes: list[SupplementChange]) -> None:
        self.claims, self.saved_changes = claims, changes
        self.staged: list[Claim] = []
        self.decided: dict[int, tuple[str, datetime]] = {}
        self.new_changes: list[SupplementChange] = []
        self.cutoff: datetime | None = None

    def add(self, enterprise_id: str, email: str, request_event_id: str, at: datetime) -> None:
        if any(
            (c.enterprise_id, c.email, c.decision) == (enterprise_id, email, None)
            for c in [*self.claims, *self.staged]
        ):
            return
        next_id = len(self.claims) + len(self.staged) + 1
        self.staged.append(Claim(next_id, enterprise_id, email, request_event_id, at))

    def get(self, claim_id: int) -> Claim | None:
        return next((c for c in self.claims if c.id == claim_id), None)

    def pending(self) -> list[Claim]:
        return [c for c in self.claims if c.decision is None]

    def decide(self, claim_id: int, decision: str, at: datetime) -> None:
        self.decided[claim_id] = (decision, at)

    def record_change(self, change: SupplementChange) -> None:
        self.new_changes.append(change)

    def changes(self, enterprise_id: str) -> list[SupplementChange]:
        return [c for c in self.saved_changes if c.enterprise_id == enterprise_id]

    def forget_before(self, cutoff: datetime) -> int:
        self.cutoff = cutoff
        return 0

    def apply(self) -> None:
        """Make the staged writes permanent."""
        self.claims.extend(self.staged)
        for index, claim in enumerate(self.claims):
            if claim.id in self.decided:
                decision, at = self.decided[claim.id]
                self.claims[index] = replace(claim, decision=decision, decided_at=at)
        self.saved_changes.extend(self.new_changes)
        if self.cutoff is not None:
            self.claims[:] = [c for c in self.claims if c.requested_at >= self.cutoff]
            self.saved_changes[:] = [c for c in self.saved_changes if c.changed_at >= self.cutoff]
        self.staged, self.decided, self.new_changes, self.cutoff = [], {}, [], None
