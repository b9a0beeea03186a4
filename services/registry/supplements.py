"""What an enterprise added to its own listing, as the registry keeps it: pure rules.

A supplement is stored whole with who submitted it and when, and with the fields an operator
hid. It reaches buyers only while the enterprise is listed, minus hidden fields; it never
decides who is listed. A field an operator hid stays hidden until an operator shows it again
or the enterprise changes that field's value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from contracts.supplements import (
    SUPPLEMENT_FIELDS,
    ListingSupplement,
    Supplement,
    SupplementField,
)


class StoredSupplement(BaseModel):
    """A supplement with its provenance and the operator's hidden fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    supplement: Supplement
    updated_at: datetime
    submitted_by: str
    hidden: tuple[SupplementField, ...] = ()
    hidden_reason: str | None = None

    def shown(self) -> ListingSupplement:
        """The supplement as buyers see it: hidden fields left out."""
        data: dict[str, Any] = self.supplement.model_dump()
        for name in self.hidden:
            data[name] = _EMPTY[name]
        return ListingSupplement(**data, updated_at=self.updated_at, hidden=self.hidden)

    def chosen_categories(self) -> tuple[str, ...]:
        """The categories the enterprise chose, unless none or hidden."""
        return () if "categories" in self.hidden else self.supplement.categories


_EMPTY: dict[str, Any] = {
    "description": None,
    "categories": (),
    "keywords": (),
    "delivery_areas": (),
    "contact": None,
    "website": None,
}


def changed_fields(before: Supplement | None, after: Supplement) -> tuple[SupplementField, ...]:
    """The fields whose value differs (every filled field when there was none before)."""
    old = before.model_dump() if before else _EMPTY
    new = after.model_dump()
    return tuple(name for name in SUPPLEMENT_FIELDS if old[name] != new[name])


def submitted(
    before: StoredSupplement | None, supplement: Supplement, at: datetime, by: str
) -> StoredSupplement:
    """The stored supplement after the enterprise submitted `supplement`: fields it changed
    are shown again, fields it left as they were stay hidden."""
    changed = set(changed_fields(before.supplement if before else None, supplement))
    hidden = tuple(name for name in (before.hidden if before else ()) if name not in changed)
    return StoredSupplement(
        supplement=supplement,
        updated_at=at,
        submitted_by=by,
        hidden=hidden,
        hidden_reason=before.hidden_reason if before and hidden else None,
    )


def with_hidden(
    stored: StoredSupplement, fields: tuple[SupplementField, ...], reason: str | None
) -> StoredSupplement:
    """The supplement with exactly `fields` hidden (none: everything shown again)."""
    ordered = tuple(name for name in SUPPLEMENT_FIELDS if name in fields)
    return stored.model_copy(
        update={"hidden": ordered, "hidden_reason": reason if ordered else None}
    )
