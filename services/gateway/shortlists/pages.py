"""The shortlist pages one reads: start (create), the edit page, the read-only shared page,
and the step that makes a list current. `router` also holds the forms and the downloads."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from services.gateway.deps import ReaderDep
from services.gateway.read_model.queries import search_enterprises
from services.gateway.read_model.search_query import SearchQuery
from services.gateway.read_model.views import EnterprisePage
from services.gateway.shortlists import actions, downloads
from services.gateway.shortlists.access import list_not_found, shortlists_of
from services.gateway.shortlists.bootstrap import COOKIE
from services.gateway.shortlists.reading import Entry, read_entries
from services.gateway.shortlists.rendering import DONE, edit_context, start_form, view_context
from services.gateway.shortlists.store import find_by_edit, find_by_share, touch
from services.gateway.shortlists.tables import ShortlistRow
from services.gateway.signin.rendering import PRIVATE_HEADERS, render

router = APIRouter(include_in_schema=False)
router.include_router(actions.router)
router.include_router(downloads.router)
ADD_RESULTS = 10


@router.get("/inkooplijsten", name="shortlist_start")
async def start_page(request: Request) -> Response:
    """What a list is, and the form that makes one."""
    current = await asyncio.to_thread(shortlists_of(request).current, request)
    return start_form(request, {"name": "", "note": ""}, current=current is not None)


@router.get("/inkooplijsten/huidige", name="shortlist_current")
async def current_list(request: Request) -> Response:
    """To the browser's current list (its edit link is in a cookie, not in the pages that
    link here), or to the start page."""
    token = request.cookies.get(COOKIE)
    shortlists = shortlists_of(request)
    target = request.app.url_path_for("shortlist_start")
    if token and await asyncio.to_thread(shortlists.current, request) is not None:
        target = request.app.url_path_for("shortlist_edit", token=token)
    return RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)


@router.get("/inkooplijsten/bewerken/{token}", name="shortlist_edit")
async def edit_page(
    request: Request,
    token: str,
    read: ReaderDep,
    zoek: Annotated[str, Query(max_length=200)] = "",
    gedaan: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The list with everything its owner can do; opening it makes it the current list."""
    shortlists = shortlists_of(request)
    now = shortlists.now()

    def load(session: Session) -> tuple[ShortlistRow, list[Entry], EnterprisePage | None] | None:
        row = find_by_edit(session, token)
        if row is None:
            return None
        touch(session, row, now)
        found = None
        if zoek.strip():
            found = search_enterprises(session, SearchQuery(q=zoek, page_size=ADD_RESULTS))
        return row, read_entries(session, row.list_id), found

    loaded = await read(load)
    if loaded is None:
        raise list_not_found(request)
    row, entries, found = loaded
    context = edit_context(request, token, row, entries)
    context |= {"found": found, "zoek": zoek, "done": DONE.get(gedaan)}
    response = render(request, "shortlist_edit.html", context)
    shortlists.remember(response, token)
    return response


@router.get("/inkooplijsten/bekijken/{token}", name="shortlist_view")
async def shared_page(request: Request, token: str, read: ReaderDep) -> Response:
    """The list read-only, as whoever has the share link sees it."""
    shortlists = shortlists_of(request)
    now = shortlists.now()

    def load(session: Session) -> tuple[ShortlistRow, list[Entry]] | None:
        row = find_by_share(session, token)
        if row is None:
            return None
        touch(session, row, now)
        return row, read_entries(session, row.list_id)

    loaded = await read(load)
    if loaded is None:
        raise list_not_found(request)
    row, entries = loaded
    return render(request, "shortlist_view.html", view_context(request, token, row, entries))
