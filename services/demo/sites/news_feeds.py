"""A hotspot's news feed as its website publishes it: RSS 2.0 the way WordPress writes it
(HTML in CDATA under content:encoded, an escaped summary in description) or Atom 1.0 (HTML
escaped in `content type="html"`). Pure functions of the entries: the same step renders the
same bytes, so the site's ETag only changes when the news does."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from services.demo.newsroom import NewsEntry

_TAGS = re.compile(r"<[^>]+>")
EXCERPT_CHARACTERS = 160


def item_link(base_url: str, entry: NewsEntry) -> str:
    """Where an item is published on the hotspot's site."""
    return f"{base_url}/nieuws/{_path_token(entry.id)}/"


def render_rss(title: str, base_url: str, entries: list[NewsEntry], now: datetime) -> str:
    """An RSS 2.0 channel of `entries` (newest first); `now` dates an empty channel."""
    built = max((e.updated for e in entries), default=now)
    items = "".join(_rss_item(base_url, entry) for entry in entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel>\n"
        f"\t<title>{title}</title>\n"
        f'\t<atom:link href="{base_url}/feed/" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{base_url}/</link>\n"
        "\t<description>Nieuws over sociaal ondernemen en social return in de regio"
        "</description>\n"
        f"\t<lastBuildDate>{_rfc822(built)}</lastBuildDate>\n"
        "\t<language>nl-NL</language>\n"
        "\t<generator>https://wordpress.org/?v=6.4.3</generator>\n"
        f"{items}"
        "</channel>\n</rss>\n"
    )


def _rss_item(base_url: str, entry: NewsEntry) -> str:
    # Titles keep their numeric entities as WordPress writes them (&#8216; and so on).
    return (
        "\t<item>\n"
        f"\t\t<title>{entry.title}</title>\n"
        f"\t\t<link>{item_link(base_url, entry)}</link>\n"
        f"\t\t<dc:creator><![CDATA[{entry.author}]]></dc:creator>\n"
        f"\t\t<pubDate>{_rfc822(entry.published)}</pubDate>\n"
        "\t\t<category><![CDATA[Nieuws]]></category>\n"
        f'\t\t<guid isPermaLink="false">{base_url}/?p={_path_token(entry.id)}</guid>\n'
        f"\t\t<description>{escape(_excerpt(entry.html))}</description>\n"
        f"\t\t<content:encoded><![CDATA[{entry.html}]]></content:encoded>\n"
        "\t</item>\n"
    )


def render_atom(title: str, base_url: str, entries: list[NewsEntry], now: datetime) -> str:
    """An Atom 1.0 feed of `entries` (newest first); `now` dates an empty feed."""
    updated = max((e.updated for e in entries), default=now)
    body = "".join(_atom_entry(base_url, entry) for entry in entries)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">\n'
        f"  <title>{title}</title>\n"
        "  <subtitle>Nieuws van de impactbeweging in de Stedendriehoek</subtitle>\n"
        f'  <link href="{base_url}/feed.atom" rel="self" type="application/atom+xml"/>\n'
        f'  <link href="{base_url}/" rel="alternate" type="text/html"/>\n'
        f"  <id>{base_url}/</id>\n"
        f"  <updated>{_rfc3339(updated)}</updated>\n"
        f"{body}"
        "</feed>\n"
    )


def _atom_entry(base_url: str, entry: NewsEntry) -> str:
    return (
        "  <entry>\n"
        f'    <title type="html">{escape(entry.title)}</title>\n'
        f'    <link href={quoteattr(item_link(base_url, entry))} rel="alternate"/>\n'
        f"    <id>{escape(entry.id)}</id>\n"
        f"    <published>{_rfc3339(entry.published)}</published>\n"
        f"    <updated>{_rfc3339(entry.updated)}</updated>\n"
        f"    <author><name>{escape(entry.author)}</name></author>\n"
        f'    <summary type="text">{escape(_excerpt(entry.html))}</summary>\n'
        f'    <content type="html">{escape(entry.html)}</content>\n'
        "  </entry>\n"
    )


def _excerpt(html: str) -> str:
    """The opening words of an item as plain text, as WordPress puts them in description."""
    text = " ".join(_TAGS.sub(" ", re.sub(r"<script.*?</script>", "", html, flags=re.S)).split())
    if len(text) <= EXCERPT_CHARACTERS:
        return text
    return text[:EXCERPT_CHARACTERS].rsplit(" ", 1)[0] + " [&#8230;]"


def _path_token(item_id: str) -> str:
    """The last part of an id, as the site's address of the item."""
    return re.split(r"[/:]", item_id)[-1]


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
