"""Reading the Code Sociale Ondernemingen register: REST pages, cards, profiles, nonces."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from html import escape

import httpx
import pytest
from parsel import Selector

from contracts.labels import Observation
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.policy import LabelPolicy, apply_overrides
from services.scraper.sources.base import KnownHolding, SourceResult
from services.scraper.sources.codeso import CodesoSource
from services.scraper.sources.codeso_parsing import (
    CardRejected,
    parse_card,
    parse_cards,
    parse_profile,
    parse_query_answer,
    parse_register_page,
)
from tests.unit.scraper.fakes import FakeWeb, fixture_reader, polite_client, random_markup

pytestmark = pytest.mark.unit
BASE = "https://codeso.test"
REGISTER = f"{BASE}/register/"
ENDPOINT = f"{BASE}/wp-json/wp/v2/kadence_query/query"
NONCE = "8f1c2a9b3d"
TODAY = date(2025, 6, 1)
fixture = fixture_reader("codeso")
PROFILES = {
    "de-groene-fietser": "profile_full.html",
    "stadsakkers-deventer": "profile_empty.html",
    "het-repair-lab": "profile_partial.html",
    "tweede-kans-techniek": "profile_empty.html",
    "koffie-en-kansen": "profile_empty.html",
    "houtwerkplaats-goor": "profile_hostile.html",
    "groene-vingers": "profile_empty.html",
    "digitale-dorpshuizen": "profile_empty.html",
    "wasserij-de-witte-was": "profile_empty.html",
    "kringloop-twente": "profile_full.html",
}


def answer(fragment: str, page: int, max_pages: int) -> str:
    """A REST answer as WordPress writes it (slashes escaped)."""
    body = {"content": fragment, "page": page, "maxPages": max_pages, "postCount": 15}
    return json.dumps(body).replace("/", "\\/")


def register_page(nonce: str = NONCE) -> str:
    return fixture("register.html").replace(NONCE, nonce)


class Register:
    """A fake register: the REST endpoint checks the nonce and answers the page asked for."""

    def __init__(self, *fragments: str, nonces: tuple[str, ...] = (NONCE,)) -> None:
        self.fragments = fragments
        self.nonces = list(nonces)  # accepted in turn: the next one after each 403
        self.bodies: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.headers.get("X-WP-Nonce") != self.nonces[0]:
            return httpx.Response(403, json={"code": "rest_cookie_invalid_nonce"})
        try:
            body = json.loads(request.content)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("paged"), int):
            return httpx.Response(400, json={"code": "rest_invalid_param"})
        self.bodies.append(body)
        page = body["paged"]
        text = answer(self.fragments[page - 1], page, len(self.fragments))
        return httpx.Response(200, text=text, headers={"content-type": "application/json"})


def codeso_web(*fragments: str, register: Register | None = None) -> FakeWeb:
    register = register or Register(*fragments)
    web = FakeWeb().html(REGISTER, register_page(register.nonces[0]))
    web.serve(ENDPOINT, register)
    for slug, name in PROFILES.items():
        web.html(f"{REGISTER}{slug}/", fixture(name))
    return web


def both_pages() -> FakeWeb:
    return codeso_web(fixture("cards_page1.html"), fixture("cards_page2.html"))


async def read(
    web: FakeWeb,
    today: date = TODAY,
    known: dict[str, KnownHolding] | None = None,
    policy: LabelPolicy | None = None,
) -> SourceResult:
    source = CodesoSource(BASE) if policy is None else CodesoSource(BASE, policy=policy)
    return await source.fetch(polite_client(web), today, known or {})


def by_id(result: SourceResult) -> dict[str, Observation]:
    return {o.holding_id: o for o in result.observations}


# --- the register page: REST settings -------------------------------------------------------


def test_the_register_page_gives_endpoint_nonce_and_query_loop() -> None:
    loop = parse_register_page(fixture("register.html"), REGISTER, BASE)
    assert (loop.endpoint, loop.nonce, loop.ql_id) == (ENDPOINT, NONCE, 4821)


@pytest.mark.parametrize("host", ["https:\\/\\/evil.example", "\\/\\/evil.example"])
def test_the_endpoint_host_named_by_the_page_is_never_used(host: str) -> None:
    page = fixture("register.html").replace("https:\\/\\/www.codesocialeondernemingen.nl", host)
    assert "evil.example" in page
    assert parse_register_page(page, REGISTER, BASE).endpoint == ENDPOINT


def _broken(old: str, new: str) -> str:
    page = fixture("register.html")
    assert old in page
    return page.replace(old, new)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (fixture("register_onderhoud.html"), "no kbp_query_loop_rest_endpoint"),
        (_broken('{"url":', "{url:"), "not valid JSON"),
        (_broken('= {"url"', '= ["url"'), "not valid JSON"),
        (_broken(f'"nonce":"{NONCE}"', '"nonce":""'), "no usable nonce"),
        (_broken(f'"nonce":"{NONCE}"', '"nonce":"8f1c\\nX-Evil: 1"'), "no usable nonce"),
        (_broken(f'"nonce":"{NONCE}"', '"nonce":12345'), "no usable nonce"),
        (_broken('"url":"https:', '"link":"https:'), "has no url"),
        (
            _broken("https:\\/\\/www.codesocialeondernemingen.nl\\/wp-json", "wp-json"),
            "no usable path",
        ),
        (_broken('data-ql-id="4821"', 'data-ql="4821"'), "data-ql-id"),
        (_broken('data-ql-id="4821"', 'data-ql-id="48 21"'), "data-ql-id"),
    ],
)
def test_a_register_page_without_usable_rest_settings_is_a_format_change(
    page: str, message: str
) -> None:
    with pytest.raises(FormatChanged, match=message):
        parse_register_page(page, REGISTER, BASE)


def test_a_json_array_instead_of_the_settings_object_is_a_format_change() -> None:
    page = _broken('= {"url"', '= [{"url"').replace('"};', '"}];')
    with pytest.raises(FormatChanged, match="not a JSON object"):
        parse_register_page(page, REGISTER, BASE)


# --- REST answers and cards -----------------------------------------------------------------


def test_a_wordpress_answer_with_escaped_slashes_and_unicode_is_read() -> None:
    parsed = parse_query_answer(fixture("query_answer.json"), 1, REGISTER)
    assert [(c.holding_id, c.name, c.status) for c in parsed.cards] == [
        ("energiecooperatie-zon-op-zutphen", "Energiecoöperatie Zon op Zutphen", "geregistreerd"),
        ("café-de-verbinding", "Café De Verbinding", "aangevraagd"),
    ]
    assert parsed.max_pages == 1 and parsed.articles == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<html>Fout</html>", "not JSON"),
        ("[]", "not a JSON object"),
        ('{"page": 1, "maxPages": 1}', "no HTML `content`"),
        ('{"content": 5, "page": 1, "maxPages": 1}', "no HTML `content`"),
        ('{"content": "", "maxPages": 1}', "`page` is None"),
        ('{"content": "", "page": "1", "maxPages": 1}', "`page` is '1'"),
        ('{"content": "", "page": true, "maxPages": 1}', "`page` is True"),
        ('{"content": "", "page": 1, "maxPages": 0}', "`maxPages` is 0"),
        ('{"content": "", "page": 1, "maxPages": 1e3}', "`maxPages` is 1000.0"),
        ('{"content": "", "page": 1, "maxPages": 999999999}', "`maxPages` is 999999999"),
        ('{"content": "", "page": 2, "maxPages": 3}', "answered page 2 when asked for 1"),
    ],
)
def test_an_answer_that_is_not_the_registers_json_is_a_format_change(
    text: str, message: str
) -> None:
    with pytest.raises(FormatChanged, match=message.replace("(", r"\(")):
        parse_query_answer(text, 1, REGISTER)


def test_a_page_of_cards_yields_one_card_per_article() -> None:
    parsed = parse_cards(fixture("cards_page1.html"), REGISTER)
    assert [c.holding_id for c in parsed.cards] == [
        "de-groene-fietser",
        "stadsakkers-deventer",
        "het-repair-lab",
        "tweede-kans-techniek",
        "koffie-en-kansen",
        "houtwerkplaats-goor",
        "groene-vingers",
        "digitale-dorpshuizen",
    ]
    assert parsed.articles == 8 and parsed.warnings == [
        "groene-vingers: 14 impact themes; the first 12 kept"
    ]


def test_every_status_is_normalised_and_the_class_stands_in_for_a_missing_label() -> None:
    statuses = {
        c.holding_id: c.status for c in parse_cards(fixture("cards_page1.html"), REGISTER).cards
    }
    assert statuses["de-groene-fietser"] == "geregistreerd"
    assert statuses["het-repair-lab"] == "aangevraagd"
    assert statuses["tweede-kans-techniek"] == "aspirant"
    no_label = fixture("cards_page1.html").replace('<span class="so-status">Aangevraagd</span>', "")
    assert {c.holding_id: c.status for c in parse_cards(no_label, REGISTER).cards}[
        "het-repair-lab"
    ] == "aangevraagd"


def test_an_unknown_or_missing_status_is_kept_but_warned_about() -> None:
    parsed = parse_cards(fixture("cards_page2.html"), REGISTER)
    witte_was = next(c for c in parsed.cards if c.holding_id == "wasserij-de-witte-was")
    assert witte_was.status == "ingetrokken"
    assert (
        "wasserij-de-witte-was: unknown status 'ingetrokken'; kept as published" in parsed.warnings
    )
    bare = (
        '<article class="kb-query-item"><h3 class="entry-title"><a href="/register/x/">X</a></h3>'
    )
    card, notes = parse_card(Selector(text=bare).css("article")[0], REGISTER)
    assert card.status == "onbekend" and notes == ["no status published; kept as 'onbekend'"]


def test_a_relative_profile_link_is_resolved_against_the_register() -> None:
    stadsakkers = parse_cards(fixture("cards_page1.html"), REGISTER).cards[1]
    assert stadsakkers.link == f"{REGISTER}stadsakkers-deventer/"


def test_entities_and_invisible_characters_are_cleaned_from_cards() -> None:
    koffie = parse_cards(fixture("cards_page1.html"), REGISTER).cards[4]
    assert koffie.name == "Koffie & Kansen – Lunchroom ‘t Hoekje"
    assert koffie.place == "Ootmarsum"
    assert koffie.themes == ("Arbeidsparticipatie", "Inclusie")


def test_hostile_markup_never_reaches_a_card() -> None:
    goor = parse_cards(fixture("cards_page1.html"), REGISTER).cards[5]
    assert goor.name == "Houtwerkplaats Goor kcab"
    assert goor.place == "Goor"
    assert goor.themes == ("Arbeidsparticipatie", "Circulaire economie")
    for text in (goor.name, goor.place, *goor.themes):
        assert "<" not in text and "script" not in text.lower() and "\u202e" not in text


def test_a_card_carries_its_excerpt_as_plain_text() -> None:
    cards = parse_cards(fixture("cards_page1.html"), REGISTER).cards
    assert cards[1].summary == "Stadslandbouw op braakliggende grond."
    assert cards[4].summary == "Lunchroom waar jongeren met autisme het horecavak leren."


def test_hostile_markup_in_an_excerpt_never_reaches_the_summary() -> None:
    goor = parse_cards(fixture("cards_page1.html"), REGISTER).cards[5]
    assert goor.summary == "Meubels van sloophout. Op maat & op bestelling nu"


def test_a_card_without_excerpt_has_no_summary() -> None:
    article = f"""<article class="kb-query-item status-geregistreerd">
      <h3 class="entry-title"><a href="{REGISTER}kort/">Kort</a></h3>
      <div class="entry-excerpt"><p> <script>alert(1)</script> </p></div></article>"""
    (card,) = parse_cards(article, REGISTER).cards
    assert card.summary is None


def test_an_overlong_excerpt_is_cut_at_a_word_boundary() -> None:
    words = " ".join(f"woord{n}" for n in range(600))
    article = f"""<article class="kb-query-item status-geregistreerd">
      <h3 class="entry-title"><a href="{REGISTER}lang/">Lang</a></h3>
      <div class="entry-excerpt"><p>{words}</p></div></article>"""
    (card,) = parse_cards(article, REGISTER).cards
    assert card.summary is not None and len(card.summary) <= 2000
    assert card.summary.endswith("…")
    assert card.summary[:-1].split()[-1] in words.split()


async def test_a_reused_observation_takes_the_summary_its_card_shows() -> None:
    first = await read(both_pages())
    known = {
        o.holding_id: KnownHolding(
            first.cards[o.holding_id], o.model_copy(update={"summary": None})
        )
        for o in first.observations
    }
    again = await read(both_pages(), known=known)
    assert by_id(again)["de-groene-fietser"].summary == (
        "Fietsenmakerij en leerwerkplaats voor mensen met een afstand tot de arbeidsmarkt."
    )


def test_overlong_card_fields_are_capped() -> None:
    long = parse_cards(fixture("cards_page1.html"), REGISTER).cards[6]
    assert len(long.name) <= 200 and long.name.endswith("…")
    assert long.place is not None and len(long.place) <= 120
    assert len(long.themes) == 12 and all(len(t) <= 80 for t in long.themes)


def test_a_card_without_place_has_none() -> None:
    assert parse_cards(fixture("cards_page1.html"), REGISTER).cards[7].place is None


def test_cards_without_profile_link_or_readable_name_are_skipped_with_a_warning() -> None:
    parsed = parse_cards(fixture("cards_page2.html"), REGISTER)
    assert parsed.articles == 7 and len(parsed.cards) == 5
    assert "card 4: skipped: no profile link with a slug ('')" in parsed.warnings
    assert "card 5: skipped: alleen-script has no name" in parsed.warnings


def test_a_card_hash_follows_the_visible_card_and_its_link_only() -> None:
    first = parse_cards(fixture("cards_page1.html"), REGISTER).cards[0]
    again = parse_cards(fixture("cards_page1.html").replace("  <h3", "\n\n<h3"), REGISTER)
    assert again.cards[0].card_hash == first.card_hash and len(first.card_hash) == 16
    moved = fixture("cards_page1.html").replace(">Zwolle<", ">Kampen<")
    assert parse_cards(moved, REGISTER).cards[0].card_hash != first.card_hash


# --- profile pages --------------------------------------------------------------------------


def test_a_full_profile_gives_kvk_website_and_both_dates() -> None:
    notes: list[str] = []
    facts = parse_profile(fixture("profile_full.html"), REGISTER, notes)
    assert facts.kvk == ("81234567",)
    assert facts.website == "https://degroenefietser.nl/"
    assert (facts.valid_from, facts.valid_until) == (date(2022, 6, 14), date(2026, 6, 30))
    assert notes == []


def test_the_next_assessment_month_runs_to_its_last_day_and_absent_facts_stay_empty() -> None:
    notes: list[str] = []
    facts = parse_profile(fixture("profile_partial.html"), REGISTER, notes)
    assert facts.valid_until == date(2025, 2, 28)
    assert facts.website == "https://repairlab-hengelo.nl/"
    assert (facts.kvk, facts.valid_from) == ((), None)
    assert notes == []


def test_a_profile_with_an_empty_list_has_no_facts() -> None:
    facts = parse_profile(fixture("profile_empty.html"), REGISTER, [])
    assert (facts.kvk, facts.website, facts.valid_from, facts.valid_until) == ((), None, None, None)


def test_hostile_or_unreadable_profile_facts_are_dropped_with_notes() -> None:
    notes: list[str] = []
    facts = parse_profile(fixture("profile_hostile.html"), REGISTER, notes)
    assert facts.kvk == ("06342190",)
    assert (facts.website, facts.valid_from, facts.valid_until) == (None, None, None)
    assert notes == [
        "dropped KvK number '12345': not 8 digits",
        "website 'javascript:alert(document.cookie)' unreadable; left empty",
        "geregistreerd sinds unreadable (day is out of range for month); left empty",
        "volgende toetsing unreadable (not a Dutch date: 'binnenkort'); left empty",
    ]


def test_a_full_date_as_next_assessment_is_taken_as_it_is() -> None:
    page = fixture("profile_full.html").replace("<dd>juni 2026</dd>", "<dd>3 juni 2026</dd>")
    assert parse_profile(page, REGISTER, []).valid_until == date(2026, 6, 3)


def test_a_profile_without_its_facts_list_is_a_format_change() -> None:
    with pytest.raises(FormatChanged, match=r"no dl\.so-gegevens"):
        parse_profile(fixture("profile_no_dl.html"), REGISTER, [])


# --- a whole read ---------------------------------------------------------------------------


async def test_the_whole_register_is_read_with_a_profile_per_card() -> None:
    web = both_pages()
    result = await read(web)
    assert result.pages == 2 and len(result.observations) == 12
    assert [(r.method, r.url.raw_path.decode()) for r in web.requests[:5]] == [
        ("GET", "/robots.txt"),
        ("GET", "/register/"),
        ("POST", "/wp-json/wp/v2/kadence_query/query"),
        ("POST", "/wp-json/wp/v2/kadence_query/query"),
        ("GET", "/register/de-groene-fietser/"),
    ]
    posts = [r for r in web.requests if r.method == "POST"]
    assert [json.loads(r.content) for r in posts] == [
        {"ql_id": 4821, "paged": 1},
        {"ql_id": 4821, "paged": 2},
    ]
    assert {r.headers["X-WP-Nonce"] for r in posts} == {NONCE}
    assert all(r.url.host == "codeso.test" for r in web.requests)
    assert set(result.cards) == {o.holding_id for o in result.observations}


async def test_the_example_registration_is_read_completely() -> None:
    fietser = by_id(await read(both_pages()))["de-groene-fietser"]
    assert fietser.model_dump() == {
        "label": "codeso",
        "holding_id": "de-groene-fietser",
        "name": "De Groene Fietser",
        "place": "Zwolle",
        "kvk": ("81234567",),
        "website": "https://degroenefietser.nl/",
        "level": None,
        "pso30plus": False,
        "status": "geregistreerd",
        "valid_from": date(2022, 6, 14),
        "valid_until": date(2026, 6, 30),
        "counts": True,
        "source_url": f"{REGISTER}de-groene-fietser/",
        "themes": ("Arbeidsparticipatie", "Circulaire productie"),
        "summary": "Fietsenmakerij en leerwerkplaats voor mensen met een afstand tot de "
        "arbeidsmarkt.",
    }


async def test_only_registered_holdings_within_their_assessment_date_count() -> None:
    rows = by_id(await read(both_pages()))
    assert {hid for hid, o in rows.items() if o.counts} == {
        "de-groene-fietser",
        "stadsakkers-deventer",
        "koffie-en-kansen",
        "houtwerkplaats-goor",
        "groene-vingers",
        "digitale-dorpshuizen",
        "nep-onderneming",
        "soep-en-soul",
        "kringloop-twente",
    }
    assert rows["het-repair-lab"].counts is False  # aangevraagd
    assert rows["tweede-kans-techniek"].counts is False  # aspirant
    assert rows["wasserij-de-witte-was"].counts is False  # unknown status
    later = by_id(await read(both_pages(), date(2026, 7, 1)))["de-groene-fietser"]
    assert (
        later.counts is False
        and by_id(await read(both_pages(), date(2026, 6, 30)))["de-groene-fietser"].counts
    )


async def test_a_slug_listed_again_on_a_later_page_is_kept_once() -> None:
    result = await read(both_pages())
    assert [o.holding_id for o in result.observations].count("de-groene-fietser") == 1
    assert by_id(result)["de-groene-fietser"].place == "Zwolle"
    assert "page 2: de-groene-fietser listed again; first kept" in result.warnings


async def test_a_card_linking_to_another_host_is_kept_without_fetching_its_profile() -> None:
    web = both_pages()
    result = await read(web)
    assert "evil.example" not in {r.url.host for r in web.requests}
    nep = by_id(result)["nep-onderneming"]
    assert (nep.kvk, nep.website, nep.source_url) == ((), None, REGISTER)
    assert any(w.startswith("nep-onderneming: profile link") for w in result.warnings)


async def test_a_www_link_to_our_own_host_is_read_from_our_base_url() -> None:
    web = both_pages()
    kringloop = by_id(await read(web))["kringloop-twente"]
    assert kringloop.source_url == f"{REGISTER}kringloop-twente/" and kringloop.kvk
    assert "www.codeso.test" not in {r.url.host for r in web.requests}


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("https://codeso.test/register/x/", f"{REGISTER}x/"),
        ("http://codeso.test/register/x/", f"{REGISTER}x/"),
        ("https://WWW.Codeso.Test:443/register/x/?ref=kaart#top", f"{REGISTER}x/?ref=kaart"),
        ("https://codeso.test:8443/register/x/", None),
        ("https://codeso.test.evil.example/register/x/", None),
        ("https://evil.example/register/x/", None),
        ("javascript:alert(1)", None),
    ],
)
def test_profiles_are_read_from_our_own_origin_only(link: str, url: str | None) -> None:
    assert CodesoSource(BASE).profile_url(link) == url


async def test_a_missing_profile_page_leaves_the_card_facts_with_a_warning() -> None:
    result = await read(both_pages())
    soep = by_id(result)["soep-en-soul"]
    assert (soep.kvk, soep.source_url, soep.counts) == ((), REGISTER, True)
    assert "soep-en-soul: profile page answered HTTP 404; card facts only" in result.warnings


async def test_a_profile_that_lost_its_facts_list_fails_the_read() -> None:
    web = both_pages().html(f"{REGISTER}de-groene-fietser/", fixture("profile_no_dl.html"))
    with pytest.raises(FormatChanged, match=r"no dl\.so-gegevens"):
        await read(web)


# --- known holdings: profiles only for new or changed cards -----------------------------------


def profile_paths(web: FakeWeb) -> list[str]:
    return [
        r.url.raw_path.decode()
        for r in web.requests
        if r.method == "GET" and r.url.raw_path.decode().count("/") == 3
    ]


def known_from(result: SourceResult) -> dict[str, KnownHolding]:
    return {o.holding_id: KnownHolding(result.cards[o.holding_id], o) for o in result.observations}


async def test_unchanged_cards_reuse_the_last_observation_without_profile_requests() -> None:
    first = await read(both_pages())
    web = both_pages()
    second = await read(web, known=known_from(first))
    assert profile_paths(web) == []
    assert second.observations == first.observations and second.cards == first.cards


async def test_a_reused_observation_is_judged_again_for_the_day_of_the_run() -> None:
    first = await read(both_pages())
    known = known_from(first)
    known["de-groene-fietser"] = replace(
        known["de-groene-fietser"],
        observation=known["de-groene-fietser"].observation.model_copy(update={"counts": False}),
    )
    web = both_pages()
    fietser = by_id(await read(web, known=known))["de-groene-fietser"]
    assert fietser.counts is True and profile_paths(web) == []


async def test_a_changed_card_costs_exactly_its_own_profile_request() -> None:
    first = await read(both_pages())
    web = codeso_web(
        fixture("cards_page1.html").replace(">Zwolle<", ">Kampen<"), fixture("cards_page2.html")
    )
    second = await read(web, known=known_from(first))
    assert profile_paths(web) == ["/register/de-groene-fietser/"]
    assert by_id(second)["de-groene-fietser"].place == "Kampen"


async def test_an_expiring_holding_has_its_profile_read_again_before_it_stops_counting() -> None:
    first = await read(both_pages())
    web = both_pages().html(
        f"{REGISTER}de-groene-fietser/",
        fixture("profile_full.html").replace("juni 2026", "juni 2028"),
    )
    second = await read(web, date(2026, 7, 1), known=known_from(first))
    assert profile_paths(web) == ["/register/de-groene-fietser/", "/register/kringloop-twente/"]
    rows = by_id(second)
    fietser, kringloop = rows["de-groene-fietser"], rows["kringloop-twente"]
    assert (fietser.valid_until, fietser.counts, kringloop.counts) == (
        date(2028, 6, 30),
        True,
        False,
    )
    third = both_pages()
    await read(third, date(2026, 7, 2), known=known_from(second))
    assert profile_paths(third) == []


async def test_a_renewal_shown_only_on_the_profile_is_seen_before_any_reminder_is_due() -> None:
    # Within 90 days of the next assessment (the registry reminds from 60 days) the profile is
    # read again, conditionally, so a re-assessment that moved the date is not missed.
    first = await read(both_pages())
    renewed = fixture("profile_full.html").replace("juni 2026", "juni 2028")
    web = both_pages().html(f"{REGISTER}de-groene-fietser/", renewed)
    second = await read(web, date(2026, 5, 1), known=known_from(first))
    assert profile_paths(web) == ["/register/de-groene-fietser/", "/register/kringloop-twente/"]
    assert by_id(second)["de-groene-fietser"].valid_until == date(2028, 6, 30)
    third = both_pages()
    await read(third, date(2026, 5, 2), known=known_from(second))
    assert profile_paths(third) == ["/register/kringloop-twente/"]


# --- nonces and failures ----------------------------------------------------------------------


async def test_a_refused_nonce_is_renewed_once_from_the_register_page() -> None:
    register = Register(
        fixture("cards_page1.html"), fixture("cards_page2.html"), nonces=("0000000000", NONCE)
    )
    web = codeso_web(register=register)
    web.serve(REGISTER, *(httpx.Response(200, text=register_page(n)) for n in register.nonces))
    register.nonces.pop(0)  # the site rotated its nonce after we read the page
    result = await read(web)
    assert len(result.observations) == 12
    calls = [(r.method, r.url.raw_path.decode()) for r in web.requests[:6]]
    assert calls == [
        ("GET", "/robots.txt"),
        ("GET", "/register/"),
        ("POST", "/wp-json/wp/v2/kadence_query/query"),
        ("GET", "/register/"),
        ("POST", "/wp-json/wp/v2/kadence_query/query"),
        ("POST", "/wp-json/wp/v2/kadence_query/query"),
    ]
    assert register.bodies == [{"ql_id": 4821, "paged": 1}, {"ql_id": 4821, "paged": 2}]


async def test_a_nonce_refused_again_after_renewal_fails_the_read() -> None:
    register = Register(fixture("cards_page1.html"), nonces=("nooit-geldig",))
    web = codeso_web(register=register).html(REGISTER, register_page())
    with pytest.raises(FetchFailed, match="refused the nonce again") as failure:
        await read(web)
    assert failure.value.status == 403
    assert [r.url.raw_path.decode() for r in web.requests].count("/register/") == 2
    assert [r.method for r in web.requests].count("POST") == 2


async def test_other_errors_of_the_endpoint_fail_the_read_without_renewing() -> None:
    web = codeso_web(fixture("cards_page1.html")).serve(ENDPOINT, httpx.Response(404))
    with pytest.raises(FetchFailed, match="HTTP 404"):
        await read(web)
    assert [r.url.raw_path.decode() for r in web.requests].count("/register/") == 1


async def test_a_first_page_without_cards_is_a_format_change_not_an_empty_register() -> None:
    with pytest.raises(FormatChanged, match="page 1 of 1 has no cards"):
        await read(codeso_web("<p>Geen resultaten</p>"))


async def test_a_later_page_without_cards_fails_the_whole_read() -> None:
    with pytest.raises(FormatChanged, match="page 2 of 2 has no cards"):
        await read(codeso_web(fixture("cards_page1.html"), ""))


async def test_a_page_whose_cards_are_all_unreadable_is_a_format_change() -> None:
    unreadable = fixture("cards_page1.html").replace('class="entry-title"', 'class="titel"')
    with pytest.raises(FormatChanged, match="none of the 8 cards"):
        await read(codeso_web(unreadable))


async def test_a_register_claiming_too_many_pages_fails() -> None:
    web = codeso_web(*[fixture("cards_page1.html")] * 4)
    with pytest.raises(FormatChanged, match="claims 4 pages, more than 3"):
        await CodesoSource(BASE, max_pages=3).fetch(polite_client(web), TODAY)
    assert [r.method for r in web.requests].count("POST") == 1


async def test_a_maintenance_page_fails_before_any_query() -> None:
    web = codeso_web(fixture("cards_page1.html")).html(REGISTER, fixture("register_onderhoud.html"))
    with pytest.raises(FormatChanged, match="no kbp_query_loop_rest_endpoint"):
        await read(web)
    assert "POST" not in {r.method for r in web.requests}


async def test_robots_txt_is_obeyed_for_the_rest_endpoint_too() -> None:
    web = codeso_web(fixture("cards_page1.html")).serve(
        f"{BASE}/robots.txt", httpx.Response(200, text="User-agent: *\nDisallow: /wp-json/\n")
    )
    with pytest.raises(FetchFailed, match=r"robots\.txt"):
        await read(web)
    assert "POST" not in {r.method for r in web.requests}


# --- random hostile cards ---------------------------------------------------------------------


def _random_text(rng: random.Random) -> str:
    return random_markup(
        rng,
        "</a>",
        "</article>",
        "<!--",
        "&#x0;",
        "'\"",
        "é",
        " ",
        "Geregistreerd",
        "<li>",
        "https://evil.example/",
        "/register/",
        "x" * 500,
    )


def test_random_hostile_cards_give_clean_cards_or_rejections_never_a_crash() -> None:
    rng = random.Random(20250601)
    for _ in range(300):
        href = escape(_random_text(rng), quote=True)
        html = (
            '<article class="kb-query-item">'
            f'<h3 class="entry-title"><a href="{href}">{_random_text(rng)}</a></h3>'
            f'<span class="so-plaats">{_random_text(rng)}</span>'
            f'<span class="so-status">{_random_text(rng)}</span>'
            f'<ul class="so-impact"><li>{_random_text(rng)}</li></ul></article>'
        )
        articles = Selector(text=html).css("article")
        if not articles:
            continue
        try:
            card, _ = parse_card(articles[0], REGISTER)
        except CardRejected:
            continue
        assert card.name and "<" not in card.name and len(card.name) <= 200
        assert len(card.holding_id) <= 120 and "/" not in card.holding_id
        assert all("<" not in t and len(t) <= 80 for t in card.themes)


APPLIED_COUNTS = apply_overrides({"codeso": {"statuses": ["geregistreerd", "aangevraagd"]}})


def applied_web() -> FakeWeb:
    """Both pages, the applied registration's profile without its past assessment date."""
    return both_pages().html(f"{REGISTER}het-repair-lab/", fixture("profile_empty.html"))


async def test_applied_registrations_count_when_the_listing_policy_counts_them() -> None:
    rows = by_id(await read(applied_web(), policy=APPLIED_COUNTS.codeso))
    assert (rows["het-repair-lab"].status, rows["het-repair-lab"].counts) == ("aangevraagd", True)
    assert rows["tweede-kans-techniek"].counts is False  # aspirant
    assert rows["de-groene-fietser"].counts is True
    assert by_id(await read(applied_web()))["het-repair-lab"].counts is False
    expired = by_id(await read(both_pages(), policy=APPLIED_COUNTS.codeso))["het-repair-lab"]
    assert (expired.valid_until, expired.counts) == (date(2025, 2, 28), False)


async def test_a_reused_observation_is_judged_by_the_policy_of_this_run() -> None:
    first = await read(applied_web())
    web = applied_web()
    second = await read(web, known=known_from(first), policy=APPLIED_COUNTS.codeso)
    assert profile_paths(web) == []
    assert by_id(first)["het-repair-lab"].counts is False
    assert by_id(second)["het-repair-lab"].counts is True
