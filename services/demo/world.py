"""The demo world: impact enterprises, their holdings in the four label registries, a timeline.

`data/world.json` describes each enterprise once, with its holdings in each registry's own
entry format, and the steps of the timeline. `World(today)` turns that into the entries each
demo registry serves at a step (`entries(label, step)`) and into the facts a correct scraper
reads from them (`holdings(step)`), which the tests use as their expectations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from contracts.kvk import normalise_kvk
from contracts.labels import LABELS, LabelName
from services.demo.sites import cedris, codeso, pso, senl

DATA_FILE = Path(__file__).parent / "data" / "world.json"
_KVK_SEPARATORS = re.compile(r"[,;/\n]")


@dataclass(frozen=True)
class Step:
    """One state of the timeline: step 0 is the start."""

    number: int
    title: str
    expect: str


@dataclass(frozen=True)
class Enterprise:
    """One enterprise of the world, as the demo's contacts file knows it."""

    key: str
    name: str
    place: str
    province: str
    kvk: tuple[str, ...]
    email: str | None
    website: str | None


@dataclass(frozen=True)
class Holding:
    """One label holding at one step, with the facts a correct scraper reads from it."""

    enterprise: str
    label: LabelName
    holding_id: str
    name: str
    kvk: tuple[str, ...]
    website: str | None
    counts: bool
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class _Change:
    step: int
    enterprise: str
    label: LabelName
    fields: dict[str, Any]
    appears: bool


def kvk_numbers(published: str | None) -> tuple[str, ...]:
    """The 8-digit KvK numbers in a field as a registry publishes it (`contracts.kvk`)."""
    numbers = (normalise_kvk(part) for part in _KVK_SEPARATORS.split(published or ""))
    return tuple(dict.fromkeys(n for n in numbers if n))


class World:
    """The demo's population and timeline, with dates resolved against `today`."""

    def __init__(self, today: date | None = None, data_file: Path = DATA_FILE) -> None:
        self.today = today or date.today()
        raw = json.loads(data_file.read_text(encoding="utf-8"))
        self._raw = {e["key"]: e for e in raw["enterprises"]}
        self.enterprises = [_enterprise(e) for e in raw["enterprises"]]
        self.steps = [
            Step(number, s["titel"], s["verwacht"]) for number, s in enumerate(raw["steps"])
        ]
        self._changes = [
            _Change(
                number,
                c["onderneming"],
                c["label"],
                c.get("velden", {}),
                c.get("verschijnt", False),
            )
            for number, s in enumerate(raw["steps"])
            for c in s["wijzigingen"]
        ]
        self._check()

    @property
    def labels(self) -> tuple[LabelName, ...]:
        """The four registries, in the contracts' order."""
        return LABELS

    @property
    def last_step(self) -> int:
        """The number of the timeline's final step."""
        return len(self.steps) - 1

    def enterprise(self, key: str) -> Enterprise:
        """The enterprise with this key."""
        return next(e for e in self.enterprises if e.key == key)

    def entries(self, label: LabelName, step: int) -> list[dict[str, Any]]:
        """What the `label` registry lists at `step`, in its own entry format and order."""
        return [entry for _, entry in self._entries(label, step)]

    def holdings(self, step: int) -> list[Holding]:
        """Every holding the registries list at `step`, counting or not."""
        return [
            _holding(key, label, entry, self.today)
            for label in self.labels
            for key, entry in self._entries(label, step)
        ]

    def _entries(self, label: LabelName, step: int) -> list[tuple[str, dict[str, Any]]]:
        """(enterprise key, entry) for every holding the registry lists at `step`."""
        found = []
        for key, raw in self._raw.items():
            if label not in raw["labels"] or not self._present(key, label, step):
                continue
            entry = {**_defaults(label, raw), **raw["labels"][label]}
            for change in self._changes:
                if change.step <= step and (change.enterprise, change.label) == (key, label):
                    entry |= change.fields
            if label == "pso":
                entry["certificaat"] = self._certificate_number(raw)
            found.append((key, entry))
        if label == "pso":
            found.sort(key=lambda pair: str(pair[1]["nummer"]))
        return found

    def _present(self, key: str, label: LabelName, step: int) -> bool:
        """Whether the holding is listed at `step`: always, unless a step makes it appear."""
        appears = [
            c.step for c in self._changes if c.appears and (c.enterprise, c.label) == (key, label)
        ]
        return not appears or min(appears) <= step

    def _certificate_number(self, raw: dict[str, Any]) -> str:
        """The number the certificate had at the start: renewing it keeps its number."""
        first = {**_defaults("pso", raw), **raw["labels"]["pso"]}
        return pso.certificate(first, self.today).number

    def _check(self) -> None:
        """KvK numbers belong to one enterprise; every change names a holding that exists."""
        owners: dict[str, str] = {}
        for enterprise in self.enterprises:
            for number in enterprise.kvk:
                if owners.setdefault(number, enterprise.key) != enterprise.key:
                    raise ValueError(
                        f"KvK {number} belongs to {owners[number]} and {enterprise.key}"
                    )
        for change in self._changes:
            if change.label not in self._raw.get(change.enterprise, {}).get("labels", {}):
                raise ValueError(
                    f"step {change.step} changes unknown {change.enterprise}/{change.label}"
                )


def _enterprise(raw: dict[str, Any]) -> Enterprise:
    return Enterprise(
        key=raw["key"],
        name=raw["naam"],
        place=raw["plaats"],
        province=raw["provincie"],
        kvk=tuple(raw["kvk"]),
        email=raw.get("email"),
        website=raw.get("website"),
    )


def _defaults(label: LabelName, raw: dict[str, Any]) -> dict[str, Any]:
    """The fields a holding takes from its enterprise unless it sets them itself."""
    kvk: list[str] = raw["kvk"]
    own = {"naam": raw["naam"], "plaats": raw["plaats"], "website": raw.get("website")}
    if label == "pso":
        published = raw.get("kvk_tekst", ", ".join(kvk))
        return {
            "organisatie": raw["naam"],
            "plaats": raw["plaats"],
            "kvk": published,
            "pso30": False,
        }
    if label == "codeso":
        dates = {"sinds_dagen_geleden": None, "toetsing_maanden_vooruit": None}
        return {"slug": raw["key"], **own, "kvk": kvk[0] if kvk else None, **dates}
    if label == "senl":
        return {"slug": raw["key"], **own}
    return {"id": raw["key"], **own, "provincie": raw["provincie"]}


_Facts = tuple[str, str, tuple[str, ...], str | None, bool, date | None, date | None]


def _holding(owner: str, label: LabelName, entry: dict[str, Any], today: date) -> Holding:
    """The facts of one entry, read the way its demo registry renders it."""
    facts: _Facts
    if label == "pso":
        c = pso.certificate(entry, today)
        facts = (
            c.number,
            c.organisatie,
            kvk_numbers(c.kvk),
            None,
            c.counts(today),
            c.ingang,
            c.geldig,
        )
    elif label == "codeso":
        r = codeso.registration(entry, today)
        facts = (
            r.slug,
            r.naam,
            kvk_numbers(r.kvk),
            r.website,
            r.counts(today),
            r.sinds,
            r.valid_until,
        )
    elif label == "senl":
        m = senl.member(entry)
        facts = (m.slug, m.naam, (), m.website, m.counts(), None, None)
    else:
        lid = cedris.member(entry)
        facts = (lid.id, lid.naam, (), lid.website, lid.counts, None, None)
    return Holding(owner, label, *facts)
