"""`scrape <label> --check`: read a registry's first pages and report which elements the
adapter finds. Nothing is published and NATS is never contacted; only HTTP, as politely as a
run (robots.txt, User-Agent, rate)."""

from __future__ import annotations

import importlib

import httpx

from contracts.labels import LabelName
from services.scraper.check_report import CheckReport
from services.scraper.config import ScraperSettings
from services.scraper.errors import ScrapeError
from services.scraper.http import PoliteClient, make_http_client
from services.scraper.sources import build_source


async def check_registry(
    settings: ScraperSettings,
    label: LabelName,
    *,
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CheckReport:
    """Which page elements `label`'s adapter finds at `base_url` (default: the configured one).
    A page that cannot be fetched is reported as a missing element, never raised."""
    url = (base_url or settings.base_url(label)).rstrip("/")
    source = build_source(label, url, settings.listing_policy.for_label(label))
    report = CheckReport(label, url)
    probe = importlib.import_module(f"services.scraper.sources.{label}_check").check
    async with make_http_client(settings.http_policy(), transport) as http:
        client = PoliteClient(http, settings.http_policy())
        try:
            await probe(client, source, report)
        except ScrapeError as exc:
            report.add("pages the adapter reads", False, exc.reason)
    return report
