"""The rules of a list, pure: what a name and a note may hold (with a Dutch message when
not), how many enterprises fit, how a list is named in a file, and how long it is kept."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from contracts.supplements import plain_text
from services.gateway.labels import label_name
from services.kit.dutch import dutch_date_of

NAME_MAX = 120
LIST_NOTE_MAX = 2000
ENTRY_NOTE_MAX = 1000
ENTRIES_MAX = 500
SLUG_MAX = 40
CONTROL = "bevat tekens die niet zijn toegestaan (zoals besturingstekens)."


class Refusal(ValueError):
    """What was typed is not accepted; the message says why, in Dutch."""


def checked_name(typed: str) -> str:
    """The list's name as typed, trimmed; it must not be empty."""
    name = _text("De naam", typed, NAME_MAX, multiline=False)
    if not name:
        raise Refusal("Geef de lijst een naam, bijvoorbeeld „Kerstpakketten 2026”.")
    return name


def checked_note(typed: str, limit: int) -> str:
    """A note as typed (line breaks kept), trimmed; empty is allowed."""
    return _text("De notitie", typed, limit, multiline=True)


def _text(what: str, typed: str, limit: int, *, multiline: bool) -> str:
    try:
        text = plain_text(typed, multiline=multiline)
    except ValueError:
        raise Refusal(f"{what} {CONTROL}") from None
    if len(text) > limit:
        raise Refusal(f"{what} mag hoogstens {limit} tekens lang zijn; nu zijn het er {len(text)}.")
    return text


def file_slug(name: str) -> str:
    """The list's name as it appears in a file name: `Kerst & Co – 2026` -> `kerst-co-2026`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_MAX].strip("-") or "lijst"


def kept_until(used_at: datetime, keep_days: int) -> date:
    """The last Dutch day a list unused since `used_at` is kept."""
    return dutch_date_of(used_at + timedelta(days=keep_days))


def delisting_reason(reason: str | None, lapsed_label: str | None) -> str:
    """Why an enterprise is no longer listed, in Dutch (from DelistReason)."""
    if reason == "label_lapsed":
        label = label_name(lapsed_label) if lapsed_label else None
        return f"het label {label} is verlopen" if label else "haar label is verlopen"
    if reason == "outside_region":
        return "zij ligt niet meer in het gebied van dit platform"
    if reason == "moved":
        return "zij is verhuisd naar een plaats buiten dit overzicht"
    return "zij heeft op dit moment geen geldig label"
