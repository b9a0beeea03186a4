"""The shortlist forms: create a list, add and remove enterprises, notes, renew the share
link, delete. Each checks its CSRF token, then redirects (post/redirect/get) or shows the page
again with a Dutch message saying what is wrong."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from services.gateway.deps import SignInDep
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.shortlists import editing
from services.gateway.shortlists.access import (
    in_session,
    list_not_found,
    local_path,
    shortlists_of,
)
from services.gateway.shortlists.bootstrap import COOKIE
from services.gateway.shortlists.domain import LIST_NOTE_MAX, Refusal, checked_name, checked_note
from services.gateway.shortlists.rendering import start_form
from services.gateway.shortlists.store import add_entry, create_list, delete_list, find_by_edit
from services.gateway.signin.formdata import first, read_form
from services.gateway.signin.guards import require_csrf
from services.gateway.signin.rendering import (
    PRIVATE_HEADERS,
    Problem,
    client_address,
    rate_limited,
    render,
)

router = APIRouter(include_in_schema=False)
router.include_router(editing.router)


@router.post("/inkooplijsten", name="shortlist_create")
async def create(request: Request, signin: SignInDep) -> Response:
    """Make a list and open its edit page (which makes it this browser's current list)."""
    fields = await read_form(request)
    require_csrf(signin, request, fields)
    shortlists = shortlists_of(request)
    typed = {"name": first(fields, "name"), "note": first(fields, "note")}
    try:
        name = checked_name(typed["name"])
        note = checked_note(typed["note"], LIST_NOTE_MAX)
    except Refusal as refusal:
        current = await asyncio.to_thread(shortlists.current, request) is not None
        return start_form(request, typed, current=current, error=str(refusal))
    if not shortlists.creations.admit(client_address(request), shortlists.monotonic()):
        raise rate_limited(
            "Te veel nieuwe lijsten",
            "Vanaf deze verbinding zijn het afgelopen uur te veel inkooplijsten gemaakt. "
            "Probeer het over een uur opnieuw.",
            3600,
        )
    now = shortlists.now()
    created = await asyncio.to_thread(in_session, shortlists.engine, create_list, name, note, now)
    target = request.app.url_path_for("shortlist_edit", token=created.edit_token)
    response = RedirectResponse(f"{target}?gedaan=aangemaakt", 303, headers=PRIVATE_HEADERS)
    shortlists.remember(response, created.edit_token)
    return response


@router.get("/inkooplijsten/toevoegen", name="shortlist_add_confirm")
async def add_confirm(
    request: Request, onderneming: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """Ask to add an enterprise to the current list (when a page could not carry the form's
    token, because the browser held no CSRF key yet)."""
    shortlists = shortlists_of(request)
    current = await asyncio.to_thread(shortlists.current, request)
    if current is None:
        return RedirectResponse(request.app.url_path_for("shortlist_start"), 303)
    row = await asyncio.to_thread(in_session, shortlists.engine, _listed, onderneming)
    context = {"current": current, "enterprise": row}
    return render(request, "shortlist_add_confirm.html", context)


@router.post("/inkooplijsten/toevoegen", name="shortlist_add_current")
async def add_to_current(request: Request, signin: SignInDep) -> Response:
    """Add an enterprise to the browser's current list and go back where the button was."""
    fields = await read_form(request)
    require_csrf(signin, request, fields)
    shortlists = shortlists_of(request)
    token = request.cookies.get(COOKIE)
    enterprise_id = first(fields, "enterprise_id")[:64]
    now = shortlists.now()

    def add(session: Session) -> str | None:
        row = find_by_edit(session, token)
        if row is None:
            return None
        enterprise = _listed(session, enterprise_id)
        return add_entry(session, row, enterprise.enterprise_id, enterprise.name, now)

    outcome = await asyncio.to_thread(in_session, shortlists.engine, add)
    if outcome is None:
        raise list_not_found(request)
    if outcome == "full":
        raise editing.list_full()
    fallback = request.app.url_path_for("enterprise_page", enterprise_id=enterprise_id)
    back = local_path(first(fields, "return_to"), fallback)
    return RedirectResponse(back, 303, headers=PRIVATE_HEADERS)


@router.post("/inkooplijsten/bewerken/{token}/wissen", name="shortlist_delete")
async def delete(request: Request, token: str, signin: SignInDep) -> Response:
    """Delete the list and its notes now."""
    fields = await read_form(request)
    require_csrf(signin, request, fields)
    shortlists = shortlists_of(request)

    def remove(session: Session) -> str | None:
        row = find_by_edit(session, token)
        if row is None:
            return None
        delete_list(session, row)
        return row.name

    name = await asyncio.to_thread(in_session, shortlists.engine, remove)
    if name is None:
        raise list_not_found(request)
    response = render(request, "shortlist_deleted.html", {"name": name})
    if request.cookies.get(COOKIE) == token:
        shortlists.forget(response)
    return response


def _listed(session: Session, enterprise_id: str) -> EnterpriseRow:
    """The listed enterprise with this id; else the page saying it cannot be added."""
    row = session.get(EnterpriseRow, enterprise_id[:64]) if enterprise_id else None
    if row is None or not row.listed:
        raise Problem(
            404,
            "Onderneming niet gevonden",
            "Deze onderneming staat niet in het overzicht en kan daarom niet op een "
            "inkooplijst worden gezet.",
        )
    return row
