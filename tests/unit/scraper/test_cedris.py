"""Reading the Cedris member list: realistic pages, hostile pages, broken pages."""

from __future__ import annotations

import random
from datetime import date
from html import escape

import httpx
import pytest
from parsel import Selector

from contracts.labels import Observation
from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import CachedPage
from services.scraper.policy import apply_overrides
from services.scraper.sources.base import KnownHolding
from services.scraper.sources.cedris import (
    CedrisSource,
    ParsedPage,
    parse_member,
    parse_members_page,
)
from tests.unit.scraper.fakes import FakeWeb, fixture_reader, polite_client, random_markup

pytestmark = pytest.mark.unit
BASE = "https://www.cedris.nl"
LEDEN = f"{BASE}/leden/"
TODAY = date(2025, 6, 1)
fixture_page = fixture_reader("cedris")


def parsed(name: str = "leden.html") -> ParsedPage:
    return parse_members_page(fixture_page(name), LEDEN, TODAY, registry_site=BASE)


def by_id(name: str = "leden.html") -> dict[str, Observation]:
    return {m.observation.holding_id: m.observation for m in parsed(name).members}


def members_web(page: str) -> FakeWeb:
    return FakeWeb().html(LEDEN, page)


def test_the_member_page_yields_one_observation_per_member_in_page_order() -> None:
    assert [m.observation.holding_id for m in parsed().members] == [
        "soweco",
        "larmo",
        "vechtdal-werkt",
        "gemeente-hengelo",
        "op-wielen",
        "hof-van-salland",
        "twentewerk",
        "brandpunt",
        "ijsselwerk",
        "groen-en-techniek",
        "lochems-leerwerkbedrijf",
        "rijnstad-werkbedrijf",
        "achterhoek-werkt",
        "binnenwerk-tiel",
        "werkgeversservicepunt-vallei",
        "café-de-verbinding",
        "eemwerk",
    ]


def test_the_example_member_of_the_format_is_read_completely() -> None:
    assert by_id()["soweco"].model_dump() == {
        "label": "cedris",
        "holding_id": "soweco",
        "name": "Soweco",
        "place": "Zwolle",
        "kvk": (),
        "website": "https://soweco.nl/",
        "level": "leerwerkbedrijf",
        "pso30plus": False,
        "status": "lid",
        "valid_from": None,
        "valid_until": None,
        "counts": True,
        "source_url": LEDEN,
        "themes": (),
        "summary": None,
    }


def test_every_member_kind_is_normalised_and_only_the_two_qualifying_kinds_count() -> None:
    kinds = {hid: (o.level, o.status, o.counts) for hid, o in by_id().items()}
    assert kinds["soweco"] == ("leerwerkbedrijf", "lid", True)
    assert kinds["larmo"] == ("sociaal-ontwikkelbedrijf", "lid", True)
    assert kinds["vechtdal-werkt"] == ("sociaal-ontwikkelbedrijf", "lid", True)
    assert kinds["gemeente-hengelo"] == ("gemeente", "lid", False)
    assert kinds["op-wielen"] == ("sociale-onderneming", "lid", False)
    assert kinds["binnenwerk-tiel"] == ("overig", "lid", False)


def test_an_unknown_member_kind_is_kept_as_published_but_does_not_count() -> None:
    unknown = by_id()["werkgeversservicepunt-vallei"]
    assert (unknown.level, unknown.counts) == ("werkgeversservicepunt", False)
    assert any("werkgeversservicepunt-vallei: unknown member type" in w for w in parsed().warnings)


def test_a_member_without_a_kind_does_not_count_and_one_without_a_place_has_none() -> None:
    no_kind = by_id()["café-de-verbinding"]
    assert (no_kind.name, no_kind.level, no_kind.counts) == ("Café De Verbinding", None, False)
    assert any("café-de-verbinding: no member type published" in w for w in parsed().warnings)
    no_place = by_id()["achterhoek-werkt"]
    assert (no_place.place, no_place.counts) == (None, True)


async def test_membership_is_undated_so_it_counts_the_same_whatever_today_is() -> None:
    web = members_web(fixture_page("leden.html"))
    early = await CedrisSource(BASE).fetch(polite_client(web), date(2000, 1, 1))
    late = await CedrisSource(BASE).fetch(polite_client(web), date(2100, 1, 1))
    assert early.observations == late.observations
    assert all(o.valid_from is None and o.valid_until is None for o in late.observations)


def test_member_websites_are_normalised_to_their_host() -> None:
    rows = by_id()
    assert rows["soweco"].website == "https://soweco.nl/"
    assert rows["larmo"].website == "https://larmo-werkbedrijf.nl/"  # upper case, path, query
    assert rows["vechtdal-werkt"].website == "https://vechtdalwerkt.nl/"  # protocol-relative
    assert rows["op-wielen"].website == "https://opwielen-deventer.nl/"  # no scheme at all
    assert rows["gemeente-hengelo"].website == "https://hengelo.nl/"


def test_links_that_are_not_a_members_website_are_ignored_with_a_warning() -> None:
    rows, warnings = by_id(), parsed().warnings
    assert rows["twentewerk"].website is None  # javascript:
    assert rows["brandpunt"].website is None  # mailto:
    assert rows["ijsselwerk"].website is None  # relative: a page of the registry itself
    assert rows["binnenwerk-tiel"].website is None  # absolute link back to the registry
    assert any("twentewerk: link 'javascript:" in w for w in warnings)
    assert any("brandpunt: link 'mailto:" in w for w in warnings)
    assert any("ijsselwerk: link points into the registry's own site" in w for w in warnings)
    assert any("binnenwerk-tiel: link points at the registry's own site" in w for w in warnings)


def test_a_member_without_a_link_has_no_website() -> None:
    assert by_id()["hof-van-salland"].website is None
    item = Selector(text='<li class="lid" data-lid="x"><a class="lid__naam">Naam</a></li>')
    observation, notes = parse_member(item.css("li")[0], LEDEN, TODAY)
    assert (observation.name, observation.website, notes[0]) == (
        "Naam",
        None,
        "no member type published",
    )


def test_entities_are_decoded_in_names_and_ids() -> None:
    rows = by_id()
    assert rows["brandpunt"].name == "Koffiebranderij 't Brandpunt"
    assert rows["café-de-verbinding"].name == "Café De Verbinding"


def test_hostile_markup_never_reaches_an_observation() -> None:
    rows = by_id()
    assert rows["twentewerk"].name == "Twentewerk Leerwerkbedrijf"
    assert rows["twentewerk"].place == "Enschede"
    assert rows["brandpunt"].place == "Zwolle"
    assert rows["ijsselwerk"].name == "IJsselwerk Facilitair B.V. kcab"
    for observation in rows.values():
        for text in (observation.name, observation.place or "", observation.level or ""):
            assert "<" not in text and "script" not in text.lower() and "\u202e" not in text


def test_overlong_fields_are_capped() -> None:
    long = by_id()["groen-en-techniek"]
    assert len(long.name) <= 200 and long.name.endswith("…")
    assert long.name.startswith("Leerwerkbedrijf Groen en Techniek Twente")
    assert long.place is not None and len(long.place) <= 120 and long.counts


def test_members_without_an_id_or_a_readable_name_are_skipped_with_a_warning() -> None:
    page = parsed()
    assert "alleen-script" not in by_id()
    assert not any("Zonder Lidnummer" in m.observation.name for m in page.members)
    assert any("(Overijssel): member skipped: no member id" in w for w in page.warnings)
    assert any("member alleen-script has no name" in w for w in page.warnings)
    assert page.items == 20 and len(page.members) == 17


def test_a_member_listed_under_two_provinces_is_kept_once_as_first_listed() -> None:
    page = parsed()
    lochem = [m for m in page.members if m.observation.holding_id == "lochems-leerwerkbedrijf"]
    assert len(lochem) == 1
    assert (lochem[0].province, lochem[0].observation.name) == (
        "Overijssel",
        "Lochems Leerwerkbedrijf",
    )
    assert any(
        "lochems-leerwerkbedrijf listed again under 'Gelderland' (first under 'Overijssel')" in w
        for w in page.warnings
    )


def test_the_province_is_kept_beside_the_observation_not_in_it() -> None:
    provinces = {m.observation.holding_id: m.province for m in parsed().members}
    assert provinces["soweco"] == "Overijssel"
    assert provinces["rijnstad-werkbedrijf"] == "Gelderland"
    assert provinces["eemwerk"] == "Utrecht"  # no data-provincie: the heading names it
    assert "province" not in Observation.model_fields


def test_a_section_naming_no_province_still_yields_its_members_with_a_warning() -> None:
    page = fixture_page("leden.html").replace("<h2>Utrecht</h2>", "")
    result = parse_members_page(page, LEDEN, TODAY)
    eemwerk = next(m for m in result.members if m.observation.holding_id == "eemwerk")
    assert eemwerk.province is None and eemwerk.observation.counts
    assert any("province section 3 names no province" in w for w in result.warnings)


def test_members_outside_the_province_sections_or_in_templates_are_ignored() -> None:
    assert "uitgelicht-zwolle" not in by_id() and "sjabloon" not in by_id()
    assert not any("sjabloon" in w for w in parsed().warnings)


def test_a_page_without_province_sections_is_a_format_change() -> None:
    with pytest.raises(FormatChanged, match=r"no section\.leden-provincie"):
        parsed("no_sections.html")


def test_a_province_section_without_its_member_list_is_a_format_change() -> None:
    with pytest.raises(FormatChanged, match=r"province 'Gelderland' has no ul\.leden"):
        parsed("section_without_list.html")


def test_list_entries_that_are_no_longer_li_lid_are_a_format_change() -> None:
    page = fixture_page("leden.html").replace('class="lid"', 'class="member"')
    with pytest.raises(FormatChanged, match=r"lists entries that are not li\.lid"):
        parse_members_page(page, LEDEN, TODAY)


def test_a_page_whose_lists_are_all_empty_is_a_format_change_not_an_empty_register() -> None:
    with pytest.raises(FormatChanged, match="member lists are empty"):
        parsed("empty_lists.html")


def test_a_page_whose_members_are_all_unreadable_is_a_format_change() -> None:
    page = fixture_page("leden.html").replace("data-lid=", "data-id=")
    with pytest.raises(FormatChanged, match=r"none of the 20 members.*no member id"):
        parse_members_page(page, LEDEN, TODAY)


async def test_the_whole_list_is_one_request_for_the_members_page() -> None:
    web = members_web(fixture_page("leden.html"))
    result = await CedrisSource(BASE).fetch(polite_client(web), TODAY)
    assert web.paths() == ["/robots.txt", "/leden/"]
    assert result.pages == 1 and len(result.observations) == 17
    assert sum(o.counts for o in result.observations) == 11
    assert result.cards == {}
    assert all(o.source_url == LEDEN for o in result.observations)
    assert any("listed again" in w for w in result.warnings)


async def test_known_holdings_change_nothing_for_a_single_page_registry() -> None:
    web = members_web(fixture_page("leden.html"))
    first = await CedrisSource(BASE).fetch(polite_client(web), TODAY)
    known = {o.holding_id: KnownHolding("kaart", o) for o in first.observations}
    again = await CedrisSource(BASE + "/").fetch(polite_client(web), TODAY, known)
    assert again.observations == first.observations
    assert web.paths().count("/leden/") == 2


async def test_an_unchanged_members_page_is_reused_after_a_304() -> None:
    def not_modified(request: httpx.Request) -> httpx.Response:
        assert request.headers["If-None-Match"] == '"v1"'
        return httpx.Response(304)

    web = FakeWeb().serve(LEDEN, not_modified)
    cache = {LEDEN: CachedPage(etag='"v1"', body=fixture_page("leden.html"))}
    client = polite_client(web, cache_in=cache)
    result = await CedrisSource(BASE).fetch(client, TODAY)
    assert len(result.observations) == 17
    assert client.counters.not_modified == 1 and client.counters.pages_fetched == 0


async def test_a_members_page_that_changed_format_fails_the_read() -> None:
    web = members_web(fixture_page("no_sections.html"))
    with pytest.raises(FormatChanged, match=r"https://www\.cedris\.nl/leden/: no section"):
        await CedrisSource(BASE).fetch(polite_client(web), TODAY)


async def test_a_missing_members_page_fails_the_read() -> None:
    with pytest.raises(FetchFailed, match="HTTP 404"):
        await CedrisSource(BASE).fetch(polite_client(FakeWeb()), TODAY)


def _random_text(rng: random.Random) -> str:
    return random_markup(
        rng,
        "</li>",
        "<!--",
        "]]>",
        "&#x0;",
        "'\"",
        "é",
        " ",
        "javascript:",
        "https://www.",
        "Leerwerkbedrijf",
        "<span class='lid__type'>",
        "x" * 500,
    )


def test_random_hostile_members_give_clean_observations_or_rejections_never_a_crash() -> None:
    rng = random.Random(20250601)
    for _ in range(300):
        href = escape(_random_text(rng), quote=True)
        lid = escape(_random_text(rng), quote=True)
        item = (
            f'<ul><li class="lid" data-lid="{lid}"><a class="lid__naam" href="{href}">'
            f'{_random_text(rng)}</a><span class="lid__plaats">{_random_text(rng)}</span>'
            f'<span class="lid__type">{_random_text(rng)}</span></li></ul>'
        )
        items = Selector(text=item).css("li.lid")
        if not items:
            continue
        try:
            observation, _ = parse_member(items[0], LEDEN, TODAY, "https://cedris.nl/")
        except ValueError:
            continue
        assert observation.name and "<" not in observation.name
        assert len(observation.name) <= 200 and len(observation.holding_id) <= 120
        assert observation.website is None or observation.website.startswith("https://")
        assert observation.counts == (
            observation.level in ("leerwerkbedrijf", "sociaal-ontwikkelbedrijf")
        )


async def test_municipalities_count_when_the_listing_policy_counts_their_member_type() -> None:
    kinds = ["leerwerkbedrijf", "sociaal-ontwikkelbedrijf", "gemeente"]
    policy = apply_overrides({"cedris": {"levels": kinds}}).cedris
    web = members_web(fixture_page("leden.html"))
    result = await CedrisSource(BASE, policy=policy).fetch(polite_client(web), TODAY)
    rows = {o.holding_id: o for o in result.observations}
    assert (rows["gemeente-hengelo"].level, rows["gemeente-hengelo"].counts) == ("gemeente", True)
    assert rows["op-wielen"].counts is False  # sociale onderneming
    assert sum(o.counts for o in result.observations) == 12
