"""Code Sociale Ondernemingen: a WordPress register whose cards load through a Kadence REST call.

Format (see label-sources.md §2): `/register/` carries the `kbp_query_loop_rest_endpoint`
script variable (url + nonce) and `div.kb-query-loop[data-ql-id]`; the endpoint answers
`{"content", "page", "maxPages", "postCount"}` per page for a POST with `X-WP-Nonce`; cards
are `article.kb-query-item` (`.entry-title a`, `.so-plaats`, `.so-status`, `ul.so-impact li`);
each card's profile page holds `dl.so-gegevens`. Only this module and `codeso_parsing`, which
holds the pure parsing of these pages, know that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

import structlog
from pydantic import ValidationError

from contracts.labels import LabelName, Observation
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import Page, PoliteClient
from services.scraper.normalise import truncate
from services.scraper.policy import DEFAULT_LISTING_POLICY, LabelPolicy
from services.scraper.sources.base import NOTHING_KNOWN, KnownHolding, SourceResult
from services.scraper.sources.codeso_parsing import (
    Card,
    CardPage,
    ProfileFacts,
    QueryLoop,
    parse_profile,
    parse_query_answer,
    parse_register_page,
)
from services.scraper.sources.codeso_shapes import KNOWN_SHAPES, SHAPE_REFUSED, RequestShape

REGISTER_PATH = "/register/"
# A register of 2,000 holdings at eight cards per page has 250 pages; a loop still stops.
MAX_PAGES = 1000

# Beyond the registry's longest default reminder lead time (60 days): a renewal published
# on the profile is seen before any reminder goes out.
RENEWAL_HORIZON = timedelta(days=90)
log = structlog.get_logger()


@dataclass
class CodesoSource:
    """Reads every card of the register through its REST endpoint, then new or changed profiles."""

    base_url: str
    max_pages: int = MAX_PAGES
    policy: LabelPolicy = DEFAULT_LISTING_POLICY.codeso
    shapes: tuple[RequestShape, ...] = KNOWN_SHAPES
    label: LabelName = field(default="codeso", init=False)

    @property
    def origin(self) -> str:
        """`scheme://host[:port]` of the register: every request goes here and nowhere else."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = NOTHING_KNOWN
    ) -> SourceResult:
        """Every registration; FormatChanged/FetchFailed when the register is not readable."""
        result = SourceResult()
        for card in await self._read_cards(client, result):
            observation = await self._observe(client, card, today, known, result.warnings)
            if observation is not None:
                result.cards[card.holding_id] = card.card_hash
                result.observations.append(observation)
        return result

    async def _read_cards(self, client: PoliteClient, result: SourceResult) -> list[Card]:
        endpoint = QueryEndpoint(await self.query_loop(client))
        shape, answers = await self.find_shape(client, endpoint)
        result.request_shapes["query"] = shape.name
        cards: dict[str, Card] = {}
        page, last = 1, 1
        while page <= last:
            parsed = answers.pop(0) if answers else await self._page(client, endpoint, shape, page)
            last = self._page_count(parsed, page, last, result.warnings)
            result.pages += 1
            result.warnings.extend(parsed.warnings)
            for card in parsed.cards:
                if card.holding_id in cards:
                    result.warnings.append(
                        f"page {page}: {card.holding_id} listed again; first kept"
                    )
                    continue
                cards[card.holding_id] = card
            page += 1
        return list(cards.values())

    async def find_shape(
        self, client: PoliteClient, endpoint: QueryEndpoint
    ) -> tuple[RequestShape, list[CardPage]]:
        """The first known request shape the endpoint answers validly, with the pages it read.

        Page 1 alone cannot tell shapes apart that differ only in the page key (a server
        ignoring an unknown key answers page 1 anyway), so a register of several pages must
        also answer page 2 as page 2."""
        problems: list[str] = []
        for shape in self.shapes:
            first = await self._try_page(client, endpoint, shape, 1, problems)
            if first is None:
                continue
            self._guard_size(first)
            pages = [first]
            if first.max_pages > 1:
                second = await self._try_page(client, endpoint, shape, 2, problems)
                if second is None:
                    continue
                pages.append(second)
            log.info("codeso_request_shape_found", shape=shape.name, refused=problems)
            return shape, pages
        raise FormatChanged(
            "codeso query endpoint gave no valid answer to any known request shape: "
            + "; ".join(problems)
        )

    async def _try_page(
        self,
        client: PoliteClient,
        endpoint: QueryEndpoint,
        shape: RequestShape,
        page: int,
        problems: list[str],
    ) -> CardPage | None:
        try:
            parsed = await self._page(client, endpoint, shape, page)
        except FetchFailed as exc:
            if exc.status not in SHAPE_REFUSED:
                raise
            problems.append(f"{shape.name}: {exc.reason}")
            return None
        except FormatChanged as exc:
            problems.append(f"{shape.name}: {exc.reason}")
            return None
        if parsed.articles == 0:
            problems.append(f"{shape.name}: {_no_cards(page, parsed.max_pages)}")
            return None
        return parsed

    async def _page(
        self, client: PoliteClient, endpoint: QueryEndpoint, shape: RequestShape, page: int
    ) -> CardPage:
        answer = await self._post(client, endpoint, shape, page)
        return parse_query_answer(answer.text, page, self.origin + REGISTER_PATH)

    async def _post(
        self, client: PoliteClient, endpoint: QueryEndpoint, shape: RequestShape, page: int
    ) -> Page:
        """POST for `page` in `shape`; a refused nonce is renewed from the register page once."""
        while True:
            loop = endpoint.loop
            headers = {"X-WP-Nonce": loop.nonce, "Accept": "application/json"}
            try:
                if shape.form:
                    form = shape.form_body(loop.ql_id, page)
                    return await client.post(loop.endpoint, form=form, headers=headers)
                body = shape.json_body(loop.ql_id, page)
                return await client.post(loop.endpoint, json_body=body, headers=headers)
            except FetchFailed as exc:
                if exc.status != 403:
                    raise
                if endpoint.renewed:
                    raise FetchFailed(
                        f"POST {loop.endpoint} refused the nonce again (HTTP 403) after a fresh "
                        f"one was read from {REGISTER_PATH}",
                        403,
                    ) from exc
                endpoint.renewed = True
                endpoint.loop = await self.query_loop(client, fresh=True)

    async def query_loop(self, client: PoliteClient, *, fresh: bool = False) -> QueryLoop:
        page = await client.get(self.origin + REGISTER_PATH, fresh=fresh)
        return parse_register_page(page.text, page.url, self.origin)

    def _guard_size(self, parsed: CardPage) -> None:
        if parsed.max_pages > self.max_pages:
            raise FormatChanged(
                f"codeso register claims {parsed.max_pages} pages, more than {self.max_pages}"
            )

    def _page_count(self, parsed: CardPage, page: int, last: int, warnings: list[str]) -> int:
        self._guard_size(parsed)
        if page > 1 and parsed.max_pages != last:
            warnings.append(
                f"page {page}: the register now has {parsed.max_pages} pages instead of {last}"
            )
        if parsed.articles == 0:
            raise FormatChanged(_no_cards(page, parsed.max_pages))
        if not parsed.cards:
            raise FormatChanged(
                f"codeso register page {page}: none of the {parsed.articles} cards could be "
                f"read; first problem: {parsed.warnings[0]}"
            )
        return max(parsed.max_pages, page)

    async def _observe(
        self,
        client: PoliteClient,
        card: Card,
        today: date,
        known: Mapping[str, KnownHolding],
        warnings: list[str],
    ) -> Observation | None:
        reused = _reuse(known.get(card.holding_id), card, today, self.policy)
        if reused is not None:
            return reused
        notes: list[str] = []
        facts, source_url = ProfileFacts(), self.origin + REGISTER_PATH
        profile_url = self.profile_url(card.link)
        if profile_url is None:
            notes.append(f"profile link {truncate(card.link, 200)!r} leaves the site; not read")
        else:
            try:
                page = await client.get(profile_url)
            except FetchFailed as exc:
                if exc.status not in (404, 410):
                    raise
                notes.append(f"profile page answered HTTP {exc.status}; card facts only")
            else:
                facts, source_url = parse_profile(page.text, profile_url, notes), profile_url
        warnings.extend(f"{card.holding_id}: {note}" for note in notes)
        try:
            return observation(card, facts, source_url, today, self.policy)
        except ValidationError as exc:
            warnings.append(f"{card.holding_id}: skipped: {exc.errors()[0]['msg']}")
            return None

    def profile_url(self, link: str) -> str | None:
        """A card link's path on our own origin, or None when the link points at another site."""
        ours, theirs = urlsplit(self.origin), urlsplit(link)
        if _site_key(theirs.hostname, theirs.port) != _site_key(ours.hostname, ours.port):
            return None
        return self.origin + (theirs.path or "/") + (f"?{theirs.query}" if theirs.query else "")


def _reuse(
    prior: KnownHolding | None, card: Card, today: date, policy: LabelPolicy
) -> Observation | None:
    """The last run's observation when its card is unchanged, judged again by `policy` for
    `today`.

    A holding whose next assessment is near is not reused: once re-assessed, its profile shows
    the next date, which its card does not, and the registry would otherwise remind (and at
    the end delist) an enterprise that already renewed. Re-reading such a profile is one
    conditional GET."""
    if prior is None or prior.card != card.card_hash or prior.observation.label != "codeso":
        return None
    kept = prior.observation
    if kept.counts and kept.valid_until and kept.valid_until - today <= RENEWAL_HORIZON:
        return None
    still_counts = policy.counts(
        status=kept.status, level=kept.level, valid_until=kept.valid_until, today=today
    )
    if kept.counts and not still_counts:
        return None
    # The summary is on the card itself, so an observation kept from before summaries were
    # read still gets it without a profile request.
    return kept.model_copy(update={"counts": still_counts, "summary": card.summary})


def _no_cards(page: int, max_pages: int) -> str:
    return (
        f"codeso register page {page} of {max_pages} has no cards "
        "(article.kb-query-item); the format has probably changed"
    )


@dataclass
class QueryEndpoint:
    """The query loop a run asks, and whether its nonce was renewed yet (once per run)."""

    loop: QueryLoop
    renewed: bool = False


def _site_key(host: str | None, port: int | None) -> tuple[str, int | None]:
    """One site whatever the scheme, default port or `www.`; another port is another site."""
    return (host or "").lower().removeprefix("www."), None if port in (80, 443) else port


def observation(
    card: Card, facts: ProfileFacts, source_url: str, today: date, policy: LabelPolicy
) -> Observation:
    """A card and its profile facts as one observation, judged by `policy` for `today`
    (ValidationError when impossible)."""
    return Observation(
        label="codeso",
        holding_id=card.holding_id,
        name=card.name,
        place=card.place,
        kvk=facts.kvk,
        website=facts.website,
        level=None,
        status=card.status,
        valid_from=facts.valid_from,
        valid_until=facts.valid_until,
        counts=policy.counts(
            status=card.status, level=None, valid_until=facts.valid_until, today=today
        ),
        source_url=source_url,
        themes=card.themes,
        summary=card.summary,
    )
