"""The alert form: a saved search (the search page's `category`, `label` and `region`), a
frequency and, for a new alert, an address; checked into Dutch messages per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from contracts.alerts import AlertFilters, Frequency
from contracts.categories import categories_by_slug
from contracts.labels import LABELS, LabelName
from contracts.places import region_named
from contracts.supplements import normalise_email
from services.gateway.signin.formdata import first

FREQUENCIES: dict[str, str] = {"daily": "Dagelijks", "weekly": "Wekelijks"}
EMAIL_PROBLEM = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."
MAX_CHOICES = 50


@dataclass(frozen=True)
class AlertForm:
    """The fields as given (shown again as given when something is wrong)."""

    email: str = ""
    frequency: str = "weekly"
    category: tuple[str, ...] = ()
    label: tuple[str, ...] = ()
    region: str = ""

    @classmethod
    def from_fields(cls, fields: Mapping[str, list[str]]) -> AlertForm:
        """The form as posted, or a search's query string as the search page passes it."""
        return cls(
            email=first(dict(fields), "email").strip(),
            frequency=first(dict(fields), "frequency") or "weekly",
            category=tuple(v for v in fields.get("category", [])[:MAX_CHOICES] if v),
            label=tuple(v for v in fields.get("label", [])[:MAX_CHOICES] if v),
            region=first(dict(fields), "region").strip(),
        )

    @classmethod
    def of(cls, frequency: Frequency, filters: AlertFilters) -> AlertForm:
        """The form filled with a stored alert."""
        return cls(
            frequency=frequency,
            category=filters.category,
            label=filters.label,
            region=filters.region or "",
        )


@dataclass
class Checked:
    """What a form holds once checked: the values, or a message per wrong field."""

    email: str = ""
    frequency: Frequency = "weekly"
    filters: AlertFilters = field(default_factory=AlertFilters)
    errors: dict[str, str] = field(default_factory=dict)


def check_alert(form: AlertForm, *, with_email: bool) -> Checked:
    """Check every field; `errors` is empty when all are right."""
    checked = Checked()
    if with_email:
        try:
            checked.email = normalise_email(form.email)
        except ValueError:
            checked.errors["email"] = EMAIL_PROBLEM
    if form.frequency in FREQUENCIES:
        checked.frequency = cast(Frequency, form.frequency)
    else:
        checked.errors["frequency"] = "Kies hoe vaak u een e-mail wilt: dagelijks of wekelijks."
    unknown = [slug for slug in form.category if slug not in categories_by_slug()]
    if unknown:
        checked.errors["category"] = "Kies alleen categorieën uit de lijst."
    if any(label not in LABELS for label in form.label):
        checked.errors["label"] = "Kies alleen labels uit de lijst."
    region = region_named(form.region) if form.region else None
    if form.region and region is None:
        checked.errors["region"] = "Kies een arbeidsmarktregio uit de lijst."
    if not checked.errors:
        checked.filters = AlertFilters(
            category=tuple(dict.fromkeys(form.category)),
            label=cast(tuple[LabelName, ...], tuple(dict.fromkeys(form.label))),
            region=region,
        )
    return checked
