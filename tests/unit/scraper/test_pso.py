"""Reading the PSO register: realistic pages, hostile pages, broken pages."""

from __future__ import annotations

import random
from datetime import date
from html import escape

import pytest
from parsel import Selector

from contracts.labels import Observation
from services.scraper.errors import FormatChanged
from services.scraper.policy import apply_overrides
from services.scraper.sources.pso import PsoSource, parse_register_page, parse_row
from tests.unit.scraper.fakes import (
    BASE,
    FakeWeb,
    fixture_page,
    polite_client,
    random_markup,
    register_web,
)

pytestmark = pytest.mark.unit
TODAY = date(2025, 6, 1)
PAGE1 = f"{BASE}/pso-register/?pagina=1"


def by_id(page_name: str) -> dict[str, Observation]:
    parsed = parse_register_page(fixture_page(page_name), PAGE1, TODAY)
    return {o.holding_id: o for o in parsed.observations}


def test_a_register_page_yields_one_observation_per_certificate() -> None:
    parsed = parse_register_page(fixture_page("page1.html"), PAGE1, TODAY)
    assert [o.holding_id for o in parsed.observations] == [
        "PSO-2024-0153",
        "PSO-2023-0161",
        "PSO-2024-0172",
        "PSO-2024-0194",
        "PSO-2025-0289",
        "PSO-2024-0217",
        "PSO-2023-0346",
        "PSO-2025-0221",
    ]
    assert parsed.next_href == "/pso-register/?pagina=2"


def test_the_example_row_of_the_format_is_read_completely() -> None:
    kringloop = parse_register_page(fixture_page("page1.html"), PAGE1, TODAY).observations[0]
    assert kringloop.model_dump() == {
        "label": "pso",
        "holding_id": "PSO-2024-0153",
        "name": "Kringloop Twente B.V.",
        "place": "Enschede",
        "kvk": ("06123456", "61234567"),
        "website": None,
        "level": "trede-3",
        "pso30plus": True,
        "status": "gecertificeerd",
        "valid_from": date(2024, 3, 12),
        "valid_until": date(2026, 3, 12),
        "counts": True,
        "source_url": f"{BASE}/pso-register/certificaat/PSO-2024-0153",
        "themes": (),
        "summary": None,
    }


ROW = """<table class="pso-register"><tbody>
<tr data-certificaat="PSO-2025-0001"><td class="organisatie">{cell}</td><td class="plaats">Goor</td>
<td class="kvk">12345678</td><td class="niveau">Trede 2</td><td class="ingang">01-01-2025</td>
<td class="geldig">01-01-2027</td></tr></tbody></table>"""


@pytest.mark.parametrize(
    "cell",
    [
        "Zonder Link B.V.",
        '<a href="https://zonderlink.example/">Eigen Site B.V.</a>',
        '<a href="javascript:alert(1)">Script B.V.</a>',
        '<a href="//elders.example/pso-register/certificaat/PSO-2025-0001">Elders B.V.</a>',
        f'<a href="/pso-register/certificaat/{"x" * 1000}">Lang B.V.</a>',
    ],
)
def test_without_a_link_to_its_certificate_a_row_points_at_its_register_page(cell: str) -> None:
    observation = parse_register_page(ROW.format(cell=cell), PAGE1, TODAY).observations[0]
    assert observation.source_url == PAGE1


def test_a_relative_certificate_link_is_resolved_against_the_register_page() -> None:
    cell = '<a href="certificaat/PSO-2025-0001">Relatief B.V.</a>'
    observation = parse_register_page(ROW.format(cell=cell), PAGE1, TODAY).observations[0]
    assert observation.source_url == f"{BASE}/pso-register/certificaat/PSO-2025-0001"


def test_every_level_is_normalised_and_only_certified_levels_count() -> None:
    rows = by_id("page1.html")
    levels = {hid: (o.level, o.status, o.counts) for hid, o in rows.items()}
    assert levels["PSO-2023-0161"] == ("trede-2", "gecertificeerd", True)
    assert levels["PSO-2024-0172"] == ("trede-1", "gecertificeerd", True)
    assert levels["PSO-2024-0194"] == ("basistrede", "gecertificeerd", True)
    assert levels["PSO-2025-0289"] == ("aspirant", "aspirant", False)


def test_pso_30_plus_is_read_from_the_mark_or_the_text() -> None:
    assert by_id("page1.html")["PSO-2024-0153"].pso30plus is True
    assert by_id("page1.html")["PSO-2025-0221"].pso30plus is False
    plain = by_id("page2.html")["PSO-2024-0312"]
    assert (plain.level, plain.pso30plus) == ("trede-3", True)


def test_a_certificate_valid_until_before_today_does_not_count() -> None:
    expired = by_id("page1.html")["PSO-2023-0346"]
    assert expired.valid_until == date(2025, 5, 10)
    assert expired.counts is False
    assert by_id("page1.html")["PSO-2023-0161"].counts is True


def test_a_certificate_valid_until_today_still_counts() -> None:
    parsed = parse_register_page(fixture_page("page1.html"), PAGE1, date(2025, 5, 10))
    assert {o.holding_id: o.counts for o in parsed.observations}["PSO-2023-0346"] is True


def test_kvk_numbers_in_every_published_form_are_normalised() -> None:
    rows = by_id("page1.html")
    assert rows["PSO-2024-0172"].kvk == ("05123487",)
    assert rows["PSO-2024-0194"].kvk == ("08012345",)
    assert rows["PSO-2024-0217"].kvk == ()
    assert rows["PSO-2025-0221"].kvk == ("09125566", "09125567")
    page2 = by_id("page2.html")
    assert page2["PSO-2024-0255"].kvk == ("71234590",)
    assert page2["PSO-2024-0268"].kvk == ("05543210",)


def test_an_invalid_kvk_number_is_dropped_with_a_warning() -> None:
    parsed = parse_register_page(fixture_page("page1.html"), PAGE1, TODAY)
    assert any("PSO-2025-0221" in w and "'12345'" in w for w in parsed.warnings)


def test_entities_are_decoded_in_names() -> None:
    rows = by_id("page1.html")
    assert rows["PSO-2024-0194"].name == "Schoonmaakbedrijf Helder & Co"
    assert rows["PSO-2023-0346"].name == "Café-Restaurant Het Pakhuis"


def test_hostile_markup_never_reaches_an_observation() -> None:
    parsed = parse_register_page(fixture_page("page2.html"), PAGE1, TODAY)
    rows = {o.holding_id: o for o in parsed.observations}
    assert rows["PSO-2024-0236"].name == "Houtwerkplaats Goor"
    assert rows["PSO-2024-0236"].place == "Goor"
    assert rows["PSO-2024-0255"].name == "Koffiebranderij 't Brandpunt"
    assert rows["PSO-2024-0255"].place == "Zwolle"
    assert rows["PSO-2024-0268"].name == "IJsselwerk Facilitair B.V. kcab"
    for observation in parsed.observations:
        for text in (observation.name, observation.place or ""):
            assert "<" not in text and "script" not in text.lower() and "\u202e" not in text


def test_overlong_fields_are_capped() -> None:
    long = by_id("page2.html")["PSO-2024-0274"]
    assert len(long.name) <= 200 and long.name.endswith("…")
    assert long.name.startswith("Groene Vingers Hoveniers en Groenvoorziening")
    assert long.place is not None and len(long.place) <= 120


def test_rows_without_number_or_readable_name_are_skipped_with_a_warning() -> None:
    parsed = parse_register_page(fixture_page("page2.html"), PAGE1, TODAY)
    ids = [o.holding_id for o in parsed.observations]
    assert "PSO-2024-0299" not in ids
    assert not any("Zonder Certificaatnummer" in o.name for o in parsed.observations)
    assert any("no certificate number" in w for w in parsed.warnings)
    assert any("PSO-2024-0299 has no organisation name" in w for w in parsed.warnings)
    assert parsed.rows == 8 and len(ids) == 6


def test_an_impossible_date_is_left_empty_with_a_warning() -> None:
    parsed = parse_register_page(fixture_page("page2.html"), PAGE1, TODAY)
    brandpunt = {o.holding_id: o for o in parsed.observations}["PSO-2024-0255"]
    assert brandpunt.valid_from is None and brandpunt.valid_until == date(2026, 3, 1)
    assert any("PSO-2024-0255" in w and "ingangsdatum unreadable" in w for w in parsed.warnings)


def test_a_page_without_the_register_table_is_a_format_change() -> None:
    with pytest.raises(FormatChanged, match=r"no table\.pso-register"):
        parse_register_page(fixture_page("no_table.html"), PAGE1, TODAY)


async def test_the_whole_register_is_read_across_pages() -> None:
    web = register_web("page1.html", "page2.html", "page3.html")
    result = await PsoSource(BASE).fetch(polite_client(web), TODAY)
    assert result.pages == 3
    assert len(result.observations) == 8 + 5 + 2
    assert web.paths() == [
        "/robots.txt",
        "/pso-register/?pagina=1",
        "/pso-register/?pagina=2",
        "/pso-register/?pagina=3",
    ]
    assert all(
        o.source_url == f"{BASE}/pso-register/certificaat/{o.holding_id}"
        for o in result.observations
    )


async def test_a_certificate_listed_again_on_a_later_page_is_kept_once() -> None:
    web = register_web("page1.html", "page2.html", "page3.html")
    result = await PsoSource(BASE).fetch(polite_client(web), TODAY)
    ids = [o.holding_id for o in result.observations]
    assert ids.count("PSO-2024-0153") == 1
    first = next(o for o in result.observations if o.holding_id == "PSO-2024-0153")
    assert first.kvk == ("06123456", "61234567")
    assert any("PSO-2024-0153 listed again" in w for w in result.warnings)


async def test_an_empty_table_on_page_one_is_a_format_change_not_an_empty_register() -> None:
    web = register_web("empty_tbody.html")
    with pytest.raises(FormatChanged, match="empty on page 1"):
        await PsoSource(BASE).fetch(polite_client(web), TODAY)


async def test_a_missing_table_on_a_later_page_fails_the_whole_read() -> None:
    web = register_web("page1.html", "no_table.html")
    with pytest.raises(FormatChanged, match="pagina=2"):
        await PsoSource(BASE).fetch(polite_client(web), TODAY)


async def test_pagination_that_loops_back_is_detected() -> None:
    web = FakeWeb()
    for number in (1, 2):
        web.html(f"{BASE}/pso-register/?pagina={number}", fixture_page("page1.html"))
    with pytest.raises(FormatChanged, match="loops back"):
        await PsoSource(BASE).fetch(polite_client(web), TODAY)
    assert web.paths().count("/pso-register/?pagina=2") == 1


async def test_a_register_with_more_pages_than_the_limit_fails() -> None:
    web = FakeWeb()
    for number in range(1, 5):
        page = fixture_page("page3.html").replace(
            "</nav>", f'<a rel="next" href="/pso-register/?pagina={number + 1}">Volgende</a></nav>'
        )
        web.html(f"{BASE}/pso-register/?pagina={number}", page)
    with pytest.raises(FormatChanged, match="more than 3 pages"):
        await PsoSource(BASE, max_pages=3).fetch(polite_client(web), TODAY)


async def test_a_next_link_leaving_the_site_is_not_followed() -> None:
    page = fixture_page("page3.html").replace(
        "</nav>", '<a rel="next" href="https://elders.example/register?p=2">Volgende</a></nav>'
    )
    web = FakeWeb().html(f"{BASE}/pso-register/?pagina=1", page)
    with pytest.raises(FormatChanged, match="leaves the site"):
        await PsoSource(BASE).fetch(polite_client(web), TODAY)
    assert all(r.url.host == "pso.test" for r in web.requests)


async def test_a_page_whose_rows_are_all_unreadable_is_a_format_change() -> None:
    page = fixture_page("page3.html").replace("data-certificaat=", "data-nummer=")
    web = FakeWeb().html(f"{BASE}/pso-register/?pagina=1", page)
    with pytest.raises(FormatChanged, match="none of the 2 rows"):
        await PsoSource(BASE).fetch(polite_client(web), TODAY)


def _random_cell(rng: random.Random) -> str:
    return random_markup(
        rng,
        "</td>",
        "<!--",
        "]]>",
        "&#x0;",
        "'\"",
        "é",
        " ",
        "12-03-2024",
        "0612 3456",
        "Trede 3",
        "PSO 30+",
        "<td class='kvk'>",
        "x" * 500,
    )


def test_random_hostile_rows_give_clean_observations_or_warnings_never_a_crash() -> None:
    rng = random.Random(20240312)
    for _ in range(300):
        cells = {
            c: _random_cell(rng)
            for c in ("organisatie", "plaats", "kvk", "niveau", "ingang", "geldig")
        }
        row_html = "".join(f'<td class="{c}">{v}</td>' for c, v in cells.items())
        number = escape(_random_cell(rng), quote=True)
        html = f'<table><tr data-certificaat="{number}">{row_html}</tr></table>'
        rows = Selector(text=html).xpath("//tr")
        if not rows:
            continue
        try:
            observation, _ = parse_row(rows[0], PAGE1, TODAY)
        except ValueError:
            continue
        assert observation.name and "<" not in observation.name
        assert len(observation.name) <= 200 and len(observation.holding_id) <= 120
        assert all(len(k) == 8 and k.isdigit() for k in observation.kvk)


async def test_aspirants_count_when_the_listing_policy_counts_their_status() -> None:
    policy = apply_overrides({"pso": {"statuses": ["gecertificeerd", "aspirant"]}}).pso
    web = register_web("page1.html", "page2.html", "page3.html")
    result = await PsoSource(BASE, policy=policy).fetch(polite_client(web), TODAY)
    rows = {o.holding_id: o for o in result.observations}
    assert (rows["PSO-2025-0289"].status, rows["PSO-2025-0289"].counts) == ("aspirant", True)
    assert rows["PSO-2023-0346"].counts is False  # expired, whatever the policy
    assert by_id("page1.html")["PSO-2025-0289"].counts is False  # the default policy
