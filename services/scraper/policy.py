"""The listing policy: which statuses and levels of each label count, as configuration.

Pure and frozen. The defaults are the rules of label-sources.md; `IMPACTOOST_LISTING_POLICY`
overrides them per label and per key. Values are compared with the normalised strings the
adapters put in an observation's `status` and `level` (`gecertificeerd`, `trede-3`, `boost`,
`sociaal-ontwikkelbedrijf`, ...).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from contracts.labels import LABELS, LabelName
from services.scraper.normalise import token

ANY_LEVEL = "any"
_KEYS = ("statuses", "levels", "unpublished_level_counts")


@dataclass(frozen=True)
class LabelPolicy:
    """Which holdings of one label count: status, level (`None`: any level) and dates."""

    statuses: frozenset[str]
    levels: frozenset[str] | None = None
    unpublished_level_counts: bool = True

    def counts(
        self, *, status: str, level: str | None, valid_until: date | None, today: date
    ) -> bool:
        """Whether a holding with these facts is a valid label on `today`."""
        if valid_until is not None and valid_until < today:
            return False
        if status not in self.statuses:
            return False
        if level is None:
            return self.unpublished_level_counts
        return self.levels is None or level in self.levels


@dataclass(frozen=True)
class ListingPolicy:
    """One `LabelPolicy` per label."""

    pso: LabelPolicy
    codeso: LabelPolicy
    senl: LabelPolicy
    cedris: LabelPolicy

    def for_label(self, label: LabelName) -> LabelPolicy:
        """The policy of `label`."""
        policies: dict[LabelName, LabelPolicy] = {
            "pso": self.pso,
            "codeso": self.codeso,
            "senl": self.senl,
            "cedris": self.cedris,
        }
        return policies[label]


DEFAULT_LISTING_POLICY = ListingPolicy(
    # Aspirant certificates get status `aspirant`; every certified level counts.
    pso=LabelPolicy(statuses=frozenset({"gecertificeerd"})),
    # `aangevraagd` (applied) and `aspirant` do not count; the register publishes no level.
    codeso=LabelPolicy(statuses=frozenset({"geregistreerd"})),
    # Regular and BOOST members count; a listed member whose kind is not published counts too.
    senl=LabelPolicy(statuses=frozenset({"lid"}), levels=frozenset({"lid", "boost"})),
    # Only leerwerkbedrijven and sociaal ontwikkelbedrijven; not municipalities or others.
    cedris=LabelPolicy(
        statuses=frozenset({"lid"}),
        levels=frozenset({"leerwerkbedrijf", "sociaal-ontwikkelbedrijf"}),
        unpublished_level_counts=False,
    ),
)


def parse_listing_policy(
    text: str, defaults: ListingPolicy = DEFAULT_LISTING_POLICY
) -> ListingPolicy:
    """`defaults` with the overrides in JSON `text` (blank: none); ValueError says what is
    wrong, e.g. `{"codeso": {"statuses": ["geregistreerd", "aangevraagd"]}}`."""
    if not text.strip():
        return defaults
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    return apply_overrides(overrides, defaults)


def apply_overrides(
    overrides: Any, defaults: ListingPolicy = DEFAULT_LISTING_POLICY
) -> ListingPolicy:
    """`defaults` with `{label: {key: value}}` applied: labels not named keep their policy, a
    label named changes only the keys it names. ValueError lists every problem."""
    if not isinstance(overrides, Mapping):
        raise ValueError('must be a JSON object such as {"codeso": {"statuses": [...]}}')
    problems = [
        f"unknown label {label!r} (known: {', '.join(LABELS)})"
        for label in overrides
        if label not in LABELS
    ]
    policy = defaults
    for label in LABELS:
        if label in overrides:
            updated = _label_overrides(label, overrides[label], problems)
            policy = replace(policy, **{label: replace(policy.for_label(label), **updated)})
    if problems:
        raise ValueError("; ".join(problems))
    return policy


def _label_overrides(label: LabelName, changes: Any, problems: list[str]) -> dict[str, Any]:
    if not isinstance(changes, Mapping):
        problems.append(f"{label}: must be an object with any of {', '.join(_KEYS)}")
        return {}
    updated: dict[str, Any] = {}
    for key, value in changes.items():
        where = f"{label}.{key}"
        if key == "statuses":
            updated[key] = _values(value, where, problems)
        elif key == "levels":
            updated[key] = None if value == ANY_LEVEL else _values(value, where, problems)
        elif key == "unpublished_level_counts":
            if not isinstance(value, bool):
                problems.append(f"{where}: must be true or false")
            updated[key] = bool(value)
        else:
            problems.append(f"{label}: unknown key {key!r} (known: {', '.join(_KEYS)})")
    return updated


def _values(value: Any, where: str, problems: list[str]) -> frozenset[str]:
    """A non-empty list of normalised strings, or a problem noted."""
    levels = where.endswith(".levels")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: must be a list of strings" + (' or "any"' if levels else ""))
        return frozenset()
    if not value:
        problems.append(
            f"{where}: must not be empty" + ('; "any" counts every level' if levels else "")
        )
    for item in value:
        if token(item) != item:
            problems.append(
                f"{where}: {item!r} is not a normalised value; write {token(item) or '...'!r}"
            )
    return frozenset(value)
