"""The buyers' pages: Dutch, escaped, usable without JavaScript, errors as Dutch pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import holding, listed

pytestmark = pytest.mark.unit

HOSTILE = '<script>alert("naam")</script> & Zn'


async def _page(client: httpx.AsyncClient, url: str, status: int = 200) -> str:
    response = await client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in response.text
    return response.text


async def test_search_page_shows_form_count_and_results_in_dutch(
    client: httpx.AsyncClient,
) -> None:
    html = await _page(client, "/")
    for text in (
        "Zoekterm",
        "Sorteren op",
        "Provincie",
        "Regio",
        "Gemeente",
        "Zoeken",
        "25 ondernemingen gevonden",
        "Code Sociale Ondernemingen",
        "Social Enterprise NL",
        "Cedris leerwerkbedrijf",
        "Utrecht (21)",
    ):
        assert text in html
    assert html.index("Aspirant Koffie") < html.index("Bakkerij 01")
    assert "<script" not in html


async def test_result_shows_label_level_validity_and_last_check(
    client: httpx.AsyncClient,
) -> None:
    html = await _page(client, "/?q=kringloop")
    assert "1 onderneming gevonden" in html
    assert (
        '<a href="http://gateway.test/ondernemingen/kringloop?zoekopdracht=q%3Dkringloop">'
        "Kringloop Twente</a>"
    ) in html
    assert "Trede 3, PSO 30+" in html
    assert "geldig tot 12 maart 2026" in html
    # verified 09:00 UTC, PSO scraped successfully until 09:05 UTC: the later one, local time
    assert "laatst gecontroleerd: 1 maart 2025 om 10:05" in html


async def test_footer_tells_when_each_registry_was_last_checked(
    client: httpx.AsyncClient,
) -> None:
    html = await _page(client, "/")
    assert "PSO: register laatst gecontroleerd op 1 maart 2025 om 10:05" in html
    assert "Code Sociale Ondernemingen: register nog niet gecontroleerd" in html


async def test_filters_keep_their_choices_and_pagination_keeps_the_filters(
    client: httpx.AsyncClient,
) -> None:
    html = await _page(client, "/?label=pso&province=utrecht&page_size=10&page=2")
    assert "20 ondernemingen gevonden" in html
    assert 'name="label" value="pso" checked>' in html
    assert '<label for="label-pso">PSO <span class="count">(20)</span></label>' in html
    assert '<option value="Utrecht" selected>Utrecht (20)</option>' in html
    assert 'href="/?label=pso&amp;province=utrecht&amp;page_size=10" rel="prev"' in html
    assert 'aria-current="page">2</a>' in html
    assert "Volgende" not in html


async def test_empty_form_fields_mean_no_filter(client: httpx.AsyncClient) -> None:
    html = await _page(client, "/?q=&label=&province=&region=&municipality=")
    assert "25 ondernemingen gevonden" in html


async def test_no_results_shows_the_empty_state(client: httpx.AsyncClient) -> None:
    html = await _page(client, "/?q=zeilmakerij")
    assert "Geen ondernemingen gevonden" in html
    assert "Probeer een andere zoekterm of kies minder filters." in html


async def test_detail_page_shows_the_enterprise(client: httpx.AsyncClient) -> None:
    html = await _page(client, "/ondernemingen/soweco")
    for text in (
        "<h1>Soweco</h1>",
        "Regio Zwolle",
        "61234567",
        "Arbeidsparticipatie",
        "Leerwerkbedrijf",
        "Basistrede",
        "geldig vanaf 12 maart 2024",
        "Bekijk in het register van Cedris leerwerkbedrijf",
        "Terug naar zoeken",
    ):
        assert text in html
    assert 'href="https://kringlooptwente.nl/" rel="nofollow noopener"' in html


async def test_unknown_enterprise_gets_a_dutch_404_page(client: httpx.AsyncClient) -> None:
    html = await _page(client, "/ondernemingen/niemand", status=404)
    assert "Onderneming niet gevonden" in html


async def test_unknown_page_gets_a_dutch_404_page(client: httpx.AsyncClient) -> None:
    assert "Pagina niet gevonden" in await _page(client, "/bestaat-niet", status=404)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "label=foo",
            "Onbekend label. Kies uit: PSO, Code Sociale Ondernemingen, "
            "Social Enterprise NL of Cedris leerwerkbedrijf.",
        ),
        ("page=0", "Het paginanummer moet een geheel getal van 1 tot en met 10000 zijn."),
        ("page=twee", "Het paginanummer moet een geheel getal van 1 tot en met 10000 zijn."),
        (
            "page_size=1000",
            "Het aantal per pagina moet een geheel getal van 1 tot en met 100 zijn.",
        ),
        ("q=" + "x" * 201, "De zoekterm mag hoogstens 200 tekens lang zijn."),
        ("municipality=" + "x" * 101, "De gemeente mag hoogstens 100 tekens lang zijn."),
        (
            "category=catering&category=taart",
            "Onbekende categorie. Kies een categorie uit de lijst bij „Aanbod”.",
        ),
        (
            "delivery_area=Atlantis",
            "Onbekende regio. Kies bij „Levert in” een arbeidsmarktregio uit de lijst.",
        ),
    ],
)
async def test_invalid_search_gets_a_dutch_422_page(
    client: httpx.AsyncClient,
    query: str,
    message: str,
) -> None:
    html = await _page(client, f"/?{query}", status=422)
    assert "Ongeldige zoekopdracht" in html
    assert message in html


async def test_stylesheet_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


@pytest.fixture
async def hostile_client() -> AsyncIterator[httpx.AsyncClient]:
    """A read model holding one enterprise whose published facts are all markup and tricks."""
    async with client_for(
        listed(
            "evil",
            name=HOSTILE,
            place="<img src=x onerror=alert(1)>",
            website="javascript:alert(1)",
            themes=("<b>vet</b>",),
            labels=(holding("pso", level="<i>trede</i>", source_url="javascript:alert(2)"),),
        ),
    ) as client:
        yield client


@pytest.mark.parametrize("url", ["/", "/ondernemingen/evil"])
async def test_hostile_names_and_links_are_escaped(
    hostile_client: httpx.AsyncClient,
    url: str,
) -> None:
    html = await _page(hostile_client, url)
    assert "&lt;script&gt;alert(&#34;naam&#34;)&lt;/script&gt; &amp; Zn" in html
    for raw in ("<script", "<img", "<b>", "<i>", "javascript:"):
        assert raw not in html


async def test_search_page_marks_an_enterprise_in_its_grace_period(
    grace_client: httpx.AsyncClient,
) -> None:
    html = await _page(grace_client, "/")
    assert "2 ondernemingen gevonden" in html
    assert "Verhuisd Bedrijf" not in html
    kringloop = html[html.index("Kringloop Twente") : html.index("Soweco")]
    assert "Hercertificering loopt, tot en met 11 april 2026" in kringloop
    assert "hercertificering loopt tot en met 11 april 2026" in kringloop
    soweco = html[html.index("Soweco") :]
    assert "Hercertificering loopt, tot en met" not in soweco
    assert "hercertificering loopt tot en met 11 april 2026" in soweco


async def test_detail_page_explains_the_grace_period_in_dutch(
    grace_client: httpx.AsyncClient,
) -> None:
    html = await _page(grace_client, "/ondernemingen/kringloop")
    assert "Hercertificering loopt, tot en met 11 april 2026." in html
    assert "Het label van deze onderneming is verlopen" in html
    assert "hercertificering loopt tot en met 11 april 2026" in html
    soweco = await _page(grace_client, "/ondernemingen/soweco")
    assert "Hercertificering loopt, tot en met" not in soweco
    assert "hercertificering loopt tot en met 11 april 2026" in soweco


async def test_an_enterprise_that_left_the_region_gets_the_dutch_410_page(
    grace_client: httpx.AsyncClient,
) -> None:
    html = await _page(grace_client, "/ondernemingen/verhuisd", status=410)
    assert "buiten de regio van dit overzicht is gevestigd" in html
