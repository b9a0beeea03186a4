"""An RSS 2.0 or Atom document to news items (feedparser), each checked on its own: a broken
entry becomes a warning, the others stay."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
from pydantic import ValidationError

from contracts.news import NewsItem
from services.scraper.feeds.items import FeedUnusable, ParsedNews, as_utc, item_id_of
from services.scraper.feeds.sanitise import checked_link, plain_title, sanitise_html

DATE_KEYS = ("published", "updated", "created")


def parse_news(
    text: str,
    feed_url: str,
    hotspot: str,
    *,
    first_seen: Mapping[str, datetime],
    now: datetime,
) -> ParsedNews:
    """The items of the feed `text`; an entry without a date keeps the time it was first seen
    (`first_seen`, else `now`). Raises FeedUnusable when `text` is no RSS or Atom feed."""
    if not text.strip():
        raise FeedUnusable(f"{feed_url}: empty document")
    # A stream, never the string: feedparser would fetch a string that looks like a URL. The
    # text is already decoded, hence the charset that overrides the XML declaration.
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.get("version") and not parsed.entries:
        looks = "an HTML page" if "<html" in text[:2000].lower() else "no RSS or Atom feed"
        raise FeedUnusable(f"{feed_url}: {looks}, not a news feed")
    result = ParsedNews()
    if parsed.get("bozo"):
        result.warnings.append(f"{feed_url}: malformed XML, read leniently")
    seen: set[str] = set()
    for index, entry in enumerate(parsed.entries):
        try:
            item = _item(entry, feed_url, hotspot, first_seen, now, result.warnings)
        except (ValidationError, ValueError) as exc:
            result.warnings.append(f"{feed_url}: entry {index + 1} skipped: {_brief(exc)}")
            continue
        if item.item_id in seen:
            result.warnings.append(f"{feed_url}: entry {index + 1} repeats an earlier id")
            continue
        seen.add(item.item_id)
        result.items.append(item)
    return result


def _item(
    entry: Any,
    feed_url: str,
    hotspot: str,
    first_seen: Mapping[str, datetime],
    now: datetime,
    warnings: list[str],
) -> NewsItem:
    title = plain_title(entry.get("title") or "")
    if not title:
        raise ValueError("it has no title")
    raw_link = entry.get("link") or ""
    identity = entry.get("id") or raw_link or f"{title}|{dict.get(entry, 'published', '')}"
    item_id = item_id_of(identity)
    link = checked_link(raw_link, feed_url) if raw_link else None
    if raw_link and link is None:
        warnings.append(f"{feed_url}: {title!r} has an unusable link, shown without it")
    published = _date(entry, "published") or _date(entry, "created")
    updated = _date(entry, "updated")
    published = published or updated or first_seen.get(item_id) or now
    return NewsItem(
        hotspot=hotspot,
        item_id=item_id,
        origin="feed",
        title=title,
        summary_html=sanitise_html(_body(entry), feed_url),
        link=link,
        published_at=published,
        updated_at=updated if updated is not None and updated != published else None,
    )


def _body(entry: Any) -> str:
    """The entry's summary, or its full content when it has no summary."""
    summary = entry.get("summary")
    if summary:
        return str(summary)
    content = entry.get("content") or []
    return str(content[0].get("value", "")) if content else ""


def _date(entry: Any, key: str) -> datetime | None:
    """The entry's `key` date in UTC, read from the text as written (feedparser's own reading
    takes a time without a zone as UTC; in a Dutch feed it is Dutch time)."""
    raw = dict.get(entry, key)  # as stored: FeedParserDict.get maps updated <-> published
    if not raw:
        return None
    text = str(raw).strip()
    try:
        return as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    fallback = dict.get(entry, f"{key}_parsed")
    if not fallback:
        return None
    year, month, day, hour, minute, second = fallback[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _brief(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
