"""`scrape cedris --check`: the elements of the Cedris member page the adapter reads."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

from parsel import Selector

from services.scraper.check_report import CheckReport, fetched
from services.scraper.errors import FormatChanged
from services.scraper.http import PoliteClient
from services.scraper.sources.cedris import (
    _ITEMS,
    _LISTS,
    _NAME,
    _PLACE,
    _SECTIONS,
    _TYPE,
    MEMBERS_PAGE,
    CedrisSource,
    parse_members_page,
)


async def check(client: PoliteClient, source: CedrisSource, report: CheckReport) -> None:
    """The member page: province sections, their lists, the members and their fields."""
    page = await fetched(report, client, "member page", urljoin(source.base_url, MEMBERS_PAGE))
    if page is None:
        return
    sections = Selector(text=page.text).xpath(_SECTIONS)
    if not report.add(
        "province sections (section.leden-provincie)", bool(sections), f"{len(sections)}"
    ):
        return
    lists = sections.xpath(_LISTS)
    report.count(
        "member lists (ul.leden)", sum(1 for s in sections if s.xpath(_LISTS)), len(sections)
    )
    items = lists.xpath(_ITEMS)
    if not report.add("members (li.lid)", bool(items), f"{len(items)}"):
        return
    total = len(items)
    report.count(
        "member id (li.lid[data-lid])", sum(1 for i in items if i.attrib.get("data-lid")), total
    )
    report.count("name (.lid__naam)", sum(1 for i in items if i.xpath(_NAME)), total)
    report.count(
        "website link (a.lid__naam[href])",
        sum(1 for i in items if i.xpath(_NAME + "/@href")),
        total,
        essential=False,
    )
    report.count(
        "place (.lid__plaats)", sum(1 for i in items if i.xpath(_PLACE)), total, essential=False
    )
    report.count("member type (.lid__type)", sum(1 for i in items if i.xpath(_TYPE)), total)
    try:
        parsed = parse_members_page(
            page.text, page.url, date.today(), source.base_url, source.policy
        )
    except FormatChanged as exc:
        report.add("members the adapter reads", False, exc.reason)
        return
    report.count("members the adapter reads", len(parsed.members), total)
