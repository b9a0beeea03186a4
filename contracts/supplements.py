"""What an enterprise adds to its own listing, and the event that carries it to the registry.

A supplement never decides who is listed: only a label does. It is plain text (markup is
kept as typed and escaped wherever it is shown) within the limits below, which the gateway's
form, the registry and every subscriber check alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from contracts.base import Event, Frozen
from contracts.categories import categories_by_slug
from contracts.places import delivery_area

DESCRIPTION_MAX = 600
KEYWORDS_MAX = 10
KEYWORD_MAX = 40
CATEGORIES_MAX = 6
AREAS_MAX = 40
NAME_MAX = 100
EMAIL_MAX = 254
WEBSITE_MAX = 300

SupplementField = Literal[
    "description", "categories", "keywords", "delivery_areas", "contact", "website"
]
SUPPLEMENT_FIELDS: tuple[SupplementField, ...] = (
    "description",
    "categories",
    "keywords",
    "delivery_areas",
    "contact",
    "website",
)

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Dutch numbers as people write them: 0570 123456, 06-12345678, +31 6 1234 5678, 085 ...
PHONE = re.compile(r"^(\+31|0031|0)[1-9][0-9]{8}$")


def plain_text(value: str, *, multiline: bool = False) -> str:
    """Text as typed, with runs of spaces folded and the ends trimmed; control characters
    (other than line breaks in multi-line text) are refused."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and not (
            multiline and char == "\n"
        ):
            raise ValueError("contains control characters")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip() if multiline else " ".join(lines).strip()


def normalise_email(value: str) -> str:
    """An address in the form mail systems compare: trimmed, its domain lower-cased."""
    local, _, domain = value.strip().rpartition("@")
    address = f"{local}@{domain.lower()}"
    if len(address) > EMAIL_MAX or not EMAIL.match(address):
        raise ValueError("is not an e-mail address")
    return address


def normalise_phone(value: str) -> str:
    """Digits of a Dutch phone number (spaces, dashes, dots and brackets dropped)."""
    digits = re.sub(r"[\s\-.()]", "", value)
    if not PHONE.match(digits):
        raise ValueError("is not a Dutch phone number")
    return digits


def web_address(value: str) -> str:
    """An http(s) address with a host; one without a scheme gets https."""
    text = value.strip()
    candidate = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
    except ValueError:
        raise ValueError("is not a web address") from None
    if parts.scheme not in ("http", "https") or not host or "." not in host:
        raise ValueError("is not a web address")
    if len(candidate) > WEBSITE_MAX or any(c.isspace() for c in candidate):
        raise ValueError("is not a web address")
    return candidate


class BuyersContact(Frozen):
    """Whom buyers may contact: at least an e-mail address or a phone number."""

    name: str | None = Field(default=None, max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=EMAIL_MAX)
    phone: str | None = Field(default=None, max_length=20)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return plain_text(value) or None if value is not None else None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value) if value else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value) if value else None

    @model_validator(mode="after")
    def _reachable(self) -> BuyersContact:
        if not (self.email or self.phone):
            raise ValueError("a contact needs an e-mail address or a phone number")
        return self


class Supplement(Frozen):
    """What an enterprise says about itself: what it offers, where, and whom to contact."""

    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    categories: tuple[str, ...] = Field(default=(), max_length=CATEGORIES_MAX)
    keywords: tuple[str, ...] = Field(default=(), max_length=KEYWORDS_MAX)
    delivery_areas: tuple[str, ...] = Field(
        default=(),
        max_length=AREAS_MAX,
        description="Municipalities and labour-market regions as `contracts.places` spells "
        "them, or `heel Nederland` alone",
    )
    contact: BuyersContact | None = None
    website: str | None = Field(
        default=None, description="Shown only while no label registry publishes a website"
    )

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return (plain_text(value, multiline=True) or None) if value is not None else None

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = categories_by_slug()
        unknown = [slug for slug in value if slug not in known]
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")
        return tuple(slug for slug in known if slug in value)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        words = [plain_text(word) for word in value]
        if any(len(word) > KEYWORD_MAX for word in words):
            raise ValueError(f"a keyword is longer than {KEYWORD_MAX} characters")
        return tuple(dict.fromkeys(word for word in words if word))

    @field_validator("delivery_areas")
    @classmethod
    def _areas(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        areas = []
        for text in value:
            area = delivery_area(text)
            if area is None:
                raise ValueError(f"unknown delivery area: {text!r}")
            areas.append(area)
        unique = tuple(dict.fromkeys(areas))
        return ("heel Nederland",) if "heel Nederland" in unique else unique

    @field_validator("website")
    @classmethod
    def _website(cls, value: str | None) -> str | None:
        return web_address(value) if value else None


class ListingSupplement(Supplement):
    """A supplement as buyers see it: fields an operator hid are left out."""

    updated_at: datetime
    hidden: tuple[SupplementField, ...] = Field(
        default=(), description="Fields an operator hid because they were misleading"
    )


class SupplementSubmitted(Event):
    """A signed-in enterprise submitted its supplement (replacing the previous one whole)."""

    kind: Literal["submitted"] = "submitted"
    enterprise_id: str = Field(min_length=1, max_length=64)
    submitted_by: str = Field(description="The signed-in address that submitted it")
    supplement: Supplement

    @field_validator("submitted_by")
    @classmethod
    def _by(cls, value: str) -> str:
        return normalise_email(value)
