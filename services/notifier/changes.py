"""Pure rules: what changed in an enterprise's listing, from what to what, in Dutch.

`EnterpriseUpdated` carries the new state and the names of what changed; the notifier keeps
the state it last saw, so a change mail can say `Niveau: Trede 2 → Trede 3`. Only what the
mail shows is compared: the labels that count (added, gone, level, status, validity, grace
period), name, place, website and KvK numbers. A change mail whose comparison finds nothing
(nothing the enterprise can see changed) is not sent; one without an earlier state to compare
with names what changed as before (`domain.describe_changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from contracts.enterprises import EnterpriseState, LabelHolding
from contracts.labels import LABEL_SHORT_NAMES
from services.notifier.domain import (
    QUIET_CHANGES,
    counting_holdings,
    describe_changes,
    dutch_date,
    label_name,
    level_name,
)

ARROW = "→"
NONE = "geen"
DIFFED_KEYS = frozenset(
    {
        "labels", "level", "validity", "valid_from", "valid_until", "status", "name", "place",
        "website", "kvk",
    }
)  # fmt: skip
"""Change keys whose every visible effect the comparison shows (a grace period that starts
or ends is told in words: `domain.grace_phrase`)."""


@dataclass(frozen=True)
class Change:
    """One visible change: `what` went from `before` to `after` (either may be absent for a
    label that came or went)."""

    what: str
    before: str | None = None
    after: str | None = None

    def line(self) -> str:
        """`Niveau (PSO): Trede 2 → Trede 3`, or just `what` for a label that came or went."""
        if self.before is None and self.after is None:
            return self.what
        return f"{self.what}: {self.before or NONE} {ARROW} {self.after or NONE}"


def change_lines(
    keys: tuple[str, ...], before: EnterpriseState | None, after: EnterpriseState
) -> tuple[str, ...] | None:
    """The lines of a change mail: each visible change from what to what, then in words what
    the comparison does not show; None when nothing the enterprise can see changed."""
    if before is None:
        return describe_changes(keys, after)
    shown = tuple(change.line() for change in diff_states(before, after))
    rest = tuple(key for key in keys if key not in DIFFED_KEYS)
    if not shown and set(rest) <= QUIET_CHANGES:
        return None
    return shown + (describe_changes(rest, after) if rest else ())


def diff_states(before: EnterpriseState, after: EnterpriseState) -> tuple[Change, ...]:
    """Every visible change from `before` to `after`, labels first, in display order."""
    return (*_label_changes(before, after), *_detail_changes(before, after))


def _detail_changes(before: EnterpriseState, after: EnterpriseState) -> list[Change]:
    pairs = [
        ("Naam", before.name, after.name),
        ("Vestigingsplaats", before.place, after.place),
        ("Website", before.website, after.website),
        ("KvK-nummer(s)", ", ".join(before.kvk) or None, ", ".join(after.kvk) or None),
    ]
    return [Change(what, old, new) for what, old, new in pairs if old != new]


def _label_changes(before: EnterpriseState, after: EnterpriseState) -> list[Change]:
    old, new = counting_holdings(before), counting_holdings(after)
    several = len({h.label for h in (*old, *new)}) > 1
    changes: list[Change] = []
    for label in dict.fromkeys(h.label for h in (*new, *old)):
        was = [h for h in old if h.label == label]
        now = [h for h in new if h.label == label]
        for previous, current in _pair(was, now):
            if previous is None and current is not None:
                changes.append(Change(f"Label erbij: {label_name(label)}"))
            elif current is None and previous is not None:
                changes.append(Change(f"Label telt niet meer mee: {label_name(label)}"))
            elif previous is not None and current is not None:
                changes += _holding_changes(previous, current, several)
    return changes


def _pair(
    was: list[LabelHolding], now: list[LabelHolding]
) -> list[tuple[LabelHolding | None, LabelHolding | None]]:
    """One label's holdings before and after, paired: the only one of each side (a renewed
    certificate may get a new number), else by holding id."""
    if len(was) == 1 and len(now) == 1:
        return [(was[0], now[0])]
    by_id = {h.holding_id: h for h in was}
    pairs: list[tuple[LabelHolding | None, LabelHolding | None]] = [
        (by_id.pop(h.holding_id, None), h) for h in now
    ]
    return pairs + [(h, None) for h in by_id.values()]


_HOLDING_FIELDS: tuple[tuple[str, Callable[[LabelHolding], str | None]], ...] = (
    ("Niveau", level_name),
    ("Status", lambda h: h.status),
    ("Geldig vanaf", lambda h: _day(h.valid_from)),
    ("Geldig tot en met", lambda h: _day(h.valid_until)),
)


def _holding_changes(previous: LabelHolding, current: LabelHolding, several: bool) -> list[Change]:
    suffix = f" ({LABEL_SHORT_NAMES[current.label]})" if several else ""
    changes = []
    for what, read in _HOLDING_FIELDS:
        old, new = read(previous), read(current)
        if old != new:
            changes.append(Change(f"{what}{suffix}", old, new))
    return changes


def _day(day: date | None) -> str | None:
    return dutch_date(day) if day else None
