"""Pure parsing of Social Enterprise NL's pages, used by `senl`.

The member list's first batch and load-more button, the `div.member` cards of a list page or
load-more answer, and a member's profile as an observation; no fetching happens here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from pydantic import ValidationError

from contracts.labels import Observation
from services.scraper.errors import FormatChanged
from services.scraper.normalise import (
    MAX_NAME,
    MAX_PLACE,
    VISIBLE_TEXT,
    clean_summary,
    clean_text,
    normalise_website,
    token,
    truncate,
)
from services.scraper.policy import DEFAULT_LISTING_POLICY, LabelPolicy

MAX_THEMES = 20
MAX_THEME = 80
# Membership kinds as published (normalised, hyphens dropped) -> level.
KINDS = {"lid": "lid", "boostlid": "boost", "boost": "boost"}
STATUS = "lid"  # the list shows members only; no status is published
_SLUG_PATH = re.compile(r"/wie-doen-het/([A-Za-z0-9%._~-]{1,120})/?")
_ACTION = re.compile(r"[A-Za-z0-9_-]{1,100}")
_PAGE = re.compile(r"[0-9]{1,6}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


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


def parse_profile(
    html: str, card: Card, today: date, policy: LabelPolicy = DEFAULT_LISTING_POLICY.senl
) -> tuple[Observation, list[str]]:
    """A member's profile as an observation judged by `policy` for `today`, plus notes on
    facts that were absent or odd."""
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
            status=STATUS,
            counts=policy.counts(status=STATUS, level=level, valid_until=None, today=today),
            source_url=card.profile_url,
            themes=_themes(facts, notes),
            summary=clean_summary(page.css("div.member-description").get()),
        )
    except ValidationError as exc:
        raise RowRejected(f"member {card.slug}: {exc.errors()[0]['msg']}") from None
    return observation, notes


def _items(facts: Selector | None, cls: str) -> list[Selector]:
    if facts is None:
        return []
    return list(
        facts.xpath(f".//li[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")
    )


def _text(element: Selector) -> str:
    return "".join(element.xpath(VISIBLE_TEXT).getall())


def _first_text(facts: Selector | None, cls: str) -> str | None:
    items = _items(facts, cls)
    return _text(items[0]) if items else None


def _membership(facts: Selector | None, notes: list[str]) -> str | None:
    kind = token(clean_text(_first_text(facts, "lidmaatschap"), 200))
    if kind is None:
        notes.append("no membership kind published")
        return None
    level = KINDS.get(kind.replace("-", ""))
    if level is None:
        notes.append(f"unknown membership kind {kind!r}; kept as published")
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
