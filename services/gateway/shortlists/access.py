"""What every shortlist route needs: the wired parts, a list opened by its link (or the Dutch
page saying it is not there), and links built from the public base URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request

from services.gateway.shortlists.bootstrap import Shortlists
from services.gateway.signin.rendering import Problem

P = ParamSpec("P")
T = TypeVar("T")


def shortlists_of(request: Request) -> Shortlists:
    """The shortlists' parts (set by create_app)."""
    shortlists: Shortlists = request.app.state.shortlists
    return shortlists


def public_url(request: Request, name: str, **params: str) -> str:
    """An absolute link to a route, on the configured public address (never the Host
    header: a list's links are copied and shared)."""
    base = shortlists_of(request).settings.public_base_url.rstrip("/")
    path: str = request.app.url_path_for(name, **params)
    return base + path


def list_not_found(request: Request) -> Problem:
    """The page for a link that opens no list (never existed, deleted, or replaced)."""
    return Problem(
        404,
        "Inkooplijst niet gevonden",
        "Deze link opent geen inkooplijst. Misschien is de lijst verwijderd, is hij lang niet "
        "gebruikt, of heeft de eigenaar een nieuwe deellink gemaakt.",
        "Controleer of u de hele link hebt gebruikt, of vraag de eigenaar van de lijst om "
        "de nieuwe link.",
        action=(request.app.url_path_for("shortlist_start"), "Maak zelf een inkooplijst"),
    )


def local_path(value: str, fallback: str) -> str:
    """`value` when it is a path on this site (to return to after a form), else `fallback`:
    never another site's address."""
    if value.startswith("/") and not value.startswith(("//", "/\\")) and len(value) <= 2000:
        return value
    return fallback


def in_session(
    engine: Engine,
    work: Callable[Concatenate[Session, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run `work` with a session of its own (in a worker thread: `asyncio.to_thread`)."""
    with Session(engine) as session:
        return work(session, *args, **kwargs)
