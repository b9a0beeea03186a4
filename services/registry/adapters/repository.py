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

from contracts.labels import LABELS, LabelName
from services.kit.sql import insert_many, upsert_many
from services.registry.adapters.holding_index import SavedHoldings
from services.registry.adapters.tables import (
    ENTERPRISES,
    HOLDING_KVK,
    HOLDINGS,
    REMINDERS,
    HoldingRow,
    as_utc,
)
from services.registry.enterprise import Enterprise, Holding, HoldingKey, ReminderKey
from services.registry.identity import Candidates, Identity, kvk_numbers, name_key, website_host
from services.registry.limits import load_observation, load_state
from services.registry.regions.resolver import ResolutionStatus
from services.registry.supplements import StoredSupplement

UNPLACED = ("unresolved", "ambiguous")

# Built once: a statement built anew for every event costs more than running it.
_ENTERPRISES_BY_ID = (
    sa.select(ENTERPRISES)
    .where(ENTERPRISES.c.enterprise_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(ENTERPRISES.c.enterprise_id)
    .with_for_update()
)
_HOLDINGS_OF = sa.select(HOLDINGS).where(
    HOLDINGS.c.enterprise_id.in_(sa.bindparam("ids", expanding=True))
)
_REMINDERS_OF = (
    sa.select(REMINDERS, HOLDINGS.c.enterprise_id.label("holder"))
    .join(
        HOLDINGS,
        (HOLDINGS.c.label == REMINDERS.c.label) & (HOLDINGS.c.holding_id == REMINDERS.c.holding_id),
    )
    .where(HOLDINGS.c.enterprise_id.in_(sa.bindparam("ids", expanding=True)))
)
# Both key columns constrained, so the primary key's index serves it (holding_id alone scans).
_OWNERS = sa.select(HOLDINGS.c.label, HOLDINGS.c.holding_id, HOLDINGS.c.enterprise_id).where(
    HOLDINGS.c.label.in_(sa.bindparam("labels", expanding=True)),
    HOLDINGS.c.holding_id.in_(sa.bindparam("ids", expanding=True)),
)
# Identity look-ups: (value, label, holding_id, enterprise_id) of every holding with a value.
_BY_KVK = sa.select(
    HOLDING_KVK.c.kvk, HOLDING_KVK.c.label, HOLDING_KVK.c.holding_id, HOLDING_KVK.c.enterprise_id
).where(HOLDING_KVK.c.kvk.in_(sa.bindparam("values", expanding=True)))
_BY_WEBSITE = sa.select(
    HOLDINGS.c.website_host, HOLDINGS.c.label, HOLDINGS.c.holding_id, HOLDINGS.c.enterprise_id
).where(HOLDINGS.c.website_host.in_(sa.bindparam("values", expanding=True)))
_BY_NAME = sa.select(
    HOLDINGS.c.name_key,
    HOLDINGS.c.municipality_code,
    HOLDINGS.c.label,
    HOLDINGS.c.holding_id,
    HOLDINGS.c.enterprise_id,
).where(HOLDINGS.c.name_key.in_(sa.bindparam("values", expanding=True)))
_DUE = (
    sa.select(ENTERPRISES.c.enterprise_id)
    .where(ENTERPRISES.c.next_check_on <= sa.bindparam("today"))
    .order_by(ENTERPRISES.c.next_check_on, ENTERPRISES.c.enterprise_id)
)
_LISTED = (
    sa.select(ENTERPRISES.c.enterprise_id)
    .where(ENTERPRISES.c.listed.is_(True))
    .order_by(ENTERPRISES.c.enterprise_id)
)
_FORGETTABLE = (
    sa.select(ENTERPRISES.c.enterprise_id)
    .where(
        ENTERPRISES.c.listed.is_(False),
        ENTERPRISES.c.supplement.is_not(None),
        ENTERPRISES.c.updated_at < sa.bindparam("cutoff"),
    )
    .order_by(ENTERPRISES.c.enterprise_id)
)
_DELETE_KVK = sa.delete(HOLDING_KVK).where(
    HOLDING_KVK.c.label == sa.bindparam("key_label"),
    HOLDING_KVK.c.holding_id == sa.bindparam("key_holding_id"),
)
HeldBy = tuple[HoldingKey, str]
"""A holding and the enterprise the database has it attached to."""


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

    @abc.abstractmethod
    def listed_ids(self) -> list[str]:
        """Every enterprise consumers were last told is listed, by id."""

    @abc.abstractmethod
    def delisted_with_supplement_before(self, cutoff: datetime) -> list[str]:
        """Enterprises not listed, last changed before `cutoff`, that still keep a
        supplement."""

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

    Built for batches: what a unit of work reads it reads once (`prefetch` reads a whole
    batch's worth in a few statements), and what it saves it writes at `flush`, just before
    the commit, with one statement per table for the whole batch, and only the holdings and
    reminders that changed since they were read. An enterprise read or saved is kept and
    handed out again as it was last saved, and identity look-ups see the holdings saved
    here (in `SavedHoldings`) in place of their rows in the database.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._enterprises: dict[str, Enterprise | None] = {}
        self._as_read: dict[str, tuple[dict[HoldingKey, Holding], set[ReminderKey]]] = {}
        self._unwritten: dict[str, tuple[Enterprise, datetime]] = {}
        self._saved = SavedHoldings()
        self._owners: dict[HoldingKey, str | None] = {}
        self._found: dict[str, dict[Any, list[HeldBy]]] = {"kvk": {}, "website": {}, "name": {}}

    @property
    def _sql(self) -> Connection:
        """The transaction's connection: statements skip the ORM's execute and autoflush
        (nothing this repository reads is written through the ORM)."""
        return self.session.connection()

    def prefetch(self, holdings: Iterable[tuple[HoldingKey, Identity]]) -> None:
        """Read what recording events about these holdings will look up: their
        enterprises, and the candidates for those not known yet."""
        wanted = dict(holdings)
        self._read_owners(wanted)
        self._read([e for k in wanted if (e := self.enterprise_id_of_holding(*k)) is not None])
        unknown = [who for key, who in wanted.items() if self._owners.get(key) is None]
        self._read_found("kvk", {kvk for who in unknown for kvk in who.kvk})
        self._read_found("website", {who.website_host for who in unknown if who.website_host})
        self._read_found(
            "name",
            {
                (who.name_key, who.municipality_code)
                for who in unknown
                if who.name_key and who.municipality_code
            },
        )

    def get(self, enterprise_id: str) -> Enterprise | None:
        if enterprise_id not in self._enterprises:
            self._read([enterprise_id])
        return self._enterprises[enterprise_id]

    def _read(self, enterprise_ids: Iterable[str]) -> None:
        ids = sorted(set(enterprise_ids) - self._enterprises.keys())
        if not ids:
            return
        rows = self._sql.execute(_ENTERPRISES_BY_ID, {"ids": ids}).all()
        holdings: dict[str, dict[HoldingKey, Holding]] = {row.enterprise_id: {} for row in rows}
        for row in self._sql.execute(_HOLDINGS_OF, {"ids": ids}):
            holding = _holding(row)
            holdings[row.enterprise_id][holding.key] = holding
            self._owners[holding.key] = row.enterprise_id
        reminded: dict[str, set[ReminderKey]] = {row.enterprise_id: set() for row in rows}
        for row in self._sql.execute(_REMINDERS_OF, {"ids": ids}):
            reminded[row.holder].add(_reminder_key(row))
        self._enterprises.update(dict.fromkeys(ids))
        for row in rows:
            enterprise = Enterprise(
                enterprise_id=row.enterprise_id,
                holdings=holdings[row.enterprise_id],
                published=load_state(row.state) if row.state else None,
                reminded=reminded[row.enterprise_id],
                next_check_on=row.next_check_on,
                supplement=(
                    StoredSupplement.model_validate_json(row.supplement) if row.supplement else None
                ),
            )
            self._enterprises[row.enterprise_id] = enterprise
            self._as_read[row.enterprise_id] = (dict(enterprise.holdings), set(enterprise.reminded))

    def due_for_check(self, today: date) -> list[str]:
        return [str(found) for found in self._sql.execute(_DUE, {"today": today}).scalars()]

    def listed_ids(self) -> list[str]:
        return [str(enterprise_id) for enterprise_id in self._sql.execute(_LISTED).scalars()]

    def delisted_with_supplement_before(self, cutoff: datetime) -> list[str]:
        found = self._sql.execute(_FORGETTABLE, {"cutoff": cutoff}).scalars()
        return [str(enterprise_id) for enterprise_id in found]

    def enterprise_id_of_holding(self, label: LabelName, holding_id: str) -> str | None:
        key = (label, holding_id)
        if key in self._saved.touched:
            return self._saved.owner.get(key)
        if key not in self._owners:
            self._read_owners([key])
        return self._owners[key]

    def _read_owners(self, keys: Iterable[HoldingKey]) -> None:
        wanted = {k for k in keys if k not in self._owners and k not in self._saved.touched}
        if not wanted:
            return
        labels = sorted({label for label, _ in wanted})
        ids = sorted({holding_id for _, holding_id in wanted})
        found = {
            (r.label, r.holding_id): r.enterprise_id
            for r in self._sql.execute(_OWNERS, {"labels": labels, "ids": ids})
        }
        self._owners.update({key: found.get(key) for key in wanted})

    def enterprise_ids_by_kvk(self, kvk: Iterable[str]) -> list[str]:
        wanted = set(kvk)
        self._read_found("kvk", wanted)
        saved = self._saved.by_kvk
        return self._holders("kvk", wanted, {k for v in wanted for k in saved.get(v, ())})

    def enterprise_ids_by_website(self, host: str) -> list[str]:
        self._read_found("website", {host})
        return self._holders("website", {host}, set(self._saved.by_host.get(host, ())))

    def enterprise_ids_by_name(self, key: str, municipality_code: str) -> list[str]:
        name_at = (key, municipality_code)
        self._read_found("name", {name_at})
        return self._holders("name", {name_at}, set(self._saved.by_name.get(name_at, ())))

    def _holders(self, rule: str, values: set[Any], saved: set[HoldingKey]) -> list[str]:
        """Enterprises holding a holding with one of `values`: the database's rows of holdings
        not saved here, and the `saved` holdings with such a value."""
        found = {self._saved.owner[key] for key in saved}
        for value in values:
            found.update(e for key, e in self._found[rule][value] if key not in self._saved.touched)
        return sorted(found)

    def _read_found(self, rule: str, values: set[Any]) -> None:
        """Read the database's holdings with one of `values` for `rule`, once per value."""
        known = self._found[rule]
        missing = values - known.keys()
        if not missing:
            return
        for value in missing:
            known[value] = []
        if rule == "name":
            names = sorted({name for name, _ in missing})
            for row in self._sql.execute(_BY_NAME, {"values": names}):
                name_at = (row.name_key, row.municipality_code)
                if name_at in missing:
                    known[name_at].append(((row.label, row.holding_id), row.enterprise_id))
            return
        query = _BY_KVK if rule == "kvk" else _BY_WEBSITE
        for value, label, holding_id, enterprise_id in self._sql.execute(
            query, {"values": sorted(missing)}
        ):
            known[value].append(((label, holding_id), enterprise_id))

    def save(self, enterprise: Enterprise, at: datetime) -> None:
        self._enterprises[enterprise.enterprise_id] = enterprise
        self._unwritten[enterprise.enterprise_id] = (enterprise, at)
        self._saved.put(enterprise)

    def flush(self) -> None:
        """Write every enterprise saved since the last flush: one statement per table."""
        enterprises: list[dict[str, Any]] = []
        holdings: list[dict[str, Any]] = []
        kvk_changed: list[dict[str, Any]] = []
        kvk_rows: list[dict[str, Any]] = []
        reminders: list[dict[str, Any]] = []
        for enterprise_id, (enterprise, at) in self._unwritten.items():
            published = enterprise.published
            enterprises.append(
                {
                    "enterprise_id": enterprise_id,
                    "version": enterprise.version,
                    "listed": enterprise.listed,
                    "updated_at": at,
                    "state": published.model_dump_json() if published else None,
                    "next_check_on": enterprise.next_check_on,
                    "supplement": (
                        enterprise.supplement.model_dump_json() if enterprise.supplement else None
                    ),
                }
            )
            held, reminded = self._as_read.get(enterprise_id, ({}, set()))
            for holding in enterprise.holdings.values():
                before = held.get(holding.key)
                if before == holding:
                    continue
                holdings.append(_holding_row(enterprise_id, holding))
                if before is None or before.observation.kvk != holding.observation.kvk:
                    label, holding_id = holding.key
                    kvk_changed.append({"key_label": label, "key_holding_id": holding_id})
                    kvk_rows += [
                        {
                            "label": label,
                            "holding_id": holding_id,
                            "kvk": kvk,
                            "enterprise_id": enterprise_id,
                        }
                        for kvk in kvk_numbers(holding.observation.kvk)
                    ]
            reminders += [
                {
                    "label": label,
                    "holding_id": holding_id,
                    "valid_until": valid_until,
                    "lead_days": lead_days,
                    "enterprise_id": enterprise_id,
                    "sent_at": at,
                }
                for label, holding_id, valid_until, lead_days in sorted(
                    enterprise.reminded - reminded
                )
            ]
            self._as_read[enterprise_id] = (dict(enterprise.holdings), set(enterprise.reminded))
        self._unwritten = {}
        upsert_many(self.session, ENTERPRISES, enterprises)
        upsert_many(self.session, HOLDINGS, holdings)
        if kvk_changed:
            self._sql.execute(_DELETE_KVK, kvk_changed)
        if kvk_rows:
            self._sql.execute(insert(HOLDING_KVK), kvk_rows)
        insert_many(self.session, REMINDERS, reminders, skip_existing=True)


def _holding_row(enterprise_id: str, holding: Holding) -> dict[str, Any]:
    return {
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
    }


def _holding(row: Any) -> Holding:
    return Holding(
        observation=load_observation(row.observation),
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
        obs = load_observation(row.observation)
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

    def listed_ids(self) -> list[str]:
        return sorted(e.enterprise_id for e in self._all().values() if e.listed)

    def delisted_with_supplement_before(self, cutoff: datetime) -> list[str]:
        # The fake keeps no change times: every delisted enterprise with a supplement.
        return sorted(
            e.enterprise_id for e in self._all().values() if not e.listed and e.supplement
        )

    def apply(self) -> None:
        """Make the staged saves permanent (called by the fake unit of work's commit)."""
        self.committed.update(self.staged)
        self.staged = {}
