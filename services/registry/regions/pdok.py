"""Places the bundled data does not know, looked up in the public PDOK Locatieserver.

One GET per unknown name (`/free?q=<name>&fq=type:woonplaats`), answers cached. Only documents
whose woonplaats name is the asked name count: the Locatieserver matches loosely, and a
near miss is not an answer. Unreachable, slow, failing or malformed answers make the place
`unresolved` with the reason; nothing is raised to the caller.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from services.registry.regions.names import name_key, province_named, split_qualifier
from services.registry.regions.pdok_cache import PdokCache, PdokPlace
from services.registry.regions.reference import (
    Municipality,
    find_municipalities,
    municipality_by_code,
)
from services.registry.regions.resolver import PlaceResolver, Resolution

log = structlog.get_logger()
DEFAULT_BASE_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
FIELDS = "type woonplaatsnaam gemeentecode gemeentenaam provincienaam weergavenaam"


def pdok_client(user_agent: str) -> httpx.AsyncClient:
    """An httpx client that names us to PDOK; the resolver sets its own short timeouts."""
    return httpx.AsyncClient(headers={"User-Agent": user_agent, "Accept": "application/json"})


class PdokFailed(Exception):
    """The Locatieserver gave no usable answer; the message says why."""


@dataclass
class PdokResolver(PlaceResolver):
    """Resolves place names with the Locatieserver's free search."""

    http: httpx.AsyncClient
    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 3.0
    rows: int = 5
    cache: PdokCache = field(default_factory=PdokCache)

    async def resolve(self, place: str, province: str | None = None) -> Resolution:
        base, hint = split_qualifier(place)
        wanted = province_named(province) if province else hint
        key = name_key(base)
        if not key or (province and (wanted is None or (hint and hint != wanted))):
            return Resolution.unresolved(place, "PDOK: no place, or a province that does not fit")
        if not self.cache.loaded:
            await asyncio.to_thread(self.cache.load)
        answer = self.cache.get(key)
        if answer is None:
            try:
                answer = await self._fetch(base)
            except PdokFailed as failure:
                log.warning("pdok_lookup_failed", place=place, reason=str(failure))
                return Resolution.unresolved(place, f"PDOK: {failure}")
            self.cache.put(key, answer)
            if self.cache.path is not None:
                await asyncio.to_thread(self.cache.save)
        return self._interpret(place, key, wanted, answer)

    async def _fetch(self, name: str) -> tuple[PdokPlace, ...]:
        url = f"{self.base_url.rstrip('/')}/free"
        params = {"q": name, "fq": "type:woonplaats", "rows": str(self.rows), "fl": FIELDS}
        try:
            response = await self.http.get(url, params=params, timeout=self.timeout_seconds)
        except httpx.TimeoutException as exc:
            raise PdokFailed(f"no answer within {self.timeout_seconds:g}s") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise PdokFailed(f"unreachable ({type(exc).__name__}: {exc})") from exc
        if response.status_code != 200:
            raise PdokFailed(f"answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise PdokFailed("answered something that is not JSON") from exc
        places = _places_in(body)
        log.info("pdok_place_fetched", query=name, woonplaatsen=len(places))
        return places

    def _interpret(
        self, place: str, key: str, wanted: str | None, answer: tuple[PdokPlace, ...]
    ) -> Resolution:
        named = [p for p in answer if name_key(split_qualifier(p.woonplaats)[0]) == key]
        if wanted:
            chosen = [p for p in named if province_named(p.provincie) == wanted]
        else:
            chosen = [p for p in named if split_qualifier(p.woonplaats)[1] is None]
            if not chosen and len({p.gemeente for p in named}) > 1:
                chosen = named
        if not chosen:
            others = ", ".join(sorted({p.woonplaats for p in answer})) or "nothing"
            return Resolution.unresolved(place, f"PDOK: no woonplaats of that name ({others})")
        matches: list[Municipality] = []
        for found in chosen:
            municipality = _municipality_of(found)
            if municipality is None:
                detail = f"PDOK: {found.woonplaats} lies in {found.gemeente}, not in our list"
                return Resolution.unresolved(place, detail)
            matches.append(municipality)
        return Resolution.from_matches(place, tuple(dict.fromkeys(matches)), "pdok", "PDOK")


def _municipality_of(found: PdokPlace) -> Municipality | None:
    """Our municipality for a PDOK document: by CBS code, or by its unique name if it has none.

    A code we do not know means a municipality newer than our list; its name may be an old
    one's, so the name is not trusted then."""
    if found.gemeentecode:
        return municipality_by_code(found.gemeentecode)
    by_name = find_municipalities(found.gemeente, found.provincie)
    return by_name[0] if len(by_name) == 1 else None


def _places_in(body: Any) -> tuple[PdokPlace, ...]:
    """The woonplaats documents of a Locatieserver answer; PdokFailed when it is malformed."""
    docs = body.get("response", {}).get("docs") if isinstance(body, dict) else None
    if not isinstance(docs, list):
        raise PdokFailed("answer has no response.docs list")
    places = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise PdokFailed("answer has a document that is not an object")
        if doc.get("type") == "woonplaats":
            places.append(_place_of(doc))
    return tuple(places)


def _place_of(doc: dict[str, Any]) -> PdokPlace:
    woonplaats, gemeente = doc.get("woonplaatsnaam"), doc.get("gemeentenaam")
    provincie, code = doc.get("provincienaam"), doc.get("gemeentecode")
    if not (isinstance(woonplaats, str) and isinstance(gemeente, str)):
        raise PdokFailed("answer has a woonplaats without a name or municipality")
    if not (isinstance(provincie, str) and (code is None or isinstance(code, str))):
        raise PdokFailed("answer has a woonplaats without a province or with a bad code")
    if not (woonplaats and gemeente and provincie):
        raise PdokFailed("answer has a woonplaats with an empty name")
    return PdokPlace(woonplaats, gemeente, provincie, code)
