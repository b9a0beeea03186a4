"""Pure parsing of the Code Sociale Ondernemingen register's pages, used by `codeso`.

The register page's REST settings, the endpoint's JSON answers with their card fragments, and
a profile's `dl.so-gegevens`, each read into a small dataclass; no fetching happens here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

from parsel import Selector

from services.scraper.errors import FormatChanged
from services.scraper.normalise import (
    MAX_HOLDING_ID,
    MAX_NAME,
    MAX_PLACE,
    VISIBLE_TEXT,
    clean_summary,
    clean_text,
    normalise_website,
    parse_dutch_date,
    parse_month_end,
    split_kvk,
    token,
    truncate,
)

STATUSES = frozenset({"geregistreerd", "aangevraagd", "aspirant"})
MAX_THEMES = 12
MAX_THEME = 80
_ENDPOINT_VAR = re.compile(r"\bkbp_query_loop_rest_endpoint\s*=\s*")
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,100}")
_QL_ID = re.compile(r"[0-9]{1,12}")
_SLUG = re.compile(r"[\w.-]+")
_STATUS_CLASS = re.compile(r"(?:^|\s)status-([a-z-]+)(?:\s|$)")
_DASHES = frozenset({"-", "–", "—"})
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
    summary: str | None = None


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
    summary = clean_summary(article.css("div.entry-excerpt").get())
    card = Card(holding_id, name, place, status, unique[:MAX_THEMES], link, card_hash, summary)
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
        notes.append("no status published; kept as 'onbekend'")
        return "onbekend"
    if shown not in STATUSES:
        notes.append(f"unknown status {shown!r}; kept as published")
    return shown


def _visible(nodes: Selector | list[Selector]) -> str:
    """The visible text of a node (or of the first of several); "" when there is none."""
    node = nodes if isinstance(nodes, Selector) else next(iter(nodes), None)
    return "" if node is None else "".join(node.xpath(VISIBLE_TEXT).getall())


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
