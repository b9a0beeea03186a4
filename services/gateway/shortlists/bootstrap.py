"""The shortlists' parts, wired once, and the browser's current list (a cookie holding its
edit secret), which the search and enterprise pages offer to add to."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from contracts.base import utc_now
from services.gateway.config import GatewaySettings
from services.gateway.shortlists.reading import entry_ids
from services.gateway.shortlists.store import find_by_edit
from services.gateway.signin.csrf import Csrf
from services.gateway.signin.rate_limit import SlidingWindow

COOKIE = "impactoost_inkooplijst"
CREATIONS_PER_HOUR = 30
# An export reads up to IMPACTOOST_GATEWAY_EXPORT_MAX enterprises: a person needs a handful an
# hour, a loop asking for them would hold the readers.
EXPORTS_PER_HOUR = 60


@dataclass(frozen=True)
class Current:
    """The browser's current list, as the add buttons need it."""

    name: str
    enterprise_ids: frozenset[str]
    csrf_token: str | None  # None while the browser holds no CSRF key (see _shortlist_add)


@dataclass
class Shortlists:
    """What the shortlist pages need; tests swap the clock."""

    settings: GatewaySettings
    engine: Engine
    csrf: Csrf
    creations: SlidingWindow
    exports: SlidingWindow
    now: Callable[[], datetime] = field(default=utc_now)
    monotonic: Callable[[], float] = field(default=time.monotonic)

    @property
    def keep_days(self) -> int:
        """How many days an unused list is kept."""
        return self.settings.shortlist_keep_days

    @property
    def export_max(self) -> int:
        """The most enterprises a search's export holds (the search page says so)."""
        return self.settings.gateway_export_max

    def current(self, request: Request) -> Current | None:
        """The list this browser works on, if any; read once per request (the templates ask
        for every result). Called from the page's worker thread."""
        known: tuple[Current | None] | None = getattr(request.state, "shortlist", None)
        if known is not None:
            return known[0]
        found = self._read_current(request)
        request.state.shortlist = (found,)
        return found

    def _read_current(self, request: Request) -> Current | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        with Session(self.engine) as session:
            row = find_by_edit(session, token)
            if row is None:
                return None
            ids = frozenset(entry_ids(session, row.list_id))
        key = self.csrf.browser_key(request)
        return Current(row.name, ids, self.csrf.token_for(key) if key else None)

    def remember(self, response: Response, edit_token: str) -> None:
        """Make this list the browser's current one (for as long as an unused list is kept)."""
        response.set_cookie(
            COOKIE,
            edit_token,
            max_age=self.keep_days * 24 * 3600,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    def forget(self, response: Response) -> None:
        """The browser has no current list any more."""
        response.delete_cookie(
            COOKIE, path="/", httponly=True, samesite="lax", secure=self.settings.secure_cookies
        )


def bootstrap_shortlists(settings: GatewaySettings, engine: Engine, csrf: Csrf) -> Shortlists:
    """Wire the shortlists; opens no connection."""
    return Shortlists(
        settings=settings,
        engine=engine,
        csrf=csrf,
        creations=SlidingWindow(CREATIONS_PER_HOUR, 3600.0),
        exports=SlidingWindow(EXPORTS_PER_HOUR, 3600.0),
    )
