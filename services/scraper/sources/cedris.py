"""Cedris leerwerkbedrijven: the member list of the association of inclusive employers.

Format (see label-sources.md §4): one server-rendered page, `GET /leden/`, with one
`section.leden-provincie` (`data-provincie`) per province holding `ul.leden > li.lid`;
`data-lid` is the member id, `a.lid__naam` its name (the href is the member's own website),
`span.lid__plaats` and `span.lid__type`, which becomes the level (`leerwerkbedrijf`, ...) that
the listing policy judges. Only this module knows that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

from parsel import Selector, SelectorList
from pydantic import ValidationError

from contracts.labels import LabelName, Observation
from services.scraper.errors import FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.normalise import (
    MAX_HOLDING_ID,
    MAX_LEVEL,
    MAX_NAME,
    MAX_PLACE,
    VISIBLE_TEXT,
    clean_text,
    normalise_website,
    token,
    truncate,
)
from services.scraper.policy import DEFAULT_LISTING_POLICY, LabelPolicy
from services.scraper.sources.base import NOTHING_KNOWN, KnownHolding, SourceResult

MEMBERS_PAGE = "/leden/"
MEMBER_TYPES = frozenset(
    {"leerwerkbedrijf", "sociaal-ontwikkelbedrijf", "gemeente", "sociale-onderneming", "overig"}
)
STATUS = "lid"  # the page lists members only; no status is published
MAX_PROVINCE = 60


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_SECTIONS = f"//section[{_has_class('leden-provincie')}][not(ancestor::template)]"
_LISTS = f".//ul[{_has_class('leden')}][not(ancestor::template)]"
_ITEMS = f"./li[{_has_class('lid')}]"
_NAME = f".//*[{_has_class('lid__naam')}]"
_PLACE = f".//*[{_has_class('lid__plaats')}]"
_TYPE = f".//*[{_has_class('lid__type')}]"


class MemberRejected(ValueError):
    """One member entry could not become an observation; the rest of the page still counts."""


@dataclass(frozen=True)
class Member:
    """One member as read: its observation and the province section it was listed under.

    The province is context for a later issue (regions); it is not an observation field, so
    a member moving between sections changes nothing that is published."""

    observation: Observation
    province: str | None


@dataclass
class ParsedPage:
    """The member page: one entry per member id (first listing kept) and per-entry warnings."""

    members: list[Member] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: int = 0
    first_problem: str | None = None
    _by_id: dict[str, Member] = field(default_factory=dict, init=False, repr=False)

    def reject(self, warning: str) -> None:
        """Record a member entry that could not be read."""
        self.warnings.append(warning)
        self.first_problem = self.first_problem or warning

    def add(self, member: Member, page_url: str) -> bool:
        """Keep `member` unless its id was listed before (then warn); whether it was kept."""
        holding_id = member.observation.holding_id
        first = self._by_id.get(holding_id)
        if first is None:
            self._by_id[holding_id] = member
            self.members.append(member)
            return True
        self.warnings.append(
            f"{page_url}: member {holding_id} listed again under {member.province!r} "
            f"(first under {first.province!r}); first kept"
        )
        return False


@dataclass
class CedrisSource:
    """Reads the one Cedris member page (a conditional GET: unchanged means a 304)."""

    base_url: str
    policy: LabelPolicy = DEFAULT_LISTING_POLICY.cedris
    label: LabelName = field(default="cedris", init=False)

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = NOTHING_KNOWN
    ) -> SourceResult:
        """Every member on /leden/; FormatChanged/FetchFailed when not readable.

        Every fact is on the one listing page and no fact is dated, so this adapter keeps no
        cards, ignores `known`, and `today` changes nothing."""
        page = await client.get(urljoin(self.base_url, MEMBERS_PAGE))
        parsed = parse_members_page(
            page.text, page.url, today, registry_site=self.base_url, policy=self.policy
        )
        return SourceResult(
            observations=[member.observation for member in parsed.members],
            warnings=parsed.warnings,
            pages=1,
        )


def parse_members_page(
    html: str,
    page_url: str,
    today: date,
    registry_site: str | None = None,
    policy: LabelPolicy = DEFAULT_LISTING_POLICY.cedris,
) -> ParsedPage:
    """The members on the page, all province sections together, judged by `policy`;
    FormatChanged when the sections or their lists are missing, or no member can be read.
    Links to `registry_site` are not members' websites."""
    sections = Selector(text=html).xpath(_SECTIONS)
    if not sections:
        raise FormatChanged(f"{page_url}: no section.leden-provincie on the page")
    own_site = normalise_website(registry_site)
    page = ParsedPage()
    for number, section in enumerate(sections, start=1):
        province = _province(section)
        if province is None:
            page.warnings.append(f"{page_url}: province section {number} names no province")
        where = province or f"section {number}"
        for item in _member_items(section, where, page_url):
            page.items += 1
            try:
                observation, notes = parse_member(item, page_url, today, own_site, policy)
            except MemberRejected as exc:
                page.reject(f"{page_url} ({where}): member skipped: {exc}")
                continue
            if page.add(Member(observation, province), page_url):
                page.warnings.extend(f"{page_url} {observation.holding_id}: {n}" for n in notes)
    _check_page(page, page_url)
    return page


def _province(section: Selector) -> str | None:
    return clean_text(section.attrib.get("data-provincie"), MAX_PROVINCE) or clean_text(
        _visible_text(section.xpath(".//h2")), MAX_PROVINCE
    )


def _member_items(section: Selector, where: str, page_url: str) -> SelectorList[Selector]:
    lists = section.xpath(_LISTS)
    if not lists:
        raise FormatChanged(f"{page_url}: province {where!r} has no ul.leden")
    items: SelectorList[Selector] = lists.xpath(_ITEMS)
    if not items and lists.xpath("./li"):
        raise FormatChanged(f"{page_url}: province {where!r} lists entries that are not li.lid")
    return items


def _check_page(page: ParsedPage, url: str) -> None:
    if page.items == 0:
        raise FormatChanged(
            f"{url}: the member lists are empty; the page format has probably changed"
        )
    if not page.members:
        raise FormatChanged(
            f"{url}: none of the {page.items} members could be read; "
            f"first problem: {page.first_problem}"
        )


def parse_member(
    item: Selector,
    page_url: str,
    today: date,
    own_site: str | None = None,
    policy: LabelPolicy = DEFAULT_LISTING_POLICY.cedris,
) -> tuple[Observation, list[str]]:
    """One `li.lid` as an observation judged by `policy`, plus notes on fields that had to be
    dropped."""
    holding_id = clean_text(item.attrib.get("data-lid"), MAX_HOLDING_ID)
    if not holding_id:
        raise MemberRejected("no member id (data-lid)")
    names = item.xpath(_NAME)
    name = clean_text(_visible_text(names), MAX_NAME)
    if not name:
        raise MemberRejected(f"member {holding_id} has no name")
    notes: list[str] = []
    level = _member_type(_visible_text(item.xpath(_TYPE)), notes)
    href = names[0].xpath("self::a/@href").get()
    try:
        observation = Observation(
            label="cedris",
            holding_id=holding_id,
            name=name,
            place=clean_text(_visible_text(item.xpath(_PLACE)), MAX_PLACE),
            website=_website(href, own_site, notes),
            level=level,
            status=STATUS,
            counts=policy.counts(status=STATUS, level=level, valid_until=None, today=today),
            source_url=page_url,
        )
    except ValidationError as exc:
        raise MemberRejected(f"member {holding_id}: {exc.errors()[0]['msg']}") from None
    return observation, notes


def _visible_text(elements: SelectorList[Selector]) -> str | None:
    if not elements:
        return None
    return "".join(elements[0].xpath(VISIBLE_TEXT).getall())


def _member_type(text: str | None, notes: list[str]) -> str | None:
    level = token(clean_text(text, 200), MAX_LEVEL)
    if level is None:
        notes.append("no member type published")
    elif level not in MEMBER_TYPES:
        notes.append(f"unknown member type {level!r}; kept as published")
    return level


def _website(href: str | None, own_site: str | None, notes: list[str]) -> str | None:
    raw = clean_text(href, 500)
    if not raw:
        return None
    if raw.startswith(("/", "#", "?", ".")) and not raw.startswith("//"):
        notes.append("link points into the registry's own site; no website")
        return None
    website = normalise_website(raw)
    if website is None:
        notes.append(f"link {truncate(raw, 80)!r} is not a website address; left empty")
    elif website == own_site:
        notes.append("link points at the registry's own site; no website")
        return None
    return website
