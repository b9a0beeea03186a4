"""Where enterprises and their holdings are kept: abstract, SQL, fake."""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, insert
from sqlmodel import Session, col, select

from contracts.enterprises import EnterpriseState
from contracts.labels import LABELS, LabelName, Observation
from services.kit.sql import insert_new, upsert
from services.registry.adapters.tables import (
    ENTERPRISES,
    HOLDING_KVK,
    HOLDINGS,
    REMINDERS,
    HoldingRow,
    as_utc,
)
from services.registry.domain import Enterprise, Holding, HoldingKey, ReminderKey
from services.registry.identity import Candidates, Identity, kvk_numbers, name_key, website_host
from services.registry.regions.resolver import ResolutionStatus

UNPLACED = ("unresolved", "ambiguous")

# Built once: a statement built anew for every event costs more than running it.
_ENTERPRISE = (
    sa.select(ENTERPRISES)
    .where(ENTERPRISES.c.enterprise_id == sa.bindparam("enterprise_id"))
    .with_for_update()
)
_HOLDINGS_OF = sa.select(HOLDINGS).where(HOLDINGS.c.enterprise_id == sa.bindparam("enterprise_id"))
_REMINDERS_OF = (
    sa.select(REMINDERS)
    .join(
        HOLDINGS,
        (HOLDINGS.c.label == REMINDERS.c.label) & (HOLDINGS.c.holding_id == REMINDERS.c.holding_id),
    )
    .where(HOLDINGS.c.enterprise_id == sa.bindparam("enterprise_id"))
)
_ENTERPRISE_OF_HOLDING = sa.select(HOLDINGS.c.enterprise_id).where(
    HOLDINGS.c.label == sa.bindparam("label"), HOLDINGS.c.holding_id == sa.bindparam("holding_id")
)
_BY_KVK = (
    sa.select(HOLDING_KVK.c.enterprise_id)
    .where(HOLDING_KVK.c.kvk.in_(sa.bindparam("kvk", expanding=True)))
    .distinct()
    .order_by(HOLDING_KVK.c.enterprise_id)
)
_BY_WEBSITE = (
    sa.select(HOLDINGS.c.enterprise_id)
    .where(HOLDINGS.c.website_host == sa.bindparam("host"))
    .distinct()
    .order_by(HOLDINGS.c.enterprise_id)
)
_BY_NAME = (
    sa.select(HOLDINGS.c.enterprise_id)
    .where(
        HOLDINGS.c.name_key == sa.bindparam("key"),
        HOLDINGS.c.municipality_code == sa.bindparam("code"),
    )
    .distinct()
    .order_by(HOLDINGS.c.enterprise_id)
)
_DUE = (
    sa.select(ENTERPRISES.c.enterprise_id)
    .where(ENTERPRISES.c.next_check_on <= sa.bindparam("today"))
    .order_by(ENTERPRISES.c.next_check_on, ENTERPRISES.c.enterprise_id)
)
_DELETE_KVK = sa.delete(HOLDING_KVK).where(
    HOLDING_KVK.c.label == sa.bindparam("label"),
    HOLDING_KVK.c.holding_id == sa.bindparam("holding_id"),
)


class AbstractRepository(abc.ABC):
    """Enterprises with their holdings."""

    @abc.abstractmethod
    def get(self, enterprise_id: str) -> Enterprise | None:
        """The enterprise, locked for this unit of work where the database can lock rows."""

    @abc.abstractmethod
    def enterprise_id_of_holding(self, label: LabelName, holding_id: str) -> str | None:
        """The enterprise a holding is attached to, if it is known."""

    @abc.abstractmethod
    def enterprise_ids_by_kvk(self, kvk: Iterable[str]) -> list[str]:
        """Enterprises one of whose holdings names one of these (normalised) KvK numbers."""

    @abc.abstractmethod
    def enterprise_ids_by_website(self, host: str) -> list[str]:
        """Enterprises one of whose holdings has a website on this host."""

    @abc.abstractmethod
    def enterprise_ids_by_name(self, key: str, municipality_code: str) -> list[str]:
        """Enterprises with a holding of this normalised name in this municipality."""

    @abc.abstractmethod
    def save(self, enterprise: Enterprise, at: datetime) -> None:
        """Store the enterprise, its holdings and their KvK numbers, and reminders sent."""

    @abc.abstractmethod
    def due_for_check(self, today: date) -> list[str]:
        """Enterprises whose next time-driven change falls on or before `today`."""

    def get_by_holding(self, label: LabelName, holding_id: str) -> Enterprise | None:
        """The enterprise a holding is attached to."""
        found = self.enterprise_id_of_holding(label, holding_id)
        return self.get(found) if found else None

    def enterprise_id_by_kvk(self, kvk: Iterable[str]) -> str | None:
        """The enterprise sharing a KvK number with `kvk` (the lowest id if several do)."""
        return min(self.enterprise_ids_by_kvk(kvk_numbers(kvk)), default=None)

    def candidates(self, identity: Identity, kept_apart: frozenset[str]) -> Candidates:
        """The enterprises each identity rule finds for a holding."""
        host, key, code = identity.website_host, identity.name_key, identity.municipality_code
        return Candidates(
            kvk=self.enterprise_ids_by_kvk(identity.kvk) if identity.kvk else [],
            website=self.enterprise_ids_by_website(host) if host else [],
            name=self.enterprise_ids_by_name(key, code) if key and code else [],
            kept_apart=kept_apart,
        )


class SqlRepository(AbstractRepository):
    """Enterprises in the `enterprise`, `holding` and `holding_kvk` tables.

    Reads and writes are plain SQL statements, not ORM objects: an enterprise read twice in
    one transaction (two events of one batch) is read as last written, and a save writes only
    the holdings and reminders that changed since the enterprise was read.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._as_read: dict[str, tuple[dict[HoldingKey, Holding], set[ReminderKey]]] = {}

    @property
    def _sql(self) -> Connection:
        """The transaction's connection: statements skip the ORM's execute and autoflush
        (nothing this repository reads is written through the ORM)."""
        return self.session.connection()

    def get(self, enterprise_id: str) -> Enterprise | None:
        key = {"enterprise_id": enterprise_id}
        row = self._sql.execute(_ENTERPRISE, key).first()
        if row is None:
            return None
        holdings = self._sql.execute(_HOLDINGS_OF, key).all()
        reminded = self._sql.execute(_REMINDERS_OF, key).all()
        enterprise = Enterprise(
            enterprise_id=row.enterprise_id,
            holdings={h.key: h for h in map(_holding, holdings)},
            published=EnterpriseState.model_validate_json(row.state) if row.state else None,
            reminded={_reminder_key(r) for r in reminded},
            next_check_on=row.next_check_on,
        )
        self._as_read[enterprise_id] = (dict(enterprise.holdings), set(enterprise.reminded))
        return enterprise

    def due_for_check(self, today: date) -> list[str]:
        return [str(found) for found in self._sql.execute(_DUE, {"today": today}).scalars()]

    def enterprise_id_of_holding(self, label: LabelName, holding_id: str) -> str | None:
        found = self._sql.execute(
            _ENTERPRISE_OF_HOLDING, {"label": label, "holding_id": holding_id}
        ).scalar()
        return str(found) if found is not None else None

    def enterprise_ids_by_kvk(self, kvk: Iterable[str]) -> list[str]:
        return self._ids(_BY_KVK, kvk=list(kvk))

    def enterprise_ids_by_website(self, host: str) -> list[str]:
        return self._ids(_BY_WEBSITE, host=host)

    def enterprise_ids_by_name(self, key: str, municipality_code: str) -> list[str]:
        return self._ids(_BY_NAME, key=key, code=municipality_code)

    def _ids(self, query: sa.Select[tuple[str]], **params: object) -> list[str]:
        return [str(found) for found in self._sql.execute(query, params).scalars()]

    def save(self, enterprise: Enterprise, at: datetime) -> None:
        published = enterprise.published
        enterprise_id = enterprise.enterprise_id
        upsert(
            self.session,
            ENTERPRISES,
            {
                "enterprise_id": enterprise_id,
                "version": enterprise.version,
                "listed": enterprise.listed,
                "updated_at": at,
                "state": published.model_dump_json() if published else None,
                "next_check_on": enterprise.next_check_on,
            },
        )
        held, reminded = self._as_read.get(enterprise_id, ({}, set()))
        for holding in enterprise.holdings.values():
            before = held.get(holding.key)
            if before == holding:
                continue
            self._save_holding(enterprise_id, holding)
            if before is None or before.observation.kvk != holding.observation.kvk:
                self._save_kvk(enterprise_id, holding)
        new_reminders = [
            {
                "label": label,
                "holding_id": holding_id,
                "valid_until": valid_until,
                "lead_days": lead_days,
                "enterprise_id": enterprise_id,
                "sent_at": at,
            }
            for label, holding_id, valid_until, lead_days in sorted(enterprise.reminded - reminded)
        ]
        insert_new(self.session, REMINDERS, new_reminders)
        self._as_read[enterprise_id] = (dict(enterprise.holdings), set(enterprise.reminded))

    def _save_holding(self, enterprise_id: str, holding: Holding) -> None:
        upsert(
            self.session,
            HOLDINGS,
            {
                "label": holding.key[0],
                "holding_id": holding.key[1],
                "enterprise_id": enterprise_id,
                "observation": holding.observation.model_dump_json(),
                "last_event_at": holding.last_event_at,
                "lapsed_on": holding.lapsed_on,
                "municipality_code": holding.municipality_code,
                "place_status": holding.place_status,
                "website_host": website_host(holding.observation.website),
                "name_key": name_key(holding.observation.name),
            },
        )

    def _save_kvk(self, enterprise_id: str, holding: Holding) -> None:
        label, holding_id = holding.key
        self._sql.execute(_DELETE_KVK, {"label": label, "holding_id": holding_id})
        rows = [
            {"label": label, "holding_id": holding_id, "kvk": kvk, "enterprise_id": enterprise_id}
            for kvk in kvk_numbers(holding.observation.kvk)
        ]
        if rows:
            self._sql.execute(insert(HOLDING_KVK), rows)


def _holding(row: Any) -> Holding:
    return Holding(
        observation=Observation.model_validate_json(row.observation),
        last_event_at=as_utc(row.last_event_at),
        lapsed_on=row.lapsed_on,
        municipality_code=row.municipality_code,
        place_status=_status(row.place_status),
    )


def _reminder_key(row: Any) -> ReminderKey:
    label = next(name for name in LABELS if name == row.label)
    return (label, row.holding_id, row.valid_until, row.lead_days)


def _status(value: str | None) -> ResolutionStatus | None:
    statuses: tuple[ResolutionStatus, ...] = ("bundled", "pdok", "unresolved", "ambiguous")
    return next((s for s in statuses if s == value), None)


@dataclass(frozen=True)
class UnresolvedPlace:
    """A holding whose place no municipality could be found for (or several could)."""

    label: str
    holding_id: str
    name: str
    place: str | None
    status: str


def unresolved_places(session: Session) -> list[UnresolvedPlace]:
    """Holdings whose place is `unresolved` or `ambiguous`, by label and holding id."""
    rows = session.exec(
        select(HoldingRow)
        .where(col(HoldingRow.place_status).in_(UNPLACED))
        .order_by(col(HoldingRow.label), col(HoldingRow.holding_id))
    ).all()
    found = []
    for row in rows:
        obs = Observation.model_validate_json(row.observation)
        found.append(
            UnresolvedPlace(row.label, row.holding_id, obs.name, obs.place, row.place_status or "")
        )
    return found


class FakeRepository(AbstractRepository):
    """Enterprises in a dict; saves are staged until the unit of work commits."""

    def __init__(self, committed: dict[str, Enterprise]) -> None:
        self.committed = committed
        self.staged: dict[str, Enterprise] = {}

    def _all(self) -> dict[str, Enterprise]:
        return {**self.committed, **self.staged}

    def get(self, enterprise_id: str) -> Enterprise | None:
        return copy.deepcopy(self._all().get(enterprise_id))

    def enterprise_id_of_holding(self, label: LabelName, holding_id: str) -> str | None:
        return next(
            (e.enterprise_id for e in self._all().values() if (label, holding_id) in e.holdings),
            None,
        )

    def enterprise_ids_by_kvk(self, kvk: Iterable[str]) -> list[str]:
        wanted = set(kvk)
        return self._where(lambda h: bool(wanted & set(kvk_numbers(h.observation.kvk))))

    def enterprise_ids_by_website(self, host: str) -> list[str]:
        return self._where(lambda h: website_host(h.observation.website) == host)

    def enterprise_ids_by_name(self, key: str, municipality_code: str) -> list[str]:
        return self._where(
            lambda h: (
                h.municipality_code == municipality_code and name_key(h.observation.name) == key
            )
        )

    def _where(self, test: Callable[[Holding], bool]) -> list[str]:
        return sorted(
            e.enterprise_id for e in self._all().values() if any(map(test, e.holdings.values()))
        )

    def save(self, enterprise: Enterprise, at: datetime) -> None:
        self.staged[enterprise.enterprise_id] = copy.deepcopy(enterprise)

    def due_for_check(self, today: date) -> list[str]:
        due = {
            e.enterprise_id: e.next_check_on
            for e in self._all().values()
            if e.next_check_on and e.next_check_on <= today
        }
        return sorted(due, key=lambda enterprise_id: (due[enterprise_id], enterprise_id))

    def apply(self) -> None:
        """Make the staged saves permanent (called by the fake unit of work's commit)."""
        self.committed.update(self.staged)
        self.staged = {}
