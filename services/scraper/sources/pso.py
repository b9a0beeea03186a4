"""PSO (Prestatieladder Socialer Ondernemen): the paginated, server-rendered certificate register.

Format (see label-sources.md §1): `table.pso-register` rows carry `data-certificaat`; cells
`organisatie` (its link: the certificate's own page), `plaats`, `kvk`, `niveau`
(+ `span.pso30`), `ingang`, `geldig` (dd-mm-yyyy); the next page is `a[rel=next]`. Only this
module knows that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

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
    parse_dutch_date,
    split_kvk,
    token,
    truncate,
)
from services.scraper.policy import DEFAULT_LISTING_POLICY, LabelPolicy
from services.scraper.sources.base import NOTHING_KNOWN, KnownHolding, SourceResult

FIRST_PAGE = "/pso-register/?pagina=1"
LEVELS = frozenset({"aspirant", "basistrede", "trede-1", "trede-2", "trede-3"})
MAX_PAGES = 500
MAX_URL = 1000
_PSO30 = re.compile(r"pso\s*30\s*\+", re.I)


class RowRejected(ValueError):
    """One register row could not become an observation; the rest of the page still counts."""


@dataclass
class ParsedPage:
    """One register page: its observations, per-row warnings and the next page's link."""

    observations: list[Observation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    next_href: str | None = None
    rows: int = 0


@dataclass
class PsoSource:
    """Reads every page of the PSO register, following `rel=next`."""

    base_url: str
    max_pages: int = MAX_PAGES
    policy: LabelPolicy = DEFAULT_LISTING_POLICY.pso
    label: LabelName = field(default="pso", init=False)

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = NOTHING_KNOWN
    ) -> SourceResult:
        """Every certificate in the register; FormatChanged/FetchFailed when not readable.

        The register's rows hold every fact, so `known` is not needed here."""
        result = SourceResult()
        seen_ids: set[str] = set()
        visited: set[str] = set()
        url: str | None = urljoin(self.base_url, FIRST_PAGE)
        while url is not None:
            self._guard_pagination(url, visited, result.pages)
            page = await client.get(url)
            parsed = parse_register_page(page.text, page.url, today, self.policy)
            _check_page(parsed, page.url, first=result.pages == 0)
            result.pages += 1
            result.warnings.extend(parsed.warnings)
            for observation in parsed.observations:
                if observation.holding_id in seen_ids:
                    result.warnings.append(
                        f"{page.url}: certificate {observation.holding_id} "
                        "listed again on a later page; first kept"
                    )
                    continue
                seen_ids.add(observation.holding_id)
                result.observations.append(observation)
            url = self._next_url(parsed.next_href, page.url)
        return result

    def _guard_pagination(self, url: str, visited: set[str], pages_read: int) -> None:
        if url in visited:
            raise FormatChanged(f"PSO register pagination loops back to {url}")
        if pages_read >= self.max_pages:
            raise FormatChanged(f"PSO register has more than {self.max_pages} pages")
        visited.add(url)

    def _next_url(self, href: str | None, page_url: str) -> str | None:
        if not href:
            return None
        url = urljoin(page_url, href.strip())
        if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            raise FormatChanged(f"PSO register's next page leaves the site: {truncate(url, 200)}")
        return url


def _check_page(parsed: ParsedPage, url: str, *, first: bool) -> None:
    if first and parsed.rows == 0:
        raise FormatChanged(
            f"{url}: the register table is empty on page 1; the page format has probably changed"
        )
    if parsed.rows and not parsed.observations:
        raise FormatChanged(
            f"{url}: none of the {parsed.rows} rows could be read; "
            f"first problem: {parsed.warnings[0]}"
        )


def parse_register_page(
    html: str, page_url: str, today: date, policy: LabelPolicy = DEFAULT_LISTING_POLICY.pso
) -> ParsedPage:
    """The certificates on one register page, judged by `policy` for `today`; FormatChanged
    when the table is missing."""
    table = Selector(text=html).css("table.pso-register")
    if not table:
        raise FormatChanged(f"{page_url}: no table.pso-register on the page")
    page = ParsedPage(next_href=_next_href(Selector(text=html)))
    for number, row in enumerate(table[0].xpath("./tbody/tr[td] | ./tr[td]"), start=1):
        page.rows += 1
        try:
            observation, notes = parse_row(row, page_url, today, policy)
        except RowRejected as exc:
            page.warnings.append(f"{page_url} row {number}: skipped: {exc}")
            continue
        page.observations.append(observation)
        page.warnings.extend(f"{page_url} {observation.holding_id}: {n}" for n in notes)
    return page


def _next_href(page: Selector) -> str | None:
    href = (
        page.css('nav.pagination a[rel~="next"]::attr(href)').get()
        or page.css('a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)').get()
    )
    return href or None


def parse_row(
    row: Selector, page_url: str, today: date, policy: LabelPolicy = DEFAULT_LISTING_POLICY.pso
) -> tuple[Observation, list[str]]:
    """One register row as an observation, plus notes on fields that had to be dropped."""
    holding_id = clean_text(row.attrib.get("data-certificaat"), MAX_HOLDING_ID)
    if not holding_id:
        raise RowRejected("no certificate number (data-certificaat)")
    name = clean_text(_cell_text(row, "organisatie"), MAX_NAME)
    if not name:
        raise RowRejected(f"certificate {holding_id} has no organisation name")
    notes: list[str] = []
    kvk = split_kvk(_cell_text(row, "kvk"))
    notes.extend(f"dropped KvK number {bad!r}: not 8 digits" for bad in kvk.rejected)
    level, pso30plus = _level(_cell_text(row, "niveau"), row, notes)
    valid_from = _date(_cell_text(row, "ingang"), "ingangsdatum", notes)
    valid_until = _date(_cell_text(row, "geldig"), "geldig tot", notes)
    # The register lists aspirants among the certified; their level is their status.
    status = "aspirant" if level == "aspirant" else "gecertificeerd"
    counts = policy.counts(status=status, level=level, valid_until=valid_until, today=today)
    try:
        observation = Observation(
            label="pso",
            holding_id=holding_id,
            name=name,
            place=clean_text(_cell_text(row, "plaats"), MAX_PLACE),
            kvk=kvk.valid,
            level=level,
            pso30plus=pso30plus,
            status=status,
            valid_from=valid_from,
            valid_until=valid_until,
            counts=counts,
            source_url=_entry_url(row, page_url),
        )
    except ValidationError as exc:
        raise RowRejected(f"certificate {holding_id}: {exc.errors()[0]['msg']}") from None
    return observation, notes


def _entry_url(row: Selector, page_url: str) -> str:
    """The certificate's own page in the register (the organisation's link), so buyers land on
    that one entry; the register page the row was read from when the link is missing or
    leads off the register's site."""
    href = _cells(row, "organisatie").xpath(".//a/@href").get()
    if not href:
        return page_url
    url = urljoin(page_url, href.strip())
    parts, page = urlsplit(url), urlsplit(page_url)
    on_site = parts.scheme in ("http", "https") and parts.netloc == page.netloc
    return url if on_site and len(url) <= MAX_URL else page_url


def _cells(row: Selector, cls: str) -> SelectorList[Selector]:
    return row.xpath(f"./td[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")


def _cell_text(row: Selector, cls: str) -> str | None:
    cells = _cells(row, cls)
    if not cells:
        return None
    return "".join(cells[0].xpath(VISIBLE_TEXT).getall())


def _level(text: str | None, row: Selector, notes: list[str]) -> tuple[str | None, bool]:
    cleaned = clean_text(text, 500) or ""
    pso30plus = bool(row.css("td.niveau .pso30")) or bool(_PSO30.search(cleaned))
    level = token(_PSO30.sub(" ", cleaned), MAX_LEVEL)
    if level is None:
        notes.append("no level published")
    elif level not in LEVELS:
        notes.append(f"unknown level {level!r}; kept as published")
    return level, pso30plus


def _date(text: str | None, what: str, notes: list[str]) -> date | None:
    try:
        return parse_dutch_date(clean_text(text, 100))
    except ValueError as exc:
        notes.append(f"{what} unreadable ({exc}); left empty")
        return None
