"""The knowledge pages at /kennis and the SROI calculator on an enterprise's page: Dutch,
versioned, with their sources; hostile Markdown stays inert; bad input gets a Dutch answer."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from services.gateway.knowledge.library import Knowledge, PagesError, load_pages
from services.gateway.knowledge.model import ModelFileError
from services.gateway.knowledge.rendering import render_markdown, safe_link
from tests.unit.gateway.bouwblokken_support import with_test_model
from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import holding, in_grace, listed

pytestmark = pytest.mark.unit

SLUGS = (
    "sroi",
    "pso",
    "code-sociale-ondernemingen",
    "social-enterprise-nl",
    "cedris-leerwerkbedrijf",
    "inkopen-via-het-platform",
)


def test_raw_html_and_unsafe_links_stay_inert() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) "
        "[d](//evil.example/) [e](mailto:a@b.example) [f](vbscript:x)\n\n"
        "[goed](https://www.pso-nederland.nl) [hier](/regios)"
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert html.count("<a ") == 2
    assert '<a href="https://www.pso-nederland.nl">goed</a>' in html
    assert '<a href="/regios">hier</a>' in html


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.example/x", True),
        ("http://a.example", True),
        ("/kennis/pso", True),
        ("pso#treden", True),
        ("https:///nohost", False),
        ("ftp://a.example", False),
        ("java\nscript:x", False),
    ],
)
def test_only_web_and_relative_links_are_safe(url: str, safe: bool) -> None:
    assert safe_link(url) is safe


def _pages_dir(tmp_path: Path, text: str, **entry: object) -> Path:
    page = {
        "slug": "proef",
        "title": "Proef",
        "summary": "Een proef.",
        "version": 1,
        "updated": "2026-12-08",
        "sources": [],
    } | entry
    (tmp_path / "manifest.json").write_text(json.dumps({"pages": [page]}), encoding="utf-8")
    (tmp_path / "proef.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_pages_load_with_version_date_and_sources() -> None:
    pages = load_pages()
    assert tuple(pages) == SLUGS
    assert all(page.entry.version >= 1 for page in pages.values())
    assert pages["sroi"].entry.shows_model


@pytest.mark.parametrize(
    ("text", "entry", "message"),
    [
        ("# Eigen titel\n", {}, "level-1 heading"),
        ("", {}, "is empty"),
        ("Tekst\n", {"slug": "Proef Pagina"}, r"pages\.0\.slug"),
        ("Tekst\n", {"sources": [{"title": "x", "url": "javascript:x"}]}, r"sources\.0\.url"),
        ("Tekst\n", {"geheim": True}, r"pages\.0\.geheim"),
        ("Tekst\n", {"slug": "andere"}, "Markdown without a manifest entry: proef"),
    ],
)
def test_broken_pages_are_refused_saying_where(
    tmp_path: Path, text: str, entry: dict[str, object], message: str
) -> None:
    with pytest.raises(PagesError, match=message):
        load_pages(_pages_dir(tmp_path, text, **entry))


async def test_index_lists_every_page_and_the_menu_links_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/kennis")
    assert response.status_code == 200
    html = response.text
    assert '<a href="/kennis">Kennis</a>' in html
    for slug in SLUGS:
        assert f'href="/kennis/{slug}"' in html
    assert "Versie 1, bijgewerkt op 8 december 2026" in html


async def test_sroi_page_shows_confirmed_values_and_omitted_rows(client: httpx.AsyncClient) -> None:
    response = await client.get("/kennis/sroi")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Social return (SROI) in Oost-Nederland</h1>" in html
    assert "Uniform Bouwblokkenmodel Oost Nederland, versie V05 (april 2023)" in html
    assert '<span class="amount">€ 30.000</span> per jaar' in html
    assert '<span class="amount">€ 750</span> per maand' in html
    assert "2 jaar; naar rato, omvang én arbeidsduur" in html
    assert "Waarde niet bevestigd." in html
    assert "Leerling BBL (leerbaan), niveau 3 en 4" in html
    assert 'href="https://impactoost.nl/bouwblokken"' in html
    assert 'href="/regios"' in html
    assert "Bronnen van deze pagina" in html


async def test_a_label_page_says_why_a_listing_disappears(client: httpx.AsyncClient) -> None:
    html = (await client.get("/kennis/pso")).text
    assert "Waarom verdwijnt een vermelding tijdens de hercertificering?" in html
    assert 'href="https://www.pso-nederland.nl"' in html
    assert "Versie 1" in html


async def test_unknown_page_is_a_dutch_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/kennis/bestaat-niet")
    assert response.status_code == 404
    assert "Kennispagina niet gevonden" in response.text


async def test_calculator_form_is_on_an_enterprise_page(client: httpx.AsyncClient) -> None:
    html = (await client.get("/ondernemingen/kringloop")).text
    assert "Rekenhulp social return" in html
    assert 'action="/ondernemingen/kringloop#sroi-rekenhulp"' in html
    assert '<label for="inkoopbedrag">' in html
    assert "Wij geven hier geen bedrag" not in html


async def test_shipped_model_gives_no_figure_and_names_the_rule(client: httpx.AsyncClient) -> None:
    html = (await client.get("/ondernemingen/kringloop?inkoopbedrag=10.000")).text
    assert "Wij geven hier geen bedrag." in html
    assert "‘Sociale inkoop bij een PSO 30+-gecertificeerd bedrijf’" in html
    assert "versie V05 (april 2023)" in html
    assert 'href="/kennis/sroi#bouwblokken"' in html
    assert 'value="10.000"' in html


async def test_pso_without_30plus_is_not_covered(client: httpx.AsyncClient) -> None:
    html = (await client.get("/ondernemingen/bakkerij-01?inkoopbedrag=500")).text
    assert "dekt inkoop bij deze onderneming niet" in html
    assert "PSO-certificaat zonder 30+" in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Dit is geen bedrag"),
        ("-10", "kan niet negatief zijn"),
        ("99999999999", "onwaarschijnlijk hoog"),
        ("<script>x</script>", "Dit is geen bedrag"),
    ],
)
async def test_bad_amount_gets_a_dutch_error_in_the_form(
    client: httpx.AsyncClient, typed: str, message: str
) -> None:
    response = await client.get("/ondernemingen/kringloop", params={"inkoopbedrag": typed})
    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "<script>x" not in response.text


async def test_a_confirmed_test_factor_gives_a_figure_with_rule_and_source() -> None:
    async with client_for(
        listed("kringloop", labels=(holding("pso", level="trede-3", pso30plus=True),)),
        listed("fietser", labels=(holding("codeso", level=None, status="geregistreerd"),)),
        listed("soweco", labels=(holding("cedris", level="leerwerkbedrijf"),)),
        listed("grace", labels=(in_grace(pso30plus=True),)),
        prepare=with_test_model,
    ) as client:
        html = (await client.get("/ondernemingen/kringloop?inkoopbedrag=12.345,67")).text
        assert "telt mee voor <strong>€ 9.876,54</strong>" in html
        assert "‘Sociale inkoop bij een PSO 30+-gecertificeerd bedrijf’" in html
        assert "80% van de factuurwaarde exclusief btw" in html
        assert "versie TEST" in html
        assert "TESTGEGEVENS: verzonnen factor 80%." in html
        capped = (await client.get("/ondernemingen/fietser?inkoopbedrag=10000")).text
        assert "<strong>€ 1.000,00</strong>" in capped and "Het maximum is bereikt." in capped
        sw = (await client.get("/ondernemingen/soweco?inkoopbedrag=10000")).text
        assert "Wij geven hier geen bedrag." in sw
        grace = (await client.get("/ondernemingen/grace?inkoopbedrag=10000")).text
        assert "hercertificering loopt nog" in grace


async def test_the_calculator_keeps_only_a_valid_carried_search(client: httpx.AsyncClient) -> None:
    kept = (
        await client.get("/ondernemingen/kringloop", params={"zoekopdracht": "q=kringloop"})
    ).text
    assert '<input type="hidden" name="zoekopdracht" value="q=kringloop">' in kept
    dropped = (
        await client.get("/ondernemingen/kringloop", params={"zoekopdracht": "//evil.example/"})
    ).text
    assert 'name="zoekopdracht"' not in dropped


def test_loading_at_start_up_stops_on_a_broken_model_file(tmp_path: Path) -> None:
    broken = tmp_path / "model.json"
    broken.write_text('{"model": "x"}', encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"model\.json: .*Field required"):
        Knowledge(model_file=broken).load()
    Knowledge().load()
