"""`scrape senl --check`: the member list, its load-more button and answer, one profile."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

from parsel import Selector

from services.scraper.check_report import CheckReport, fetched
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.sources.senl import AJAX_PATH, SenlSource
from services.scraper.sources.senl_parsing import (
    Card,
    RowRejected,
    parse_cards,
    parse_members_page,
    parse_profile,
)

PROFILE_FACTS = ("plaats", "website", "lidmaatschap", "thema")


async def check(client: PoliteClient, source: SenlSource, report: CheckReport) -> None:
    """List page, member cards, load-more button and its answer, the first profile."""
    page = await fetched(report, client, "member list page", source.list_url)
    if page is None:
        return
    html = Selector(text=page.text)
    container = html.css("div#membershipCntr")
    report.add("member list (div#membershipCntr)", bool(container))
    report.add(
        "member cards (div.member)",
        bool(container.css("div.member")),
        f"{len(container.css('div.member'))}",
    )
    button = html.css("button#morenews")
    report.add("load-more button (button#morenews)", bool(button))
    try:
        first, more = parse_members_page(page.text, source.list_url)
    except FormatChanged as exc:
        report.add("members and load-more settings the adapter reads", False, exc.reason)
        return
    report.count("members the adapter reads", len(first.cards), first.entries)
    form = {"action": more.action, "page": str(more.page), "nonce": more.nonce}
    where = urljoin(source.base_url, AJAX_PATH)
    try:
        answer = await client.post(where, form=form)
    except FetchFailed as exc:
        report.add(f"load-more answer (POST {AJAX_PATH})", False, exc.reason)
        return
    batch = parse_cards(Selector(text=answer.text), where, source.list_url)
    report.add(
        f"load-more answer (POST {AJAX_PATH})",
        bool(batch.cards) or not answer.text.strip(),
        f"page {more.page}: {len(batch.cards)} members"
        if answer.text.strip()
        else "empty: no more members",
    )
    if first.cards:
        await _check_profile(client, source, first.cards[0], report)


async def _check_profile(
    client: PoliteClient, source: SenlSource, card: Card, report: CheckReport
) -> None:
    profile = await fetched(report, client, "profile page", card.profile_url, essential=False)
    if profile is None:
        return
    html = Selector(text=profile.text)
    report.add("member name (h1.member-name)", bool(html.css("h1.member-name")), essential=False)
    facts = [cls for cls in PROFILE_FACTS if html.css(f"ul.member-facts li.{cls}")]
    report.add("member facts (ul.member-facts li)", bool(facts), ", ".join(facts), essential=False)
    try:
        parse_profile(profile.text, card, date.today(), source.policy)
    except (RowRejected, FormatChanged) as exc:
        report.add("profile the adapter reads", False, str(exc), essential=False)
