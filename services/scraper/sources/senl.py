"""Social Enterprise NL: the member list behind a "load more" button, one profile per member.

Format (see label-sources.md §3): `GET /wie-doen-het/` holds `div#membershipCntr` with
`div.member` cards (a link to `/wie-doen-het/<slug>/`, the name in a span) and
`button#morenews` (data-action, data-page, data-nonce); `POST /wp-admin/admin-ajax.php`
(form: action, page, nonce) answers the next batch of cards, and an empty body after the last.
A profile has `h1.member-name` and `ul.member-facts` with `li.plaats`, `li.website`,
`li.lidmaatschap` (Lid / BOOST-lid) and `li.thema`s, any of them absent. Only this module
knows that.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

import structlog
from parsel import Selector
from pydantic import ValidationError

from contracts.labels import LabelName, Observation
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.normalise import (
    MAX_NAME,
    MAX_PLACE,
    clean_text,
    normalise_website,
    token,
    truncate,
)
from services.scraper.sources.base import KnownHolding, SourceResult

MEMBERS_PATH = "/wie-doen-het/"
AJAX_PATH = "/wp-admin/admin-ajax.php"
MAX_BATCHES = 200
MAX_THEMES = 20
MAX_THEME = 80
# Membership kinds as published (normalised, hyphens dropped) -> level; both kinds count.
KINDS = {"lid": "lid", "boostlid": "boost", "boost": "boost"}
COUNTING_LEVELS = frozenset(KINDS.values())
_SLUG_PATH = re.compile(r"/wie-doen-het/([A-Za-z0-9%._~-]{1,120})/?")
_ACTION = re.compile(r"[A-Za-z0-9_-]{1,100}")
_PAGE = re.compile(r"[0-9]{1,6}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_VISIBLE_TEXT = (
    ".//text()[not(ancestor::script) and not(ancestor::style) "
    "and not(ancestor::noscript) and not(ancestor::template)]"
)

log = structlog.get_logger()


class RowRejected(ValueError):
    """One member could not become an observation; the other members still count."""


@dataclass(frozen=True)
class Card:
    """A member's entry on the list: its slug, name, profile and a hash of what it shows."""

    slug: str
    name: str | None
    profile_url: str
    digest: str


@dataclass(frozen=True)
class LoadMore:
    """What the load-more button posts to admin-ajax.php, and the first page it asks for."""

    action: str
    page: int
    nonce: str


@dataclass
class Batch:
    """The member cards of the list page or of one load-more answer, with per-card warnings."""

    cards: list[Card] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entries: int = 0


@dataclass
class SenlSource:
    """Reads the member list (first batch, then load-more batches) and the members' profiles."""

    base_url: str
    max_batches: int = MAX_BATCHES
    label: LabelName = field(default="senl", init=False)

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = {}
    ) -> SourceResult:
        """Every listed member; a profile is read only when its card is new or changed since
        the last good run. FormatChanged/FetchFailed when the list is not readable."""
        result = SourceResult()
        for card in await self._read_cards(client, result):
            observation = await self._observe(client, card, known.get(card.slug), result)
            if observation is not None:
                result.observations.append(observation)
                result.cards[card.slug] = card.digest
        return result

    @property
    def list_url(self) -> str:
        """The member list; profile links are resolved against it and must stay on its host."""
        return urljoin(self.base_url, MEMBERS_PATH)

    async def _read_cards(self, client: PoliteClient, result: SourceResult) -> list[Card]:
        warnings_before = len(result.warnings)
        try:
            return await self._read_list(client, result, fresh=False)
        except FetchFailed as exc:
            if exc.status != 403:
                raise
            # The stored list page (a 304) may carry an expired nonce: read it anew, once.
            log.info("senl_nonce_renewed")
            del result.warnings[warnings_before:]
            return await self._read_list(client, result, fresh=True)

    async def _read_list(
        self, client: PoliteClient, result: SourceResult, *, fresh: bool
    ) -> list[Card]:
        page = await client.get(self.list_url, fresh=fresh)
        result.pages += 1
        first, more = parse_members_page(page.text, self.list_url)
        cards: dict[str, Card] = {}
        _collect(first, self.list_url, cards, result.warnings)
        await self._load_more(client, more, cards, result)
        return list(cards.values())

    async def _load_more(
        self, client: PoliteClient, more: LoadMore, cards: dict[str, Card], result: SourceResult
    ) -> None:
        ajax_url = urljoin(self.base_url, AJAX_PATH)
        for number in range(more.page, more.page + self.max_batches):
            form = {"action": more.action, "page": str(number), "nonce": more.nonce}
            answer = await client.post(ajax_url, form=form)
            result.pages += 1
            if not answer.text.strip():
                return
            where = f"{ajax_url} (load-more page {number})"
            batch = parse_cards(Selector(text=answer.text), where, self.list_url)
            if batch.entries == 0:
                shown = truncate(clean_text(answer.text, 200) or "", 80)
                raise FormatChanged(f"{where}: answered {shown!r}, not member cards")
            if _collect(batch, where, cards, result.warnings) == 0:
                raise FormatChanged(
                    f"{where} only repeats members already read; the load-more loops"
                )
        raise FormatChanged(f"{self.list_url}: more than {self.max_batches} load-more batches")

    async def _observe(
        self, client: PoliteClient, card: Card, known: KnownHolding | None, result: SourceResult
    ) -> Observation | None:
        if known is not None and known.card == card.digest:
            previous = known.observation
            return previous.model_copy(update={"counts": counts_for(previous.level)})
        page = await client.get(card.profile_url)
        result.pages += 1
        try:
            observation, notes = parse_profile(page.text, card)
        except RowRejected as exc:
            result.warnings.append(f"{card.profile_url}: skipped: {exc}")
            return None
        result.warnings.extend(f"{card.profile_url}: {note}" for note in notes)
        return observation


def _collect(batch: Batch, where: str, cards: dict[str, Card], warnings: list[str]) -> int:
    """Add a batch's cards not seen before; returns how many were new."""
    warnings.extend(batch.warnings)
    if batch.entries and not batch.cards:
        raise FormatChanged(
            f"{where}: none of the {batch.entries} member cards could be read; "
            f"first problem: {batch.warnings[0]}"
        )
    new = 0
    for card in batch.cards:
        if card.slug in cards:
            warnings.append(f"{where}: member {card.slug} listed again; first kept")
            continue
        cards[card.slug] = card
        new += 1
    return new


def parse_members_page(html: str, list_url: str) -> tuple[Batch, LoadMore]:
    """The first batch of cards and the load-more button; FormatChanged when either is gone."""
    page = Selector(text=html)
    container = page.css("div#membershipCntr")
    if not container:
        raise FormatChanged(f"{list_url}: no div#membershipCntr on the page")
    first = parse_cards(container[0], list_url, list_url)
    if first.entries == 0:
        raise FormatChanged(
            f"{list_url}: no members in div#membershipCntr; the page format has probably changed"
        )
    return first, _load_more_button(page, list_url)


def _load_more_button(page: Selector, list_url: str) -> LoadMore:
    buttons = page.css("button#morenews")
    if not buttons:
        raise FormatChanged(f"{list_url}: no load-more button (button#morenews)")
    attrs = buttons[0].attrib
    action, number, nonce = (
        attrs.get(f"data-{a}", "").strip() for a in ("action", "page", "nonce")
    )
    if not (_ACTION.fullmatch(action) and _PAGE.fullmatch(number) and _NONCE.fullmatch(nonce)):
        raise FormatChanged(
            f"{list_url}: the load-more button's data-action, data-page or data-nonce "
            "is missing or unreadable"
        )
    return LoadMore(action, int(number), nonce)


def parse_cards(scope: Selector, where: str, list_url: str) -> Batch:
    """Every `div.member` card under `scope`; unreadable cards become warnings."""
    batch = Batch()
    for number, element in enumerate(scope.css("div.member"), start=1):
        batch.entries += 1
        try:
            batch.cards.append(parse_card(element, list_url))
        except RowRejected as exc:
            batch.warnings.append(f"{where} member {number}: skipped: {exc}")
    return batch


def parse_card(element: Selector, list_url: str) -> Card:
    """One card: its profile link must be `/wie-doen-het/<slug>/` on the list's own host."""
    href = (element.css("a::attr(href)").get() or "").strip()
    if not href:
        raise RowRejected("no profile link")
    url = urljoin(list_url, href)
    parts = urlsplit(url)
    if parts.netloc != urlsplit(list_url).netloc:
        raise RowRejected(f"profile link leaves the site ({truncate(url, 120)}); not followed")
    match = _SLUG_PATH.fullmatch(parts.path)
    if match is None:
        raise RowRejected(f"link {truncate(parts.path, 120)!r} is not a member profile")
    slug = match.group(1)
    spans = element.xpath(".//span")
    name = clean_text(_text(spans[0]), MAX_NAME) if spans else None
    profile_url = urljoin(list_url, f"{slug}/")
    digest = hashlib.sha256(f"{name or ''}\n{profile_url}".encode()).hexdigest()[:16]
    return Card(slug, name, profile_url, digest)


def parse_profile(html: str, card: Card) -> tuple[Observation, list[str]]:
    """A member's profile as an observation, plus notes on facts that were absent or odd."""
    page = Selector(text=html)
    headings, facts_lists = page.css("h1.member-name"), page.css("ul.member-facts")
    if not headings and not facts_lists:
        raise FormatChanged(
            f"{card.profile_url}: no h1.member-name or ul.member-facts; "
            "the profile page format has probably changed"
        )
    notes: list[str] = []
    name = clean_text(_text(headings[0]), MAX_NAME) if headings else None
    if name is None:
        if card.name is None:
            raise RowRejected("no name on the profile or in the member list")
        name = card.name
        notes.append("no name on the profile; the member list's name used")
    facts = facts_lists[0] if facts_lists else None
    if facts is None:
        notes.append("no member facts (ul.member-facts) on the profile")
    level = _membership(facts, notes)
    try:
        observation = Observation(
            label="senl",
            holding_id=card.slug,
            name=name,
            place=clean_text(_first_text(facts, "plaats"), MAX_PLACE),
            website=_website(facts, notes),
            level=level,
            status="lid",
            counts=counts_for(level),
            source_url=card.profile_url,
            themes=_themes(facts, notes),
        )
    except ValidationError as exc:
        raise RowRejected(f"member {card.slug}: {exc.errors()[0]['msg']}") from None
    return observation, notes


def counts_for(level: str | None) -> bool:
    """Both membership kinds count; a listed member whose kind is not published counts too."""
    return level is None or level in COUNTING_LEVELS


def _items(facts: Selector | None, cls: str) -> list[Selector]:
    if facts is None:
        return []
    return list(
        facts.xpath(f".//li[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")
    )


def _text(element: Selector) -> str:
    return "".join(element.xpath(_VISIBLE_TEXT).getall())


def _first_text(facts: Selector | None, cls: str) -> str | None:
    items = _items(facts, cls)
    return _text(items[0]) if items else None


def _membership(facts: Selector | None, notes: list[str]) -> str | None:
    kind = token(clean_text(_first_text(facts, "lidmaatschap"), 200))
    if kind is None:
        notes.append("no membership kind published; counted as a listed member")
        return None
    level = KINDS.get(kind.replace("-", ""))
    if level is None:
        notes.append(f"unknown membership kind {kind!r}; kept as published, not counted")
        return kind
    return level


def _website(facts: Selector | None, notes: list[str]) -> str | None:
    items = _items(facts, "website")
    if not items:
        return None
    href = items[0].css("a::attr(href)").get()
    website = normalise_website(href) or normalise_website(_text(items[0]))
    if website is None:
        notes.append("website unreadable; left empty")
    return website


def _themes(facts: Selector | None, notes: list[str]) -> tuple[str, ...]:
    themes: list[str] = []
    for item in _items(facts, "thema"):
        theme = clean_text(_text(item), MAX_THEME)
        if theme and theme not in themes:
            themes.append(theme)
    if len(themes) > MAX_THEMES:
        notes.append(f"{len(themes)} themes published; the first {MAX_THEMES} kept")
    return tuple(themes[:MAX_THEMES])
