"""The hotspots file and the news and agenda items: what they accept and what they refuse."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.agenda import AgendaCancelled, AgendaItem
from contracts.hotspots import (
    HTML_MAX,
    Hotspot,
    HotspotsFileError,
    parse_hotspots,
    read_hotspots,
    source_link,
)
from contracts.news import NewsItem, NewsWithdrawn
from contracts.subjects import agenda_subject, news_subject

pytestmark = pytest.mark.unit

ZWOLLE: dict[str, Any] = {
    "slug": "zwolle",
    "name": "Impact Zwolle",
    "region": "regio zwolle",
    "website": "impactzwolle.nl",
    "news_feed": "https://impactzwolle.nl/feed/",
}


def test_a_hotspot_normalises_its_region_and_addresses() -> None:
    hotspot = Hotspot(**ZWOLLE, editors=("Redactie@ImpactZwolle.NL",))
    assert hotspot.region == "Regio Zwolle"
    assert hotspot.website == "https://impactzwolle.nl"
    assert hotspot.editors == ("Redactie@impactzwolle.nl",)
    assert hotspot.has_feed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Zwolle"}, "slug"),
        ({"slug": "zwolle.oost"}, "slug"),
        ({"slug": "-zwolle"}, "slug"),
        ({"region": "Atlantis"}, "not a labour-market region"),
        ({"news_feed": "ftp://impactzwolle.nl/feed"}, "not a web address"),
        ({"news_feed": None}, "needs a news feed, an agenda feed or an editor"),
        ({"editors": ("a@impactzwolle.nl", "a@IMPACTZWOLLE.nl")}, "named twice"),
        ({"editors": ("geen-adres",)}, "not an e-mail address"),
        ({"colour": "groen"}, "Extra inputs"),
    ],
)
def test_a_hotspot_with_a_mistake_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Hotspot(**(ZWOLLE | change))


def test_an_editor_only_hotspot_has_no_feed() -> None:
    editors_only = Hotspot(**(ZWOLLE | {"news_feed": None, "editors": ("r@impactzwolle.nl",)}))
    assert not editors_only.has_feed


def test_the_hotspots_file_names_the_entry_and_field_that_is_wrong(tmp_path: Path) -> None:
    assert parse_hotspots(json.dumps([ZWOLLE]))[0].slug == "zwolle"
    with pytest.raises(HotspotsFileError, match=r"entry 1\.region"):
        parse_hotspots(json.dumps([ZWOLLE, ZWOLLE | {"slug": "deventer", "region": "x"}]))
    with pytest.raises(HotspotsFileError, match="slug 'zwolle' twice"):
        parse_hotspots(json.dumps([ZWOLLE, ZWOLLE]))
    with pytest.raises(HotspotsFileError, match="not JSON"):
        parse_hotspots("[{")
    with pytest.raises(HotspotsFileError, match="JSON list"):
        parse_hotspots(json.dumps(ZWOLLE))
    with pytest.raises(HotspotsFileError, match="cannot be read"):
        read_hotspots(tmp_path / "missing.json")
    assert read_hotspots(None) == ()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "/nieuws/1",
        "//impactzwolle.nl/x",
        "https://user:pw@impactzwolle.nl/",
        "https://impactzwolle.nl/a b",
        "https://impactzwolle.nl/\x00",
        "data:text/html,x",
        "https://" + "a" * 2000 + ".nl/",
    ],
)
def test_a_source_link_must_be_a_plain_absolute_web_address(link: str) -> None:
    with pytest.raises(ValueError):
        source_link(link)


def test_a_source_link_is_kept_as_published() -> None:
    assert source_link(" https://impactzwolle.nl/nieuws/1?x=2#a ") == (
        "https://impactzwolle.nl/nieuws/1?x=2#a"
    )


NEWS: dict[str, Any] = {
    "hotspot": "zwolle",
    "item_id": "0123456789abcdef",
    "origin": "feed",
    "title": "  Ondernemers   tekenen  pact ",
    "published_at": datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
}


def test_a_news_item_folds_its_title_and_checks_its_link() -> None:
    item = NewsItem(**NEWS, link="https://impactzwolle.nl/nieuws/pact")
    assert item.title == "Ondernemers tekenen pact"
    assert item.link == "https://impactzwolle.nl/nieuws/pact"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "at most 300"),
        ({"title": "stil\u202eliegen"}, "control characters"),
        ({"title": "twee\nregels"}, "control characters"),
        ({"item_id": "kort"}, "item_id"),
        ({"item_id": "../../etc/passwd"}, "item_id"),
        ({"link": "javascript:alert(1)"}, "http"),
        ({"published_at": datetime(2026, 11, 3, 9, 30)}, "timezone-aware"),
        ({"summary_html": "x" * (HTML_MAX + 1)}, "at most"),
        ({"origin": "scraper"}, "origin"),
        ({"hotspot": "Zwolle Oost"}, "hotspot"),
    ],
)
def test_a_news_item_with_a_mistake_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NewsItem(**(NEWS | change))


def test_a_withdrawal_names_its_reason() -> None:
    with pytest.raises(ValidationError, match="reason"):
        NewsWithdrawn(
            event_id="event-0001",
            occurred_at=datetime.now(UTC),
            source="t",
            hotspot="zwolle",
            item_id="0123456789abcdef",
            reason="gone",  # type: ignore[arg-type]
        )


AGENDA: dict[str, Any] = {
    "hotspot": "zwolle",
    "item_id": "0123456789abcdef",
    "origin": "feed",
    "title": "Netwerkavond",
}


def test_an_agenda_item_is_timed_or_all_day() -> None:
    timed = AgendaItem(**AGENDA, starts_at=datetime(2027, 3, 17, 18, tzinfo=UTC))
    day = AgendaItem(**AGENDA, all_day=True, starts_on=date(2027, 5, 10), ends_on=date(2027, 5, 12))
    assert timed.ends_at is None and day.starts_at is None


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({}, "a timed item has starts_at"),
        ({"all_day": True}, "an all-day item has starts_on"),
        (
            {
                "all_day": True,
                "starts_on": date(2027, 5, 10),
                "starts_at": datetime(2027, 5, 10, tzinfo=UTC),
            },
            "no times",
        ),
        (
            {"starts_at": datetime(2027, 3, 17, 18, tzinfo=UTC), "starts_on": date(2027, 3, 17)},
            "no dates",
        ),
        ({"starts_at": datetime(2027, 3, 17, 18)}, "timezone-aware"),
        (
            {
                "starts_at": datetime(2027, 3, 17, 18, tzinfo=UTC),
                "ends_at": datetime(2027, 3, 17, 17, tzinfo=UTC),
            },
            "end before it starts",
        ),
        (
            {"all_day": True, "starts_on": date(2027, 5, 10), "ends_on": date(2027, 5, 9)},
            "end before it starts",
        ),
        (
            {"starts_at": datetime(2027, 3, 17, 18, tzinfo=UTC), "location": "x" * 301},
            "at most 300",
        ),
        ({"starts_at": datetime(2027, 3, 17, 18, tzinfo=UTC), "link": "/agenda"}, "http"),
    ],
)
def test_an_agenda_item_with_a_mistake_is_refused(when: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AgendaItem(**AGENDA, **when)


def test_an_agenda_cancellation_carries_the_item_and_a_known_reason() -> None:
    item = AgendaItem(**AGENDA, starts_at=datetime(2027, 3, 17, 18, tzinfo=UTC))
    event = AgendaCancelled(
        event_id="event-0001",
        occurred_at=datetime.now(UTC),
        source="t",
        item=item,
        reason="cancelled_by_organiser",
    )
    assert AgendaCancelled.model_validate_json(event.model_dump_json()) == event
    with pytest.raises(ValidationError, match="reason"):
        AgendaCancelled(
            event_id="event-0001",
            occurred_at=datetime.now(UTC),
            source="t",
            item=item,
            reason="weather",  # type: ignore[arg-type]
        )


def test_hotspot_subjects_refuse_a_slug_that_is_no_token() -> None:
    assert news_subject("zwolle", "published") == "impact.v1.news.zwolle.published"
    assert agenda_subject("zwolle", "cancelled") == "impact.v1.agenda.zwolle.cancelled"
    with pytest.raises(ValueError):
        news_subject("zwolle.*", "published")
