"""What the shortlist pages show, shared by the pages and the forms that come back to them
with an error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from services.gateway.shortlists.access import public_url, shortlists_of
from services.gateway.shortlists.domain import ENTRY_NOTE_MAX, LIST_NOTE_MAX, NAME_MAX, kept_until
from services.gateway.shortlists.reading import Entry
from services.gateway.shortlists.tables import ShortlistRow
from services.gateway.shortlists.tokens import share_token
from services.gateway.signin.rendering import render

LIMITS = {"name": NAME_MAX, "list_note": LIST_NOTE_MAX, "entry_note": ENTRY_NOTE_MAX}
DONE = {
    "aangemaakt": "Uw inkooplijst is gemaakt. Bewaar de bewerklink hieronder goed.",
    "toegevoegd": "De onderneming staat nu op uw lijst.",
    "verwijderd": "De onderneming is van uw lijst gehaald.",
    "notitie": "Uw notitie is bewaard.",
    "gegevens": "De naam en de notitie van de lijst zijn bewaard.",
    "deellink": "Er is een nieuwe deellink gemaakt; de oude werkt niet meer.",
}


def start_form(
    request: Request, typed: Mapping[str, str], *, current: bool, error: str | None = None
) -> Response:
    """The start page with its form as typed (and what is wrong with it)."""
    context = {
        "typed": typed,
        "error": error,
        "limits": LIMITS,
        "has_current": current,
        "keep_days": shortlists_of(request).keep_days,
    }
    return render(request, "shortlist_start.html", context, status=400 if error else 200)


def edit_context(
    request: Request, token: str, row: ShortlistRow, entries: list[Entry]
) -> dict[str, Any]:
    """What the edit page shows of a list (also when a form on it comes back with an error)."""
    shortlists = shortlists_of(request)
    share = share_token(token, row.share_generation)
    return {
        "row": row,
        "token": token,
        "entries": entries,
        "on_list": {entry.enterprise_id for entry in entries},
        "edit_url": public_url(request, "shortlist_edit", token=token),
        "share_url": public_url(request, "shortlist_view", token=share),
        "keep_days": shortlists.keep_days,
        "kept_until": kept_until(row.used_at, shortlists.keep_days),
        "limits": LIMITS,
        "error": None,
        "typed": {},
        "found": None,
        "zoek": "",
        "done": None,
    }


def view_context(
    request: Request, token: str, row: ShortlistRow, entries: list[Entry]
) -> dict[str, Any]:
    """What the shared, read-only page shows of a list."""
    shortlists = shortlists_of(request)
    return {
        "row": row,
        "token": token,
        "entries": entries,
        "keep_days": shortlists.keep_days,
        "kept_until": kept_until(row.used_at, shortlists.keep_days),
    }
