"""`scrape codeso --check`: the register page's REST settings, the query endpoint (and which
request shape it understands), the cards, and one profile."""

from __future__ import annotations

from parsel import Selector

from services.scraper.check_report import CheckReport, fetched
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.sources.codeso import REGISTER_PATH, CodesoSource, QueryEndpoint
from services.scraper.sources.codeso_parsing import _ENDPOINT_VAR, parse_register_page


async def check(client: PoliteClient, source: CodesoSource, report: CheckReport) -> None:
    """Register page, REST settings, query endpoint and shape, cards, first profile."""
    page = await fetched(report, client, "register page", source.origin + REGISTER_PATH)
    if page is None:
        return
    html = Selector(text=page.text)
    scripts = html.xpath("//script/text()").getall()
    report.add(
        "REST settings (kbp_query_loop_rest_endpoint)",
        any(_ENDPOINT_VAR.search(script) for script in scripts),
    )
    report.add(
        "query loop (div.kb-query-loop[data-ql-id])",
        bool(html.css("div.kb-query-loop[data-ql-id]")),
    )
    try:
        loop = parse_register_page(page.text, page.url, source.origin)
    except FormatChanged as exc:
        report.add("query endpoint and nonce", False, exc.reason)
        return
    try:
        shape, answers = await source.find_shape(client, QueryEndpoint(loop))
    except (FetchFailed, FormatChanged) as exc:
        report.add("query endpoint (POST, any known request shape)", False, exc.reason)
        return
    first = answers[0]
    report.add(
        "query endpoint (POST)",
        True,
        f'request shape "{shape.name}", {first.max_pages} page(s)',
    )
    cards = first.cards
    report.count("cards (article.kb-query-item) the adapter reads", len(cards), first.articles)
    report.count(
        "place (.so-plaats)", sum(1 for c in cards if c.place), len(cards), essential=False
    )
    report.count(
        "impact areas (ul.so-impact li)",
        sum(1 for c in cards if c.themes),
        len(cards),
        essential=False,
    )
    profile_url = source.profile_url(cards[0].link) if cards else None
    if profile_url is None:
        report.add(
            "profile link (.entry-title a)", False, "no card links to this site", essential=False
        )
        return
    profile = await fetched(report, client, "profile page", profile_url, essential=False)
    if profile is not None:
        facts = Selector(text=profile.text).css("dl.so-gegevens dt::text").getall()
        report.add(
            "profile facts (dl.so-gegevens)",
            bool(facts),
            ", ".join(f.strip() for f in facts),
            essential=False,
        )
