"""What the identity rules look holdings up by, for the holdings one unit of work has saved
but not yet written: the SQL repository writes at commit, so look-ups made before then ask
this index for those holdings and the database for all others."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from services.registry.enterprise import Enterprise, Holding, HoldingKey
from services.registry.identity import kvk_numbers, name_key, website_host

NameAt = tuple[str, str]
"""A normalised name and the municipality code it was found in."""


@dataclass(frozen=True)
class Lookups:
    """The values of one holding that the identity rules compare."""

    kvk: tuple[str, ...]
    website_host: str | None
    name_at: NameAt | None

    @classmethod
    def of(cls, holding: Holding) -> Lookups:
        """As the `holding` and `holding_kvk` tables store them."""
        obs = holding.observation
        key, code = name_key(obs.name), holding.municipality_code
        return cls(
            kvk_numbers(obs.kvk), website_host(obs.website), (key, code) if key and code else None
        )


@dataclass
class SavedHoldings:
    """Holdings saved in this unit of work: who holds each now, found by what it is known by.

    `touched` keeps every holding ever saved here, also one that left its enterprise: the
    database's row of such a holding is out of date until the commit.
    """

    owner: dict[HoldingKey, str] = field(default_factory=dict)
    touched: set[HoldingKey] = field(default_factory=set)
    by_kvk: defaultdict[str, set[HoldingKey]] = field(default_factory=lambda: defaultdict(set))
    by_host: defaultdict[str, set[HoldingKey]] = field(default_factory=lambda: defaultdict(set))
    by_name: defaultdict[NameAt, set[HoldingKey]] = field(default_factory=lambda: defaultdict(set))
    _lookups: dict[HoldingKey, Lookups] = field(default_factory=dict)
    _held: defaultdict[str, set[HoldingKey]] = field(default_factory=lambda: defaultdict(set))

    def put(self, enterprise: Enterprise) -> None:
        """Index the enterprise's holdings as they are now; drop those it no longer holds."""
        enterprise_id = enterprise.enterprise_id
        held = self._held[enterprise_id]
        for key in held - enterprise.holdings.keys():
            if self.owner.get(key) == enterprise_id:
                self._forget(key)
                del self.owner[key]
        held.clear()
        held.update(enterprise.holdings)
        for key, holding in enterprise.holdings.items():
            self._forget(key)
            lookups = Lookups.of(holding)
            self._lookups[key] = lookups
            for index, value in self._entries(lookups):
                index[value].add(key)
            previous = self.owner.get(key)
            if previous is not None and previous != enterprise_id:
                self._held[previous].discard(key)
            self.owner[key] = enterprise_id
            self.touched.add(key)

    def _forget(self, key: HoldingKey) -> None:
        lookups = self._lookups.pop(key, None)
        if lookups is not None:
            for index, value in self._entries(lookups):
                index[value].discard(key)

    def _entries(self, lookups: Lookups) -> list[tuple[defaultdict[Any, set[HoldingKey]], Any]]:
        """Each index a holding with these look-up values belongs in, with its value there."""
        entries: list[tuple[defaultdict[Any, set[HoldingKey]], Any]] = [
            (self.by_kvk, kvk) for kvk in lookups.kvk
        ]
        if lookups.website_host:
            entries.append((self.by_host, lookups.website_host))
        if lookups.name_at:
            entries.append((self.by_name, lookups.name_at))
        return entries
