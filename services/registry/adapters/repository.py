"""Where enterprises and their holdings are kept: abstract, SQL, fake."""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from contracts.enterprises import EnterpriseState
from contracts.labels import LABELS, LabelName, Observation
from services.registry.adapters.tables import (
    EnterpriseRow,
    HoldingKvkRow,
    HoldingRow,
    ReminderRow,
    as_utc,
)
from services.registry.domain import Enterprise, Holding, ReminderKey
from services.registry.identity import Candidates, Identity, kvk_numbers, name_key, website_host
from services.registry.regions.resolver import ResolutionStatus

UNPLACED = ("unresolved", "ambiguous")


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
    """Enterprises in the `enterprise`, `holding` and `holding_kvk` tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, enterprise_id: str) -> Enterprise | None:
        row = self.session.get(EnterpriseRow, enterprise_id, with_for_update=True)
        if row is None:
            return None
        holdings = self.session.exec(
            select(HoldingRow).where(HoldingRow.enterprise_id == enterprise_id)
        ).all()
        reminded = self.session.exec(
            select(ReminderRow)
            .join(
                HoldingRow,
                (col(HoldingRow.label) == col(ReminderRow.label))
                & (col(HoldingRow.holding_id) == col(ReminderRow.holding_id)),
            )
            .where(HoldingRow.enterprise_id == enterprise_id)
        ).all()
        return Enterprise(
            enterprise_id=row.enterprise_id,
            holdings={h.key: h for h in map(_holding, holdings)},
            published=EnterpriseState.model_validate_json(row.state) if row.state else None,
            reminded={_reminder_key(r) for r in reminded},
            next_check_on=row.next_check_on,
        )

    def due_for_check(self, today: date) -> list[str]:
        query = (
            select(EnterpriseRow.enterprise_id)
            .where(col(EnterpriseRow.next_check_on) <= today)
            .order_by(col(EnterpriseRow.next_check_on), col(EnterpriseRow.enterprise_id))
        )
        return list(self.session.exec(query).all())

    def enterprise_id_of_holding(self, label: LabelName, holding_id: str) -> str | None:
        row = self.session.get(HoldingRow, (label, holding_id))
        return row.enterprise_id if row else None

    def enterprise_ids_by_kvk(self, kvk: Iterable[str]) -> list[str]:
        query = (
            select(HoldingKvkRow.enterprise_id)
            .where(col(HoldingKvkRow.kvk).in_(list(kvk)))
            .distinct()
            .order_by(col(HoldingKvkRow.enterprise_id))
        )
        return list(self.session.exec(query).all())

    def enterprise_ids_by_website(self, host: str) -> list[str]:
        query = (
            select(HoldingRow.enterprise_id)
            .where(col(HoldingRow.website_host) == host)
            .distinct()
            .order_by(col(HoldingRow.enterprise_id))
        )
        return list(self.session.exec(query).all())

    def enterprise_ids_by_name(self, key: str, municipality_code: str) -> list[str]:
        query = (
            select(HoldingRow.enterprise_id)
            .where(
                col(HoldingRow.name_key) == key,
                col(HoldingRow.municipality_code) == municipality_code,
            )
            .distinct()
            .order_by(col(HoldingRow.enterprise_id))
        )
        return list(self.session.exec(query).all())

    def save(self, enterprise: Enterprise, at: datetime) -> None:
        published = enterprise.published
        self.session.merge(
            EnterpriseRow(
                enterprise_id=enterprise.enterprise_id,
                version=enterprise.version,
                listed=enterprise.listed,
                updated_at=at,
                state=published.model_dump_json() if published else None,
                next_check_on=enterprise.next_check_on,
            )
        )
        self.session.flush()
        for label, holding_id, valid_until, lead_days in enterprise.reminded:
            self.session.merge(
                ReminderRow(
                    label=label,
                    holding_id=holding_id,
                    valid_until=valid_until,
                    lead_days=lead_days,
                    enterprise_id=enterprise.enterprise_id,
                    sent_at=at,
                )
            )
        for holding in enterprise.holdings.values():
            self.session.merge(
                HoldingRow(
                    label=holding.key[0],
                    holding_id=holding.key[1],
                    enterprise_id=enterprise.enterprise_id,
                    observation=holding.observation.model_dump_json(),
                    last_event_at=holding.last_event_at,
                    lapsed_on=holding.lapsed_on,
                    municipality_code=holding.municipality_code,
                    place_status=holding.place_status,
                    website_host=website_host(holding.observation.website),
                    name_key=name_key(holding.observation.name),
                )
            )
            self._save_kvk(enterprise.enterprise_id, holding)

    def _save_kvk(self, enterprise_id: str, holding: Holding) -> None:
        label, holding_id = holding.key
        self.session.execute(
            delete(HoldingKvkRow).where(
                col(HoldingKvkRow.label) == label, col(HoldingKvkRow.holding_id) == holding_id
            )
        )
        for kvk in kvk_numbers(holding.observation.kvk):
            self.session.add(
                HoldingKvkRow(
                    label=label, holding_id=holding_id, kvk=kvk, enterprise_id=enterprise_id
                )
            )


def _holding(row: HoldingRow) -> Holding:
    return Holding(
        observation=Observation.model_validate_json(row.observation),
        last_event_at=as_utc(row.last_event_at),
        lapsed_on=row.lapsed_on,
        municipality_code=row.municipality_code,
        place_status=_status(row.place_status),
    )


def _reminder_key(row: ReminderRow) -> ReminderKey:
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
