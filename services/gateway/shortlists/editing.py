"""The forms on a list's edit page: its name and note, adding and removing enterprises, an
entry's note, a new share link. Each redirects back to the page saying what was done, or
shows the page again with what is wrong (nothing is changed then)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from services.gateway.deps import SignInDep
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.shortlists.access import in_session, list_not_found, local_path, shortlists_of
from services.gateway.shortlists.domain import (
    ENTRIES_MAX,
    ENTRY_NOTE_MAX,
    LIST_NOTE_MAX,
    Refusal,
    checked_name,
    checked_note,
)
from services.gateway.shortlists.reading import read_entries
from services.gateway.shortlists.rendering import edit_context
from services.gateway.shortlists.store import (
    add_entry,
    find_by_edit,
    remove_entry,
    renew_share,
    set_details,
    set_entry_note,
)
from services.gateway.shortlists.tables import ShortlistRow
from services.gateway.signin.formdata import FormFields, first, read_form
from services.gateway.signin.guards import require_csrf
from services.gateway.signin.rendering import PRIVATE_HEADERS, Problem, render

router = APIRouter(include_in_schema=False)
BASE = "/inkooplijsten/bewerken/{token}"
Change = Callable[[Session, ShortlistRow, FormFields, datetime], "Done"]


@dataclass(frozen=True)
class Done:
    """What a form did: the message key for the page, and where on it to land."""

    message: str
    anchor: str = ""


@dataclass(frozen=True)
class Refused:
    """A form that changed nothing: the message, the typed values to show again."""

    message: str
    typed: dict[str, str]


def list_full() -> Problem:
    """The page for a list that holds as many enterprises as a list may."""
    return Problem(
        409,
        "Deze inkooplijst is vol",
        f"Een inkooplijst bevat hoogstens {ENTRIES_MAX} ondernemingen. Haal er eerst een "
        "onderneming af, of maak een nieuwe lijst.",
    )


@router.post(BASE + "/gegevens", name="shortlist_details")
async def details(request: Request, token: str, signin: SignInDep) -> Response:
    """Rename the list and replace its note."""

    def change(session: Session, row: ShortlistRow, fields: FormFields, now: datetime) -> Done:
        typed = {"name": first(fields, "name"), "note": first(fields, "note")}
        try:
            name, note = checked_name(typed["name"]), checked_note(typed["note"], LIST_NOTE_MAX)
        except Refusal as refusal:
            raise _Typed(str(refusal), typed) from None
        set_details(session, row, name, note, now)
        return Done("gegevens", "lijst")

    return await _apply(request, token, signin, change)


@router.post(BASE + "/toevoegen", name="shortlist_add")
async def add(request: Request, token: str, signin: SignInDep) -> Response:
    """Put a listed enterprise on the list (from the page's own search)."""

    def change(session: Session, row: ShortlistRow, fields: FormFields, now: datetime) -> Done:
        enterprise_id = first(fields, "enterprise_id")[:64]
        enterprise = session.get(EnterpriseRow, enterprise_id) if enterprise_id else None
        if enterprise is None or not enterprise.listed:
            raise _Typed("Deze onderneming staat niet in het overzicht.", {})
        if add_entry(session, row, enterprise_id, enterprise.name, now) == "full":
            raise list_full()
        return Done("toegevoegd", f"onderneming-{enterprise_id}")

    return await _apply(request, token, signin, change)


@router.post(BASE + "/verwijderen", name="shortlist_remove")
async def remove(request: Request, token: str, signin: SignInDep) -> Response:
    """Take an enterprise off the list."""

    def change(session: Session, row: ShortlistRow, fields: FormFields, now: datetime) -> Done:
        remove_entry(session, row, first(fields, "enterprise_id")[:64], now)
        return Done("verwijderd", "ondernemingen")

    return await _apply(request, token, signin, change)


@router.post(BASE + "/notitie", name="shortlist_entry_note")
async def entry_note(request: Request, token: str, signin: SignInDep) -> Response:
    """Replace the note on one entry."""

    def change(session: Session, row: ShortlistRow, fields: FormFields, now: datetime) -> Done:
        enterprise_id = first(fields, "enterprise_id")[:64]
        typed = first(fields, "note")
        try:
            note = checked_note(typed, ENTRY_NOTE_MAX)
        except Refusal as refusal:
            raise _Typed(str(refusal), {f"entry:{enterprise_id}": typed}) from None
        if not set_entry_note(session, row, enterprise_id, note, now):
            raise _Typed("Deze onderneming staat niet (meer) op de lijst.", {})
        return Done("notitie", f"onderneming-{enterprise_id}")

    return await _apply(request, token, signin, change)


@router.post(BASE + "/deellink", name="shortlist_renew_share")
async def renew_share_link(request: Request, token: str, signin: SignInDep) -> Response:
    """Replace the share link: whoever had the old one can no longer open the list."""

    def change(session: Session, row: ShortlistRow, fields: FormFields, now: datetime) -> Done:
        renew_share(session, row, token, now)
        return Done("deellink", "delen")

    return await _apply(request, token, signin, change)


class _Typed(Exception):
    def __init__(self, message: str, typed: dict[str, str]) -> None:
        super().__init__(message)
        self.refused = Refused(message, typed)


async def _apply(request: Request, token: str, signin: SignInDep, change: Change) -> Response:
    """Check the form, open the list by its link, make the change; then back to the page."""
    fields = await read_form(request)
    require_csrf(signin, request, fields)
    shortlists = shortlists_of(request)
    now = shortlists.now()

    def run(session: Session) -> Done | Response | None:
        row = find_by_edit(session, token)
        if row is None:
            return None
        try:
            return change(session, row, fields, now)
        except _Typed as typed:
            session.rollback()
            context = edit_context(request, token, row, read_entries(session, row.list_id))
            context |= {"error": typed.refused.message, "typed": typed.refused.typed}
            return render(request, "shortlist_edit.html", context, status=400)

    outcome = await asyncio.to_thread(in_session, shortlists.engine, run)
    if outcome is None:
        raise list_not_found(request)
    if isinstance(outcome, Response):
        return outcome
    page = request.app.url_path_for("shortlist_edit", token=token)
    anchor = f"#{outcome.anchor}" if outcome.anchor else ""
    target = local_path(first(fields, "return_to"), f"{page}?gedaan={outcome.message}{anchor}")
    return RedirectResponse(target, 303, headers=PRIVATE_HEADERS)
