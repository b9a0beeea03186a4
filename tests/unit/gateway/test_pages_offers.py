"""The buyers' pages show what enterprises offer: a category facet of checkboxes, a
"Levert in" choice, categories on every result, and on the detail page the registry's
summary, the CPV codes and what the enterprise added itself, all escaped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.routing import NoMatchFound

from contracts.supplements import BuyersContact
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.pages.enterprises import supplement_url
from services.gateway.read_model.database import create_tables
from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import holding, listed, supplement
from tests.unit.gateway.offers import OFFERS

pytestmark = pytest.mark.unit

HOSTILE = '<script>alert("x")</script>'


async def _page(client: httpx.AsyncClient, url: str, status: int = 200) -> str:
    response = await client.get(url)
    assert response.status_code == status, response.text
    return response.text


async def test_search_form_offers_categories_as_checkboxes_with_counts(
    offers_client: httpx.AsyncClient,
) -> None:
    html = await _page(offers_client, "/?category=catering")
    assert "<legend>Aanbod</legend>" in html
    assert (
        '<input type="checkbox" id="category-catering" name="category" value="catering" checked>'
        in html
    )
    assert '<label for="category-catering">Catering <span class="count">(4)</span></label>' in html
    assert 'value="wasserij">' in html and 'Wasserij <span class="count">(0)</span>' in html
    assert "4 ondernemingen gevonden" in html


async def test_search_form_offers_the_regions_enterprises_deliver_in(
    offers_client: httpx.AsyncClient,
) -> None:
    html = await _page(offers_client, "/?delivery_area=Twente&category=catering")
    assert '<label for="delivery_area">Levert in</label>' in html
    assert '<option value="Twente" selected>Twente (3)</option>' in html
    assert '<option value="Food Valley">Food Valley (2)</option>' in html
    assert "3 ondernemingen gevonden" in html


async def test_pagination_keeps_category_and_delivery_filters(
    offers_client: httpx.AsyncClient,
) -> None:
    html = await _page(
        offers_client, "/?category=catering&category=schoonmaak&delivery_area=Twente&page_size=1"
    )
    assert (
        'href="/?category=catering&amp;category=schoonmaak&amp;delivery_area=Twente'
        '&amp;page_size=1&amp;page=2" rel="next"' in html
    )


async def test_result_cards_name_the_categories(offers_client: httpx.AsyncClient) -> None:
    html = await _page(offers_client, "/?q=arnhem")
    card = html[html.index('class="result"') :]
    assert '<span class="category">Catering</span>, ' in card
    assert '<span class="category">Re-integratie en arbeidsontwikkeling</span>' in card


async def test_detail_page_shows_categories_with_cpv_codes_derived_or_chosen(
    offers_client: httpx.AsyncClient,
) -> None:
    koks = await _page(offers_client, "/ondernemingen/koks")
    assert "<h3>Catering</h3>" in koks
    assert '<span class="cpv-code">55520000-1</span> Cateringdiensten' in koks
    assert '<span class="cpv-code">80530000-8</span>' in koks
    assert "afgeleid uit de labelregisters" in koks
    branderij = await _page(offers_client, "/ondernemingen/branderij")
    assert "gekozen door de onderneming" in branderij
    assert "<h3>Voeding en streekproducten</h3>" in branderij


async def test_detail_page_shows_the_registry_summary_and_which_register(
    offers_client: httpx.AsyncClient,
) -> None:
    html = await _page(offers_client, "/ondernemingen/lunchroom")
    assert "Lunchroom waar mensen met een afstand tot de arbeidsmarkt werken." in html
    assert "Zo beschrijft het register van PSO deze onderneming." in html
    assert "Aangevuld door de onderneming" not in html


async def test_detail_page_shows_the_supplement_with_its_date_and_contact(
    offers_client: httpx.AsyncClient,
) -> None:
    html = await _page(offers_client, "/ondernemingen/branderij")
    assert "Aangevuld door de onderneming op 10 maart 2026." in html
    assert (
        '<p class="text">Wij branden bonen uit eerlijke handel.\nOok voor uw kantoor.</p>' in html
    )
    assert "<dt>Trefwoorden</dt><dd>espresso, Fairtrade</dd>" in html
    assert "<li>Fleur Jansen</li>" in html
    assert '<a href="mailto:inkoop@branderij.example">inkoop@branderij.example</a>' in html
    koks = await _page(offers_client, "/ondernemingen/koks")
    assert "<dt>Levert in</dt><dd>heel Nederland</dd>" in koks


async def test_the_enterprise_s_own_website_and_phone_show_while_no_registry_gives_one() -> None:
    own = supplement(
        website="eigen.example/over-ons",
        contact=BuyersContact(phone="06-12345678"),
        delivery_areas=("Enschede", "Achterhoek"),
    )
    async with client_for(listed("e1", website=None, supplement=own)) as client:
        html = await _page(client, "/ondernemingen/e1")
    section = html[html.index("Aangevuld door de onderneming") :]
    assert '<a href="https://eigen.example/over-ons" rel="nofollow noopener">' in section
    assert '<a href="tel:0612345678">0612345678</a>' in section
    assert "<dt>Levert in</dt><dd>Enschede, Achterhoek</dd>" in section


async def test_hostile_text_in_a_supplement_is_escaped_and_links_stay_harmless() -> None:
    hostile = supplement(
        description=f"{HOSTILE}\n<b>vet</b>",
        keywords=("<img src=x onerror=alert(1)>",),
        contact=BuyersContact(name=HOSTILE, email="a?cc=evil@example.com"),
    )
    event = listed("e1", summary="<iframe src=x>", categories=("catering",), supplement=hostile)
    async with client_for(event) as client:
        detail = await _page(client, "/ondernemingen/e1")
        search = await _page(client, "/?q=alert")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;\n&lt;b&gt;vet&lt;/b&gt;" in detail
    assert "&lt;iframe src=x&gt;" in detail
    assert 'href="mailto:a%3Fcc%3Devil@example.com"' in detail
    for page in (detail, search):
        for raw in ("<script", "<img", "<b>", "<iframe"):
            assert raw not in page
    assert "1 onderneming gevonden" in search


async def test_no_link_to_complete_the_listing_while_the_gateway_serves_no_sign_in() -> None:
    app = FastAPI()

    @app.get("/probe")
    async def probe(request: Request) -> dict[str, str | None]:
        return {"url": supplement_url(request, "e1")}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        assert (await c.get("/probe")).json() == {"url": None}


@pytest.fixture
async def sign_in_client() -> AsyncIterator[httpx.AsyncClient]:
    """A gateway with a stand-in for the sign-in page of the supplement."""
    app: FastAPI = create_app(GatewaySettings(gateway_database_url="sqlite://"))
    try:
        app.url_path_for("supplement_sign_in", enterprise_id="e1")
    except NoMatchFound:
        app.add_api_route(
            "/ondernemingen/{enterprise_id}/aanvullen",
            lambda enterprise_id: PlainTextResponse(enterprise_id),
            name="supplement_sign_in",
        )
    create_tables(app.state.engine)
    record_enterprise_event(app.state.engine, listed("e1", labels=(holding(),)))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            yield c
    finally:
        app.state.engine.dispose()


async def test_the_detail_page_invites_the_enterprise_to_complete_its_listing(
    sign_in_client: httpx.AsyncClient,
) -> None:
    html = await _page(sign_in_client, "/ondernemingen/e1")
    assert (
        '<a href="http://127.0.0.1:8000/ondernemingen/e1/aanvullen">'
        "Bent u deze onderneming? Vul uw vermelding aan</a>" in html
    )


async def test_every_offer_page_renders(offers_client: httpx.AsyncClient) -> None:
    for event in OFFERS:
        await _page(offers_client, f"/ondernemingen/{event.enterprise.enterprise_id}")
