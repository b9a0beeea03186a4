"""Downloads: a list (by its edit or its share link) and any search, as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import Session
from starlette.responses import Response

from services.gateway.deps import ReaderDep, SearchDep
from services.gateway.exports.columns import enterprise_table, list_table
from services.gateway.exports.download import FORMATS, Format, download
from services.gateway.pages.formatting import number_nl
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.queries import search_enterprises
from services.gateway.read_model.search_query import SearchQuery
from services.gateway.read_model.views import EnterpriseView
from services.gateway.shortlists.access import list_not_found, public_url, shortlists_of
from services.gateway.shortlists.domain import file_slug
from services.gateway.shortlists.reading import Entry, read_entries
from services.gateway.shortlists.store import find_by_edit, find_by_share
from services.gateway.shortlists.tables import ShortlistRow
from services.gateway.signin.rendering import Problem, client_address, rate_limited
from services.kit.dutch import dutch_date_of

router = APIRouter(include_in_schema=False)
FETCH = 100
Finder = Callable[[Session, str | None], ShortlistRow | None]


@router.get("/inkooplijsten/bewerken/{token}/export.{fmt}", name="shortlist_edit_export")
async def export_by_edit_link(request: Request, token: str, fmt: str, read: ReaderDep) -> Response:
    """The list as a file, for its owner."""
    _count_export(request)
    return await _list_export(request, read, find_by_edit, token, fmt)


@router.get("/inkooplijsten/bekijken/{token}/export.{fmt}", name="shortlist_view_export")
async def export_by_share_link(request: Request, token: str, fmt: str, read: ReaderDep) -> Response:
    """The list as a file, for whoever it was shared with."""
    _count_export(request)
    return await _list_export(request, read, find_by_share, token, fmt)


@router.get("/zoeken/export.{fmt}", name="search_export")
async def export_search(request: Request, fmt: str, query: SearchDep, read: ReaderDep) -> Response:
    """Every enterprise the search finds (not one page), up to the configured maximum: a
    buyer who needs more narrows the search rather than waiting on a huge file."""
    chosen = _format(fmt)
    _count_export(request)
    cap = shortlists_of(request).export_max
    total, enterprises = await read(all_matching, query, cap)
    if total > cap:
        raise Problem(
            422,
            "Te veel ondernemingen voor een export",
            f"Uw zoekopdracht vindt {number_nl(total)} ondernemingen; een export bevat er "
            f"hoogstens {number_nl(cap)}.",
            "Kies meer filters, bijvoorbeeld een regio of een categorie, en exporteer opnieuw.",
        )
    table = enterprise_table(enterprises, _page_url(request))
    today = dutch_date_of(shortlists_of(request).now())
    return download(table, chosen, "ondernemingen", today, "Ondernemingen")


def all_matching(
    session: Session, query: SearchQuery, cap: int
) -> tuple[int, list[EnterpriseView]]:
    """How many enterprises match, and all of them unless they are more than `cap`.

    Read page by page through the search itself, so its filters and order (whatever the
    query holds) apply as on the search page; one snapshot, the matches grouped once.
    """
    cache = SearchCache()
    first = search_enterprises(session, _page(query, 1), cache)
    if first.total > cap:
        return first.total, []
    found = list(first.items)
    pages = -(-first.total // FETCH)
    for number in range(2, pages + 1):
        found += search_enterprises(session, _page(query, number), cache).items
    return first.total, found


def _page(query: SearchQuery, number: int) -> SearchQuery:
    return query.model_copy(update={"page": number, "page_size": FETCH})


async def _list_export(
    request: Request, read: ReaderDep, find: Finder, token: str, fmt: str
) -> Response:
    chosen = _format(fmt)

    def load(session: Session) -> tuple[ShortlistRow, list[Entry]] | None:
        row = find(session, token)
        return (row, read_entries(session, row.list_id)) if row else None

    loaded = await read(load)
    if loaded is None:
        raise list_not_found(request)
    row, entries = loaded
    table = list_table([(e.enterprise, e.status) for e in entries], _page_url(request))
    today = dutch_date_of(shortlists_of(request).now())
    return download(table, chosen, f"inkooplijst-{file_slug(row.name)}", today, row.name)


def _count_export(request: Request) -> None:
    """Count an export for the client's address; refuse it past the hourly limit."""
    shortlists = shortlists_of(request)
    if not shortlists.exports.admit(client_address(request), shortlists.monotonic()):
        raise rate_limited(
            "Te veel exports",
            "Vanaf deze verbinding zijn het afgelopen uur te veel exports gevraagd. "
            "Probeer het over een uur opnieuw.",
            3600,
        )


def _format(fmt: str) -> Format:
    for known in FORMATS:
        if fmt == known:
            return known
    raise HTTPException(404)


def _page_url(request: Request) -> str:
    """The public address of an enterprise's page, `{id}` standing for its id."""
    return public_url(request, "enterprise_page", enterprise_id="ENTERPRISE").replace(
        "ENTERPRISE", "{id}"
    )
