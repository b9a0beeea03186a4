"""The edit form: what was typed, checked field by field into a `Supplement`, with a Dutch
message per field that is wrong. The contract's own validators decide what is valid; this
module only says, in Dutch and per field, what they refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import ValidationError

from contracts.categories import categories_by_slug
from contracts.places import NATIONWIDE, delivery_area
from contracts.supplements import (
    AREAS_MAX,
    CATEGORIES_MAX,
    DESCRIPTION_MAX,
    KEYWORD_MAX,
    KEYWORDS_MAX,
    NAME_MAX,
    BuyersContact,
    Supplement,
    normalise_email,
    normalise_phone,
    plain_text,
    web_address,
)
from services.gateway.signin.formdata import FormFields, first

FIELD_ORDER = (
    "description",
    "categories",
    "keywords",
    "delivery_areas",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
)
T = TypeVar("T")
V = TypeVar("V")
CONTROL = "bevat tekens die niet zijn toegestaan (zoals besturingstekens)."


@dataclass(frozen=True)
class SupplementForm:
    """The form's fields as typed (shown again as typed when something is wrong)."""

    description: str = ""
    categories: tuple[str, ...] = ()
    keywords: str = ""
    nationwide: bool = False
    delivery_areas: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""

    @classmethod
    def from_fields(cls, fields: FormFields) -> SupplementForm:
        """The form as posted."""
        return cls(
            description=first(fields, "description"),
            categories=tuple(fields.get("categories", [])),
            keywords=first(fields, "keywords"),
            nationwide=first(fields, "nationwide") == "1",
            delivery_areas=first(fields, "delivery_areas"),
            contact_name=first(fields, "contact_name"),
            contact_email=first(fields, "contact_email"),
            contact_phone=first(fields, "contact_phone"),
            website=first(fields, "website"),
        )

    @classmethod
    def from_supplement(cls, supplement: Supplement | None) -> SupplementForm:
        """The form filled with a supplement the enterprise submitted before."""
        if supplement is None:
            return cls()
        contact, areas = supplement.contact, supplement.delivery_areas
        return cls(
            description=supplement.description or "",
            categories=supplement.categories,
            keywords=", ".join(supplement.keywords),
            nationwide=NATIONWIDE in areas,
            delivery_areas=", ".join(a for a in areas if a != NATIONWIDE),
            contact_name=(contact and contact.name) or "",
            contact_email=(contact and contact.email) or "",
            contact_phone=(contact and contact.phone) or "",
            website=supplement.website or "",
        )


@dataclass
class Checked:
    """The outcome of checking a form: the supplement, or a message per wrong field."""

    supplement: Supplement | None = None
    errors: dict[str, str] = field(default_factory=dict)


def check_supplement(form: SupplementForm) -> Checked:
    """Check every field; a supplement only when all are right."""
    errors: dict[str, str] = {}
    values = {
        "description": _checked(errors, "description", _description, form.description),
        "categories": _checked(errors, "categories", _categories, form.categories),
        "keywords": _checked(errors, "keywords", _keywords, form.keywords),
        "delivery_areas": _checked(
            errors, "delivery_areas", _areas, (form.nationwide, form.delivery_areas)
        ),
        "website": _checked(errors, "website", _website, form.website),
    }
    contact = _contact(errors, form)
    if errors:
        return Checked(errors=_ordered(errors))
    try:
        return Checked(Supplement(**values, contact=contact))
    except ValidationError:  # the contract refuses what the checks above let through
        return Checked(errors={"description": "De aanvulling kon niet worden verwerkt."})


def _checked(errors: dict[str, str], name: str, check: Callable[[V], T], value: V) -> T | None:
    try:
        return check(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _description(text: str) -> str | None:
    try:
        description = plain_text(text, multiline=True)
    except ValueError:
        raise ValueError(f"De beschrijving {CONTROL}") from None
    if len(description) > DESCRIPTION_MAX:
        raise ValueError(
            f"De beschrijving mag hoogstens {DESCRIPTION_MAX} tekens lang zijn; "
            f"zij is nu {len(description)} tekens."
        )
    return description or None


def _categories(chosen: tuple[str, ...]) -> tuple[str, ...]:
    known = categories_by_slug()
    if any(slug not in known for slug in chosen):
        raise ValueError("Kies alleen categorieën uit de lijst.")
    unique = tuple(dict.fromkeys(chosen))
    if len(unique) > CATEGORIES_MAX:
        raise ValueError(f"Kies hoogstens {CATEGORIES_MAX} categorieën.")
    return unique


def _keywords(text: str) -> tuple[str, ...]:
    try:
        words = [plain_text(word) for word in text.split(",")]
    except ValueError:
        raise ValueError(f"De trefwoorden {CONTROL}") from None
    words = list(dict.fromkeys(word for word in words if word))
    if len(words) > KEYWORDS_MAX:
        raise ValueError(f"Geef hoogstens {KEYWORDS_MAX} trefwoorden; het zijn er nu {len(words)}.")
    long = [word for word in words if len(word) > KEYWORD_MAX]
    if long:
        raise ValueError(
            f"Een trefwoord mag hoogstens {KEYWORD_MAX} tekens lang zijn; "
            f"„{long[0][:KEYWORD_MAX]}…” is langer."
        )
    return tuple(words)


def _areas(given: tuple[bool, str]) -> tuple[str, ...]:
    nationwide, text = given
    if nationwide:
        return (NATIONWIDE,)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if delivery_area(name) is None]
    if unknown:
        listed = ", ".join(f"„{name[:60]}”" for name in unknown[:3])
        raise ValueError(
            f"Onbekend leveringsgebied: {listed}. Noem gemeenten of arbeidsmarktregio's, "
            "gescheiden door komma's, of kies heel Nederland."
        )
    areas = tuple(dict.fromkeys(a for a in map(delivery_area, names) if a))
    if len(areas) > AREAS_MAX:
        raise ValueError(f"Noem hoogstens {AREAS_MAX} gebieden, of kies heel Nederland.")
    return areas


def _website(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        return web_address(text)
    except ValueError:
        raise ValueError("Vul een geldig webadres in, zoals https://www.voorbeeld.nl.") from None


def _contact(errors: dict[str, str], form: SupplementForm) -> BuyersContact | None:
    name = _checked(errors, "contact_name", _contact_name, form.contact_name)
    email = _checked(errors, "contact_email", _email, form.contact_email)
    phone = _checked(errors, "contact_phone", _phone, form.contact_phone)
    if errors.keys() & {"contact_name", "contact_email", "contact_phone"}:
        return None
    if not (email or phone):
        if name:
            errors["contact_email"] = (
                "Vul een e-mailadres of telefoonnummer in waarop inkopers u kunnen bereiken."
            )
        return None
    return BuyersContact(name=name, email=email, phone=phone)


def _contact_name(text: str) -> str | None:
    try:
        name = plain_text(text)
    except ValueError:
        raise ValueError(f"De naam {CONTROL}") from None
    if len(name) > NAME_MAX:
        raise ValueError(f"De naam mag hoogstens {NAME_MAX} tekens lang zijn.")
    return name or None


def _email(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        return normalise_email(text)
    except ValueError:
        raise ValueError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.") from None


def _phone(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        return normalise_phone(text)
    except ValueError:
        raise ValueError(
            "Vul een geldig Nederlands telefoonnummer in, zoals 0570 123456 of 06 12345678."
        ) from None


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    return {name: errors[name] for name in FIELD_ORDER if name in errors}
