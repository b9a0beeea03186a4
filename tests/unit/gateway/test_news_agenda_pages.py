"""`/nieuws`, `/agenda` and `/hotspots/<slug>`: what buyers read, filtered and paged, in
Dutch time, each item naming its hotspot and linking to its source; bad parameters get a
Dutch page, hostile HTML stays inert."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from parsel import Selector

from tests.unit.gateway.news_agenda_app import client_of, hotspot_app
from tests.unit.gateway.news_agenda_events import (
    NOW,
    agenda_item,
    all_day,
    cancelled,
    news_item,
    published,
    scheduled,
    withdrawn,
)

NEWS = [
    published(news_item("nieuws-zwolle", title="Zwolle koopt sociaal in")),
    published(
        news_item(
            "nieuws-nijmegen",
            hotspot="impact024",
            title="Nijmegen zoekt sociaal ondernemers",
            link=None,
            published_at=datetime(2026, 3, 22, 9, 0, tzinfo=UTC),
        )
    ),
]


def soup(text: str) -> Selector:
    return Selector(text)


def texts(html: Selector, css: str) -> list[str]:
    """The text of each element matching `css`, its white space folded."""
    return [str(t) for t in html.css(css).xpath("normalize-space()").getall()]


def text_of(html: Selector) -> str:
    return " ".join(html.xpath("string()").get("").split())


def titles(html: Selector) -> list[str]:
    return texts(html, ".result-list h3")


async def test_news_names_its_hotspot_and_links_to_its_source_or_else_the_website(
    tmp_path: Path,
) -> None:
    with hotspot_app(tmp_path, news=NEWS) as app:
        async with client_of(app) as client:
            response = await client.get("/nieuws")
    assert response.status_code == 200
    page = soup(response.text)
    assert titles(page) == ["Nijmegen zoekt sociaal ondernemers", "Zwolle koopt sociaal in"]
    links = dict(
        zip(
            texts(page, ".result-list h3 a"),
            page.css(".result-list h3 a::attr(href)").getall(),
            strict=True,
        )
    )
    assert links["Zwolle koopt sociaal in"] == "https://impact-zwolle.example/nieuws/nieuws-zwolle"
    assert links["Nijmegen zoekt sociaal ondernemers"] == "https://impact024.example/"
    first = text_of(page.css(".result-list li")[0])
    assert "IMPACT024 (Rijk van Nijmegen)" in first
    assert "22 maart 2026" in first


async def test_the_site_navigation_offers_news_and_agenda(tmp_path: Path) -> None:
    with hotspot_app(tmp_path) as app:
        async with client_of(app) as client:
            response = await client.get("/")
    nav = soup(response.text).css("nav.site-nav")
    links = dict(zip(texts(nav, "a"), nav.css("a::attr(href)").getall(), strict=True))
    assert links.items() >= {("Nieuws", "/platform/nieuws"), ("Agenda", "/platform/agenda")}


async def test_news_is_filtered_by_region_and_by_hotspot(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, news=NEWS) as app:
        async with client_of(app) as client:
            by_region = await client.get("/nieuws", params={"region": "regio-zwolle"})
            by_hotspot = await client.get("/nieuws", params={"hotspot": "impact024"})
            elsewhere = await client.get("/nieuws", params={"region": "zeeland"})
    assert titles(soup(by_region.text)) == ["Zwolle koopt sociaal in"]
    assert titles(soup(by_hotspot.text)) == ["Nijmegen zoekt sociaal ondernemers"]
    assert elsewhere.status_code == 200
    assert "nog geen hotspots" in elsewhere.text
    alternate = soup(by_region.text).css('link[rel="alternate"]::attr(href)').getall()
    assert alternate == ["/platform/nieuws/regio-zwolle.rss"]


async def test_the_forms_all_choices_filter_nothing(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, news=NEWS) as app:
        async with client_of(app) as client:
            response = await client.get("/nieuws", params={"region": "", "hotspot": ""})
    assert response.status_code == 200
    assert len(titles(soup(response.text))) == 2


async def test_unknown_or_malformed_filters_get_a_dutch_error_page(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, news=NEWS) as app:
        async with client_of(app) as client:
            answers = {
                "region": await client.get("/nieuws", params={"region": "atlantis"}),
                "hotspot": await client.get("/agenda", params={"hotspot": "nergens"}),
                "page": await client.get("/nieuws", params={"page": "0"}),
                "period": await client.get("/agenda", params={"period": "ooit"}),
                "shape": await client.get("/nieuws", params={"region": "<script>"}),
                "feed": await client.get("/agenda/atlantis.ics"),
                "hotspot page": await client.get("/hotspots/nergens"),
            }
    for what, response in answers.items():
        assert response.status_code in (404, 422), what
        assert response.headers["content-type"].startswith("text/html"), what
        assert "<script>" not in response.text, what
    assert "Onbekende regio" in answers["region"].text
    assert "Onbekende hotspot" in answers["hotspot"].text
    assert "paginanummer" in answers["page"].text
    assert answers["hotspot page"].status_code == 404


async def test_news_is_paged(tmp_path: Path) -> None:
    many = [
        published(news_item(f"nieuws-{n:04}", published_at=NOW - timedelta(hours=n)))
        for n in range(25)
    ]
    with hotspot_app(tmp_path, news=many) as app:
        async with client_of(app) as client:
            first = soup((await client.get("/nieuws")).text)
            second = soup((await client.get("/nieuws", params={"page": 2})).text)
    assert len(titles(first)) == 20 and len(titles(second)) == 5
    assert titles(first)[0] == "Bericht nieuws-0000"
    assert first.css('a[rel="next"]::attr(href)').getall() == ["/platform/nieuws?page=2"]
    assert second.css('a[rel="next"]') == []
    assert "Pagina 2 van 2" in text_of(second)


async def test_withdrawn_news_is_not_shown(tmp_path: Path) -> None:
    gone = news_item("nieuws-weg", title="Ingetrokken bericht")
    with hotspot_app(tmp_path, news=[*NEWS, published(gone), withdrawn(gone)]) as app:
        async with client_of(app) as client:
            response = await client.get("/nieuws")
    assert "Ingetrokken bericht" not in response.text


def agenda_events() -> list:  # type: ignore[type-arg]
    # Saturday 28 March is winter time (UTC+1), Monday 30 March summer time (UTC+2): both at
    # 14:00 in the Netherlands.
    winter = agenda_item(
        "agenda-winter",
        title="Winterborrel",
        starts_at=datetime(2026, 3, 28, 13, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 28, 15, 0, tzinfo=UTC),
    )
    summer = agenda_item(
        "agenda-summer",
        title="Zomerborrel",
        starts_at=datetime(2026, 3, 30, 12, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 30, 14, 0, tzinfo=UTC),
    )
    today = agenda_item(
        "agenda-today",
        title="Lunch vandaag",
        starts_at=datetime(2026, 3, 27, 11, 30, tzinfo=UTC),
        ends_at=None,
    )
    fair = all_day("agenda-fair", date(2026, 4, 14), date(2026, 4, 15), title="Inkoopbeurs")
    off = agenda_item(
        "agenda-off", title="Afgelaste sessie", starts_at=NOW + timedelta(days=3), ends_at=None
    )
    removed = agenda_item(
        "agenda-removed", title="Verdwenen sessie", starts_at=NOW + timedelta(days=4), ends_at=None
    )
    past = agenda_item(
        "agenda-past", title="Vorige bijeenkomst", starts_at=NOW - timedelta(days=10), ends_at=None
    )
    older = all_day("agenda-older", date(2026, 2, 2), title="Oude beurs")
    return [
        *(scheduled(i) for i in (winter, summer, today, fair, off, removed, past, older)),
        cancelled(off, "cancelled_by_organiser", NOW + timedelta(minutes=1)),
        cancelled(removed, "removed_from_feed", NOW + timedelta(minutes=1)),
    ]


async def test_the_agenda_shows_coming_events_first_and_past_ones_apart_in_dutch_time(
    tmp_path: Path,
) -> None:
    with hotspot_app(tmp_path, agenda=agenda_events()) as app:
        async with client_of(app) as client:
            response = await client.get("/agenda")
    page = soup(response.text)
    coming, past = page.css("main section")[:2]
    coming_titles = texts(coming, "h3")
    assert coming_titles == [
        "Lunch vandaag",
        "Winterborrel",
        "Afgelaste sessie (geannuleerd)",
        "Zomerborrel",
        "Inkoopbeurs",
    ]
    text = text_of(coming)
    assert "vandaag, 12:30 uur" in text
    assert "morgen, 14:00–16:00 uur" in text
    assert "maandag 30 maart 2026, 14:00–16:00 uur" in text
    assert "dinsdag 14 april 2026 tot en met woensdag 15 april 2026" in text
    assert "Geannuleerd. De organisator heeft dit evenement afgelast." in text
    assert "Verdwenen sessie" not in response.text
    assert texts(past, "h3") == ["Vorige bijeenkomst", "Oude beurs"]
    times = dict(
        zip(texts(coming, "time"), coming.css("time::attr(datetime)").getall(), strict=True)
    )
    assert times["morgen, 14:00–16:00 uur"] == "2026-03-28T14:00+01:00"
    assert times["maandag 30 maart 2026, 14:00–16:00 uur"] == "2026-03-30T14:00+02:00"


async def test_the_past_events_have_a_page_of_their_own(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, agenda=agenda_events()) as app:
        async with client_of(app) as client:
            response = await client.get("/agenda", params={"period": "past"})
    page = soup(response.text)
    assert texts(page, "h3") == ["Vorige bijeenkomst", "Oude beurs"]
    assert page.css('input[name="period"][value="past"]') != []


async def test_hostile_html_in_an_event_stays_inert_on_the_page(tmp_path: Path) -> None:
    hostile = news_item(
        "nieuws-hostile",
        title='<script>alert("titel")</script> Gewoon nieuws',
        summary_html='<p>Tekst<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">klik</a><iframe src="https://evil.example/"></iframe></p>',
    )
    with hotspot_app(tmp_path, news=[published(hostile)]) as app:
        async with client_of(app) as client:
            response = await client.get("/nieuws")
            hotspot = await client.get("/hotspots/impact-zwolle")
    for body in (response.text, hotspot.text):
        page = soup(body)
        assert page.css("main script, main img, main iframe") == []
        assert not any(h.startswith("javascript") for h in page.css("a::attr(href)").getall())
        assert not re.search(r"\son\w+=", page.css("main").get(""))
        assert "Gewoon nieuws" in body


async def test_a_hotspot_page_shows_its_website_news_and_agenda(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, news=NEWS, agenda=agenda_events()) as app:
        async with client_of(app) as client:
            deventer = soup((await client.get("/hotspots/impact-deventer")).text)
            zwolle = soup((await client.get("/hotspots/impact-zwolle")).text)
    assert texts(deventer, "h1") == ["Impact Deventer"]
    assert deventer.css('main a[href="https://impactdeventer.example/"]') != []
    assert "Winterborrel" in text_of(deventer)
    assert "Zwolle koopt sociaal in" in text_of(zwolle)
    feeds = zwolle.css('link[rel="alternate"]::attr(href)').getall()
    assert feeds == ["/platform/nieuws/regio-zwolle.rss", "/platform/agenda/regio-zwolle.ics"]


async def test_past_events_are_paged_apart_from_the_coming_ones(tmp_path: Path) -> None:
    past = [
        scheduled(
            agenda_item(f"agenda-{n:04}", starts_at=NOW - timedelta(days=n + 1), ends_at=None)
        )
        for n in range(25)
    ]
    with hotspot_app(tmp_path, agenda=past) as app:
        async with client_of(app) as client:
            coming = soup(
                (
                    await client.get(
                        "/agenda", params={"region": "stedendriehoek-en-noordwest-veluwe"}
                    )
                ).text
            )
            first = soup((await client.get("/agenda", params={"period": "past"})).text)
    assert "Er zijn geen komende evenementen." in text_of(coming)
    assert len(texts(coming, "h3")) == 5
    more = coming.css('a:contains("Alle afgelopen evenementen")::attr(href)').getall()
    assert more == ["/platform/agenda?region=stedendriehoek-en-noordwest-veluwe&period=past"]
    assert texts(first, "h3")[0] == "Bijeenkomst agenda-0000"
    assert first.css('a[rel="next"]::attr(href)').getall() == [
        "/platform/agenda?period=past&page=2"
    ]
