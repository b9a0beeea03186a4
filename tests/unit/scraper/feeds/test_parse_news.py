"""RSS 2.0 and Atom documents, realistic and broken, to news items."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.scraper.feeds.items import FeedUnusable
from services.scraper.feeds.parse_news import parse_news
from tests.unit.scraper.feeds.builders import NOW, feed_text

pytestmark = pytest.mark.unit
ZWOLLE = "https://impactzwolle.test/feed/"


def _rss() -> dict[str, object]:
    parsed = parse_news(feed_text("news.rss"), ZWOLLE, "zwolle", first_seen={}, now=NOW)
    return {item.title: item for item in parsed.items} | {"warnings": parsed.warnings}


def test_rss_titles_are_plain_text_with_entities_and_cdata_decoded() -> None:
    titles = [k for k in _rss() if k != "warnings"]
    assert titles == [
        "Ondernemers & gemeente tekenen impactpact",
        "Inloopochtend voor starters \u2013 caf\u00e9 De Fabriek",
        "Verslag van de zomerborrel",
        "Vacature: communitymanager (zonder datum)",
    ]


def test_rss_summaries_lose_scripts_styles_handlers_and_javascript_links() -> None:
    item = _rss()["Ondernemers & gemeente tekenen impactpact"]
    summary = item.summary_html  # type: ignore[attr-defined]
    for hostile in ("script", "style", "onclick", "onerror", "javascript", "iframe", "img"):
        assert hostile not in summary
    assert "document.cookie" not in summary and "display:none" not in summary
    assert (
        '<a href="https://impactzwolle.test/nieuws/impactpact#verslag" '
        'rel="nofollow noopener">het verslag</a>'
    ) in summary
    assert "<ul><li>Inclusief werkgeverschap</li>" in summary


def test_rss_dates_honour_their_zone_and_a_date_without_one_is_dutch_time() -> None:
    items = _rss()
    plus_one = items["Ondernemers & gemeente tekenen impactpact"]
    gmt = items["Inloopochtend voor starters \u2013 caf\u00e9 De Fabriek"]
    zoneless = items["Verslag van de zomerborrel"]  # 17:00 in August: CEST, UTC+2
    assert plus_one.published_at == datetime(2026, 11, 3, 9, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    assert gmt.published_at == datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert zoneless.published_at == datetime(2026, 8, 29, 15, 0, tzinfo=UTC)  # type: ignore[attr-defined]


def test_an_undated_item_keeps_the_time_it_was_first_seen() -> None:
    first = parse_news(feed_text("news.rss"), ZWOLLE, "zwolle", first_seen={}, now=NOW)
    undated = next(i for i in first.items if i.title.startswith("Vacature"))
    assert undated.published_at == NOW
    later = datetime(2026, 12, 5, tzinfo=UTC)
    again = parse_news(
        feed_text("news.rss"),
        ZWOLLE,
        "zwolle",
        first_seen={undated.item_id: NOW},
        now=later,
    )
    assert next(i for i in again.items if i.item_id == undated.item_id) == undated


def test_relative_links_are_resolved_and_bad_links_dropped_with_a_warning() -> None:
    items = _rss()
    assert items["Verslag van de zomerborrel"].link == (  # type: ignore[attr-defined]
        "https://impactzwolle.test/nieuws/zomerborrel"
    )
    assert items["Vacature: communitymanager (zonder datum)"].link is None  # type: ignore[attr-defined]
    assert any("unusable link" in w for w in items["warnings"])  # type: ignore[attr-defined]


def test_entries_without_a_readable_title_are_skipped_as_warnings() -> None:
    warnings = _rss()["warnings"]
    assert sum("has no title" in w for w in warnings) == 2  # type: ignore[attr-defined]


def test_item_ids_are_stable_and_valid() -> None:
    first = parse_news(feed_text("news.rss"), ZWOLLE, "zwolle", first_seen={}, now=NOW)
    second = parse_news(feed_text("news.rss"), ZWOLLE, "zwolle", first_seen={}, now=NOW)
    assert [i.item_id for i in first.items] == [i.item_id for i in second.items]
    assert len({i.item_id for i in first.items}) == len(first.items)


def test_atom_entries_read_html_titles_summaries_xhtml_content_and_updates() -> None:
    parsed = parse_news(
        feed_text("news.atom"),
        "https://impactdeventer.test/feed.atom",
        "deventer",
        first_seen={},
        now=NOW,
    )
    green, visit = parsed.items
    assert green.title == "Groene inkoop & sociale return"
    assert green.summary_html == "<p>De gemeente koopt <em>groener</em> in.</p><p>Meer volgt.</p>"
    assert green.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert green.updated_at == datetime(2026, 11, 21, 8, 15, tzinfo=UTC)
    assert visit.published_at == datetime(2026, 10, 5, 12, 0, tzinfo=UTC)  # zoneless: CEST
    assert "<blockquote>Indrukwekkend.</blockquote>" in visit.summary_html
    assert parsed.warnings == []


def test_a_feed_with_a_broken_entry_keeps_the_good_ones() -> None:
    parsed = parse_news(feed_text("broken.rss"), ZWOLLE, "nijmegen", first_seen={}, now=NOW)
    assert [i.title for i in parsed.items] == ["Goed bericht"]
    assert parsed.warnings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty document"),
        ("   \n", "empty document"),
        (feed_text("not-a-feed.html"), "an HTML page"),
        ('{"items": []}', "no RSS or Atom feed"),
        ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "no RSS or Atom feed"),
    ],
)
def test_a_document_that_is_no_feed_is_refused_with_a_clear_reason(text: str, message: str) -> None:
    with pytest.raises(FeedUnusable, match=message):
        parse_news(text, ZWOLLE, "zwolle", first_seen={}, now=NOW)


def test_a_feed_body_that_looks_like_an_address_is_parsed_not_fetched() -> None:
    with pytest.raises(FeedUnusable):
        parse_news("https://evil.test/feed", ZWOLLE, "zwolle", first_seen={}, now=NOW)


def test_a_valid_feed_without_items_has_none() -> None:
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>Leeg</title></channel></rss>'
    assert parse_news(empty, ZWOLLE, "zwolle", first_seen={}, now=NOW).items == []
