"""The outgoing feeds: RSS 2.0 of news and iCalendar (RFC 5545, written with `icalendar`)
of the agenda. Every link in them is absolute under the configured public base URL; every
item's identity is stable (hotspot and item id), so readers and calendars update in place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

import icalendar

from services.gateway.hotspot_items.markup import plain_text
from services.gateway.hotspot_items.queries import AgendaView, NewsView

RSS_TYPE = "application/rss+xml; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
PRODID = "-//impactoost//nieuws en agenda van de hotspots//NL"


def rss_document(
    title: str, page_url: str, self_url: str, description: str, items: Sequence[NewsView]
) -> bytes:
    """An RSS 2.0 channel of `items` (newest first), its summaries as escaped HTML."""
    ElementTree.register_namespace("atom", ATOM)
    rss = ElementTree.Element("rss", {"version": "2.0"})
    channel = ElementTree.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", page_url)
    _text(channel, "description", description)
    _text(channel, "language", "nl-nl")
    ElementTree.SubElement(
        channel, f"{{{ATOM}}}link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    if items:
        _text(channel, "lastBuildDate", format_datetime(max(i.changed_at for i in items)))
    for news in items:
        item = ElementTree.SubElement(channel, "item")
        _text(item, "title", news.title)
        _text(item, "link", news.source_url)
        _text(item, "description", news.summary_html)
        _text(item, "pubDate", format_datetime(news.published_at.astimezone(UTC)))
        _text(item, "source", news.hotspot.name).set("url", self_url)
        _text(item, "category", news.hotspot.region)
        guid = _text(item, "guid", f"{_host(self_url)}:nieuws:{news.hotspot.slug}:{news.item_id}")
        guid.set("isPermaLink", "false")
    body: bytes = ElementTree.tostring(rss, encoding="utf-8", xml_declaration=True)
    return body


def calendar_document(name: str, self_url: str, items: Sequence[AgendaView]) -> bytes:
    """A VCALENDAR of `items`: timed ones in UTC, all-day ones as dates (DTEND exclusive),
    cancelled ones with STATUS:CANCELLED."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    calendar.add("source", self_url, parameters={"VALUE": "URI"})
    host = _host(self_url)
    for item in items:
        calendar.add_component(_event(item, host))
    body: bytes = calendar.to_ical()
    return body


def _event(item: AgendaView, host: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{item.hotspot.slug}-{item.item_id}@{host}")
    event.add("dtstamp", item.changed_at.astimezone(UTC))
    if item.all_day:
        assert item.starts_on is not None
        event.add("dtstart", item.starts_on)
        event.add("dtend", (item.ends_on or item.starts_on) + timedelta(days=1))
    else:
        assert item.starts_at is not None
        event.add("dtstart", item.starts_at.astimezone(UTC))
        if item.ends_at is not None:
            event.add("dtend", item.ends_at.astimezone(UTC))
    event.add("summary", item.title)
    description = plain_text(item.description_html)
    note = f"{item.hotspot.name} ({item.hotspot.region})"
    if item.cancelled_text:
        note = f"Geannuleerd: {item.cancelled_text}\n{note}"
    event.add("description", f"{description}\n\n{note}" if description else note)
    event.add("url", item.source_url, parameters={"VALUE": "URI"})
    if item.location:
        event.add("location", item.location)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def _text(parent: ElementTree.Element, tag: str, text: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag)
    element.text = text
    return element


def _host(url: str) -> str:
    return urlsplit(url).hostname or "localhost"
