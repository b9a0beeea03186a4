"""`scrape pso --check`: the elements of the PSO register's first page the adapter reads."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

from parsel import Selector

from services.scraper.check_report import CheckReport, fetched
from services.scraper.http import PoliteClient
from services.scraper.sources.pso import FIRST_PAGE, PsoSource, _cells, parse_register_page

OPTIONAL_CELLS = ("plaats", "kvk", "niveau", "ingang", "geldig")


async def check(client: PoliteClient, source: PsoSource, report: CheckReport) -> None:
    """Register page 1: table, rows, their cells and links, pagination."""
    page = await fetched(report, client, "register page", urljoin(source.base_url, FIRST_PAGE))
    if page is None:
        return
    html = Selector(text=page.text)
    table = html.css("table.pso-register")
    if not report.add("register table (table.pso-register)", bool(table)):
        return
    rows = table[0].xpath("./tbody/tr[td] | ./tr[td]")
    if not report.add("register rows (tr)", bool(rows), f"{len(rows)} on page 1"):
        return
    total = len(rows)
    numbered = sum(1 for row in rows if row.attrib.get("data-certificaat", "").strip())
    report.count("certificate number (tr[data-certificaat])", numbered, total)
    report.count("organisation (td.organisatie)", _with(rows, "organisatie"), total)
    report.count(
        "detail link (td.organisatie a)",
        sum(1 for row in rows if _cells(row, "organisatie").xpath(".//a/@href")),
        total,
        essential=False,
    )
    absent = [cls for cls in OPTIONAL_CELLS if _with(rows, cls) == 0]
    report.add(
        f"other cells (td.{', td.'.join(OPTIONAL_CELLS)})",
        not absent,
        f"none with {', '.join(absent)}" if absent else "",
        essential=False,
    )
    parsed = parse_register_page(page.text, page.url, date.today(), source.policy)
    report.count("rows the adapter reads", len(parsed.observations), total)
    report.add(
        "pagination (a[rel=next])",
        parsed.next_href is not None,
        parsed.next_href or "page 1 is the last page, or the link changed",
        essential=False,
    )


def _with(rows: list[Selector], cls: str) -> int:
    return sum(1 for row in rows if _cells(row, cls))
