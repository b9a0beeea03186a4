"""Code Sociale Ondernemingen: a WordPress register whose cards load through a Kadence REST call.

Format (see label-sources.md §2): `/register/` carries the `kbp_query_loop_rest_endpoint`
script variable (url + nonce) and `div.kb-query-loop[data-ql-id]`; the endpoint answers
`{"content", "page", "maxPages", "postCount"}` per page for a POST with `X-WP-Nonce`; cards
are `article.kb-query-item` (`.entry-title a`, `.so-plaats`, `.so-status`, `ul.so-impact li`);
each card's profile page holds `dl.so-gegevens`. Only this module knows that.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

from parsel import Selector
from pydantic import ValidationError

from contracts.labels import LabelName, Observation
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.normalise import (
    MAX_HOLDING_ID,
    MAX_NAME,
    MAX_PLACE,
    clean_text,
    normalise_website,
    parse_dutch_date,
    parse_month_end,
    split_kvk,
    token,
    truncate,
)
from services.scraper.sources.base import KnownHolding, SourceResult

REGISTER_PATH = "/register/"
STATUSES = frozenset({"geregistreerd", "aangevraagd", "aspirant"})
COUNTING_STATUS = "geregistreerd"
MAX_PAGES = 200
MAX_THEMES = 12
MAX_THEME = 80
_ENDPOINT_VAR = re.compile(r"\bkbp_query_loop_rest_endpoint\s*=\s*")
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,100}")
_QL_ID = re.compile(r"[0-9]{1,12}")
_SLUG = re.compile(r"[\w.-]+")
_STATUS_CLASS = re.compile(r"(?:^|\s)status-([a-z-]+)(?:\s|$)")
_DASHES = frozenset({"-", "–", "—"})
_VISIBLE_TEXT = (
    ".//text()[not(ancestor::script) and not(ancestor::style) "
    "and not(ancestor::noscript) and not(ancestor::template)]"
)
_PROFILE_FIELDS = {
    "kvk": "kvk",
    "kvk-nummer": "kvk",
    "kvk-nummers": "kvk",
    "website": "website",
    "geregistreerd-sinds": "since",
    "volgende-toetsing": "review",
}


class CardRejected(ValueError):
    """One card could not become a holding; the rest of the register still counts."""


@dataclass(frozen=True)
class QueryLoop:
    """How to ask the register's REST endpoint for cards: where, with which nonce, which loop."""

    endpoint: str
    nonce: str
    ql_id: int


@dataclass(frozen=True)
class Card:
    """One register card: the facts it shows, where its profile is, and a hash of it all."""

    holding_id: str
    name: str
    place: str | None
    status: str
    themes: tuple[str, ...]
    link: str
    card_hash: str


@dataclass
class CardPage:
    """One answer of the REST endpoint: its cards, per-card warnings and the page count."""

    cards: list[Card] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    articles: int = 0
    max_pages: int = 1


@dataclass(frozen=True)
class ProfileFacts:
    """What a profile page adds to its card."""

    kvk: tuple[str, ...] = ()
    website: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass
class CodesoSource:
    """Reads every card of the register through its REST endpoint, then new or changed profiles."""

    base_url: str
    max_pages: int = MAX_PAGES
    label: LabelName = field(default="codeso", init=False)

    @property
    def origin(self) -> str:
        """`scheme://host[:port]` of the register: every request goes here and nowhere else."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = {}
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
        loop = await self._query_loop(client)
        renewed = False
        cards: dict[str, Card] = {}
        page, last = 1, 1
        while page <= last:
            try:
                answer = await client.post(
                    loop.endpoint,
                    json_body={"ql_id": loop.ql_id, "paged": page},
                    headers={"X-WP-Nonce": loop.nonce, "Accept": "application/json"},
                )
            except FetchFailed as exc:
                if exc.status != 403:
                    raise
                if renewed:
                    raise FetchFailed(
                        f"POST {loop.endpoint} refused the nonce again (HTTP 403) after a fresh "
                        f"one was read from {REGISTER_PATH}",
                        403,
                    ) from exc
                renewed = True
                loop = await self._query_loop(client, fresh=True)
                continue
            parsed = parse_query_answer(answer.text, page, self.origin + REGISTER_PATH)
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

    async def _query_loop(self, client: PoliteClient, *, fresh: bool = False) -> QueryLoop:
        page = await client.get(self.origin + REGISTER_PATH, fresh=fresh)
        return parse_register_page(page.text, page.url, self.origin)

    def _page_count(self, parsed: CardPage, page: int, last: int, warnings: list[str]) -> int:
        if parsed.max_pages > self.max_pages:
            raise FormatChanged(
                f"codeso register claims {parsed.max_pages} pages, more than {self.max_pages}"
            )
        if page > 1 and parsed.max_pages != last:
            warnings.append(
                f"page {page}: the register now has {parsed.max_pages} pages instead of {last}"
            )
        if parsed.articles == 0:
            raise FormatChanged(
                f"codeso register page {page} of {parsed.max_pages} has no cards "
                "(article.kb-query-item); the format has probably changed"
            )
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
        reused = _reuse(known.get(card.holding_id), card, today)
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
            return observation(card, facts, source_url, today)
        except ValidationError as exc:
            warnings.append(f"{card.holding_id}: skipped: {exc.errors()[0]['msg']}")
            return None

    def profile_url(self, link: str) -> str | None:
        """A card link's path on our own origin, or None when the link points at another site."""
        ours, theirs = urlsplit(self.origin), urlsplit(link)
        if _site_key(theirs.hostname, theirs.port) != _site_key(ours.hostname, ours.port):
            return None
        return self.origin + (theirs.path or "/") + (f"?{theirs.query}" if theirs.query else "")


def _reuse(prior: KnownHolding | None, card: Card, today: date) -> Observation | None:
    """The last run's observation when its card is unchanged, judged again for `today`.

    A holding about to stop counting only because its assessment month has passed is not
    reused: its profile may show the next assessment, which its card does not."""
    if prior is None or prior.card != card.card_hash or prior.observation.label != "codeso":
        return None
    kept = prior.observation
    still_counts = counts(kept.status, kept.valid_until, today)
    if kept.counts and not still_counts:
        return None
    return kept.model_copy(update={"counts": still_counts})


def _site_key(host: str | None, port: int | None) -> tuple[str, int | None]:
    """One site whatever the scheme, default port or `www.`; another port is another site."""
    return (host or "").lower().removeprefix("www."), None if port in (80, 443) else port


def counts(status: str, valid_until: date | None, today: date) -> bool:
    """Whether a registration is a valid label on `today`."""
    return status == COUNTING_STATUS and (valid_until is None or valid_until >= today)


def observation(card: Card, facts: ProfileFacts, source_url: str, today: date) -> Observation:
    """A card and its profile facts as one observation (ValidationError when impossible)."""
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
        counts=counts(card.status, facts.valid_until, today),
        source_url=source_url,
        themes=card.themes,
    )


def parse_register_page(html: str, page_url: str, origin: str) -> QueryLoop:
    """The REST endpoint (on `origin`), nonce and query-loop id the register page announces."""
    page = Selector(text=html)
    settings = _endpoint_settings(page, page_url)
    nonce, url = settings.get("nonce"), settings.get("url")
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise FormatChanged(f"{page_url}: kbp_query_loop_rest_endpoint has no usable nonce")
    if not isinstance(url, str) or not url.strip():
        raise FormatChanged(f"{page_url}: kbp_query_loop_rest_endpoint has no url")
    parts = urlsplit(url.strip())
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        raise FormatChanged(f"{page_url}: REST endpoint {truncate(url, 200)!r} has no usable path")
    # Only the path is taken from the page: a host named there is never contacted.
    endpoint = origin + parts.path + (f"?{parts.query}" if parts.query else "")
    ql_id = (page.css("div.kb-query-loop::attr(data-ql-id)").get() or "").strip()
    if not _QL_ID.fullmatch(ql_id):
        raise FormatChanged(f"{page_url}: no div.kb-query-loop with a numeric data-ql-id")
    return QueryLoop(endpoint=endpoint, nonce=nonce, ql_id=int(ql_id))


def _endpoint_settings(page: Selector, page_url: str) -> dict[str, object]:
    for script in page.xpath("//script/text()").getall():
        match = _ENDPOINT_VAR.search(script)
        if match is None:
            continue
        try:
            value, _ = json.JSONDecoder().raw_decode(script, match.end())
        except ValueError:
            raise FormatChanged(
                f"{page_url}: kbp_query_loop_rest_endpoint is not valid JSON"
            ) from None
        if not isinstance(value, dict):
            raise FormatChanged(f"{page_url}: kbp_query_loop_rest_endpoint is not a JSON object")
        return value
    raise FormatChanged(f"{page_url}: no kbp_query_loop_rest_endpoint script on the page")


def parse_query_answer(text: str, page: int, register_url: str) -> CardPage:
    """One REST answer as cards; FormatChanged when it is not the JSON the register sends."""
    try:
        answer = json.loads(text)
    except ValueError:
        raise FormatChanged(f"codeso register page {page}: the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise FormatChanged(f"codeso register page {page}: the answer is not a JSON object")
    content = answer.get("content")
    if not isinstance(content, str):
        raise FormatChanged(f"codeso register page {page}: no HTML `content` in the answer")
    number = _page_number(answer, "page", page)
    if number != page:
        raise FormatChanged(f"codeso register answered page {number} when asked for {page}")
    parsed = parse_cards(content, register_url)
    parsed.max_pages = _page_number(answer, "maxPages", page)
    return parsed


def _page_number(answer: dict[str, object], name: str, page: int) -> int:
    value = answer.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
        raise FormatChanged(f"codeso register page {page}: `{name}` is {truncate(repr(value), 40)}")
    return value


def parse_cards(content: str, register_url: str) -> CardPage:
    """The cards in a REST answer's HTML fragment, with a warning for each unreadable one."""
    page = CardPage()
    for number, article in enumerate(Selector(text=content).css("article.kb-query-item"), 1):
        page.articles += 1
        try:
            card, notes = parse_card(article, register_url)
        except CardRejected as exc:
            page.warnings.append(f"card {number}: skipped: {exc}")
            continue
        page.cards.append(card)
        page.warnings.extend(f"{card.holding_id}: {note}" for note in notes)
    return page


def parse_card(article: Selector, register_url: str) -> tuple[Card, list[str]]:
    """One card, plus notes on what had to be dropped; CardRejected when it has no holding."""
    href = (article.css(".entry-title a::attr(href)").get() or "").strip()
    link = urljoin(register_url, href) if href else ""
    holding_id = _slug(link)
    if holding_id is None:
        raise CardRejected(f"no profile link with a slug ({truncate(href, 80)!r})")
    name = clean_text(_visible(article.css(".entry-title")), MAX_NAME)
    if not name:
        raise CardRejected(f"{holding_id} has no name")
    notes: list[str] = []
    status = _status(article, notes)
    themes = [clean_text(_visible(li), MAX_THEME) for li in article.css("ul.so-impact li")]
    unique = tuple(dict.fromkeys(t for t in themes if t))
    if len(unique) > MAX_THEMES:
        notes.append(f"{len(unique)} impact themes; the first {MAX_THEMES} kept")
    text = " ".join(_visible(article).split())
    card_hash = hashlib.sha256(f"{text}\n{link}".encode()).hexdigest()[:16]
    place = clean_text(_visible(article.css(".so-plaats")), MAX_PLACE)
    card = Card(holding_id, name, place, status, unique[:MAX_THEMES], link, card_hash)
    return card, notes


def _slug(link: str) -> str | None:
    segments = [s for s in urlsplit(link).path.split("/") if s]
    if not segments:
        return None
    slug = clean_text(unquote(segments[-1]), MAX_HOLDING_ID)
    return slug if slug and _SLUG.fullmatch(slug) else None


def _status(article: Selector, notes: list[str]) -> str:
    shown = token(clean_text(_visible(article.css(".so-status")), 100))
    if shown is None:
        match = _STATUS_CLASS.search(article.attrib.get("class", "").lower())
        shown = match.group(1) if match else None
    if shown is None:
        notes.append("no status published; does not count")
        return "onbekend"
    if shown not in STATUSES:
        notes.append(f"unknown status {shown!r}; does not count")
    return shown


def _visible(nodes: Selector | list[Selector]) -> str:
    """The visible text of a node (or of the first of several); "" when there is none."""
    node = nodes if isinstance(nodes, Selector) else next(iter(nodes), None)
    return "" if node is None else "".join(node.xpath(_VISIBLE_TEXT).getall())


def parse_profile(html: str, page_url: str, notes: list[str]) -> ProfileFacts:
    """KvK, website and dates from a profile's `dl.so-gegevens`; any of them may be absent."""
    lists = Selector(text=html).css("dl.so-gegevens")
    if not lists:
        raise FormatChanged(f"{page_url}: no dl.so-gegevens on the profile page")
    values: dict[str, Selector] = {}
    for term in lists[0].xpath("./dt | ./div/dt"):
        key = _PROFILE_FIELDS.get(token(clean_text(_visible(term), 100)) or "")
        definition = term.xpath("following-sibling::*[1][self::dd]")
        if key and definition and key not in values:
            values[key] = definition[0]
    kvk = split_kvk(_field_text(values.get("kvk")))
    notes.extend(f"dropped KvK number {bad!r}: not 8 digits" for bad in kvk.rejected)
    return ProfileFacts(
        kvk=kvk.valid,
        website=_website(values.get("website"), notes),
        valid_from=_date(values.get("since"), "geregistreerd sinds", notes),
        valid_until=_review_date(values.get("review"), notes),
    )


def _field_text(definition: Selector | None) -> str | None:
    text = clean_text(_visible(definition), 500) if definition is not None else None
    return None if text is None or text in _DASHES else text


def _website(definition: Selector | None, notes: list[str]) -> str | None:
    if definition is None:
        return None
    href = definition.css("a::attr(href)").get()
    text = _field_text(definition)
    website = normalise_website(href) or normalise_website(text)
    if website is None and (href or text):
        notes.append(f"website {truncate(href or text or '', 80)!r} unreadable; left empty")
    return website


def _date(definition: Selector | None, what: str, notes: list[str]) -> date | None:
    try:
        return parse_dutch_date(_field_text(definition))
    except ValueError as exc:
        notes.append(f"{what} unreadable ({exc}); left empty")
        return None


def _review_date(definition: Selector | None, notes: list[str]) -> date | None:
    text = _field_text(definition)
    try:
        return parse_month_end(text)
    except ValueError:
        return _date(definition, "volgende toetsing", notes)
