"""Social Enterprise NL: the member list behind a "load more" button, one profile per member.

Format (see label-sources.md §3): `GET /wie-doen-het/` holds `div#membershipCntr` with
`div.member` cards (a link to `/wie-doen-het/<slug>/`, the name in a span) and
`button#morenews` (data-action, data-page, data-nonce); `POST /wp-admin/admin-ajax.php`
(form: action, page, nonce) answers the next batch of cards, and an empty body after the last.
A profile has `h1.member-name` and `ul.member-facts` with `li.plaats`, `li.website`,
`li.lidmaatschap` (Lid / BOOST-lid) and `li.thema`s, any of them absent. Only this module
and `senl_parsing`, which holds the pure parsing of these pages, know that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

import structlog
from parsel import Selector

from contracts.labels import LabelName, Observation
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.normalise import clean_text, truncate
from services.scraper.policy import DEFAULT_LISTING_POLICY, LabelPolicy
from services.scraper.sources.base import NOTHING_KNOWN, KnownHolding, SourceResult
from services.scraper.sources.senl_parsing import (
    Batch,
    Card,
    LoadMore,
    RowRejected,
    parse_cards,
    parse_members_page,
    parse_profile,
)

MEMBERS_PATH = "/wie-doen-het/"
AJAX_PATH = "/wp-admin/admin-ajax.php"
# A list of 2,000 members in batches of eight has 250; a loop still stops.
MAX_BATCHES = 1000

log = structlog.get_logger()


@dataclass
class SenlSource:
    """Reads the member list (first batch, then load-more batches) and the members' profiles."""

    base_url: str
    max_batches: int = MAX_BATCHES
    policy: LabelPolicy = DEFAULT_LISTING_POLICY.senl
    label: LabelName = field(default="senl", init=False)

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = NOTHING_KNOWN
    ) -> SourceResult:
        """Every listed member; a profile is read only when its card is new or changed since
        the last good run. FormatChanged/FetchFailed when the list is not readable."""
        result = SourceResult()
        for card in await self._read_cards(client, result):
            observation = await self._observe(client, card, known.get(card.slug), today, result)
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
        self,
        client: PoliteClient,
        card: Card,
        known: KnownHolding | None,
        today: date,
        result: SourceResult,
    ) -> Observation | None:
        if known is not None and known.card == card.digest:
            previous = known.observation
            counts = self.policy.counts(
                status=previous.status,
                level=previous.level,
                valid_until=previous.valid_until,
                today=today,
            )
            return previous.model_copy(update={"counts": counts})
        page = await client.get(card.profile_url)
        result.pages += 1
        try:
            observation, notes = parse_profile(page.text, card, today, self.policy)
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
