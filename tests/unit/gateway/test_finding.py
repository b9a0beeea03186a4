"""Finding on the buyers' pages and API: several labels at once, reserved contracts
(article 2.82), back to the same search, labels without end date, the certificate's own page,
and the page of an enterprise that is no longer listed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from contracts.enterprises import EnterpriseEvent
from services.gateway.pages.search_links import back_to_search
from services.gateway.read_model.listing_terms import NO_END, listing_ends, reserved_contracts
from services.gateway.read_model.search_query import SearchQuery, search_from_query_string
from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import delisted, holding, in_grace, listed, moved_away

pytestmark = pytest.mark.unit

CERTIFICATE = "https://www.pso-nederland.nl/pso-register/certificaat/PSO-2024-0153"
MEMBERSHIP = holding("senl", level="lid", status="lid", valid_from=None, valid_until=None)
ENTERPRISES: list[EnterpriseEvent] = [
    listed(
        "kringloop",
        name="Kringloop Twente",
        categories=("catering",),
        labels=(holding("pso", pso30plus=True, source_url=CERTIFICATE),),
    ),
    listed("groenwerk", name="Groenwerk", labels=(holding("pso"),)),
    listed("tunga", name="Tunga", labels=(MEMBERSHIP,)),
    listed("soweco", name="Soweco", labels=(holding("cedris", level="leerwerkbedrijf"),)),
    listed("fietser", name="De Groene Fietser", labels=(holding("codeso", level=None),)),
    listed("verlopen", name="Bakkerij Verlopen", categories=("catering", "schoonmaak")),
    delisted("verlopen", name="Bakkerij Verlopen", categories=("catering", "schoonmaak")),
    listed("verhuisd", name="Verhuisd Bedrijf"),
    moved_away("verhuisd", name="Verhuisd Bedrijf"),
]


@pytest.fixture
async def finding_client() -> AsyncIterator[httpx.AsyncClient]:
    """Five listed enterprises with each label, one with PSO 30+, and two gone."""
    async with client_for(*ENTERPRISES) as client:
        yield client


def result_ids(html: str) -> list[str]:
    """The enterprises the search page lists, in order."""
    results = html[html.index('<ol class="result-list">') :]
    return [part.split("?")[0].split('"')[0] for part in results.split("/ondernemingen/")[1:]]


async def test_several_labels_are_chosen_with_checkboxes_and_counted(
    finding_client: httpx.AsyncClient,
) -> None:
    html = (await finding_client.get("/?label=senl&label=cedris")).text
    assert "2 ondernemingen gevonden" in html
    assert result_ids(html) == ["soweco", "tunga"]
    for code, name, checked, count in [
        ("pso", "PSO", "", 2),
        ("senl", "Social Enterprise NL", " checked", 1),
        ("cedris", "Cedris leerwerkbedrijf", " checked", 1),
    ]:
        assert f'id="label-{code}" name="label" value="{code}"{checked}>' in html
        assert f'<label for="label-{code}">{name} <span class="count">({count})</span>' in html


async def test_reserved_contracts_filter_keeps_pso_30_plus_and_explains_article_2_82(
    finding_client: httpx.AsyncClient,
) -> None:
    everything = (await finding_client.get("/")).text
    reserved = (await finding_client.get("/?reserved=true")).text
    assert 'opdrachten (artikel 2.82) <span class="count">(1)</span>' in everything
    assert "artikel 2.82 van de Aanbestedingswet 2012" in everything
    assert "ten minste 30% van hun werknemers" in everything
    assert result_ids(reserved) == ["kringloop"]
    assert 'name="reserved" value="true" checked' in reserved


async def test_an_invalid_reserved_choice_gets_a_dutch_422_page(
    finding_client: httpx.AsyncClient,
) -> None:
    response = await finding_client.get("/?reserved=misschien")
    assert response.status_code == 422
    assert "De keuze voor voorbehouden opdrachten heeft een ongeldige waarde." in response.text


async def test_the_api_filters_reserved_contracts_and_counts_them(
    finding_client: httpx.AsyncClient,
) -> None:
    everything = (await finding_client.get("/api/v1/enterprises")).json()
    reserved = (await finding_client.get("/api/v1/enterprises?reserved=true&label=pso")).json()
    invalid = await finding_client.get("/api/v1/enterprises?reserved=misschien")
    assert (everything["total"], everything["facets"]["reserved"]) == (5, 1)
    assert [item["enterprise_id"] for item in reserved["items"]] == ["kringloop"]
    assert reserved["facets"]["label"] == {"pso": 1, "codeso": 0, "senl": 0, "cedris": 0}
    assert invalid.status_code == 422


async def test_a_result_link_carries_the_search_and_the_detail_page_leads_back_to_it(
    finding_client: httpx.AsyncClient,
) -> None:
    search = "label=pso&label=senl&reserved=true&sort=newest&page_size=1"
    html = (await finding_client.get(f"/?{search}")).text
    link = html[html.index("/ondernemingen/kringloop?") :].split('"')[0]
    carried = parse_qs(urlsplit(link).query)["zoekopdracht"]
    assert carried == [search]
    detail = (await finding_client.get(link)).text
    back = "/?label=pso&amp;label=senl&amp;reserved=true&amp;sort=newest&amp;page_size=1"
    assert f'<a href="{back}">Terug naar zoeken</a>' in detail


@pytest.mark.parametrize(
    "carried",
    [
        "//evil.example/",
        "https://evil.example/?q=x",
        "javascript:alert(1)",
        "sort=prijs",
        "label=foo",
        "page=0",
        "q=" + "x" * 201,
        "q=x&" * 1000,
        '"><script>alert(1)</script>',
    ],
)
async def test_a_carried_search_that_is_not_a_valid_search_leads_to_the_plain_search_page(
    finding_client: httpx.AsyncClient, carried: str
) -> None:
    response = await finding_client.get("/ondernemingen/tunga", params={"zoekopdracht": carried})
    assert response.status_code == 200
    assert '<a href="/">Terug naar zoeken</a>' in response.text
    assert "evil" not in response.text and "<script>" not in response.text


def test_a_carried_search_is_rebuilt_from_its_validated_values() -> None:
    assert back_to_search("/", "q=Café+Zoë&region=twente&foo=bar&page=3") == (
        "/?q=Caf%C3%A9+Zo%C3%AB&region=twente&page=3"
    )
    assert back_to_search("/", "q=%22%3E%3Cscript%3E") == "/?q=%22%3E%3Cscript%3E"
    assert back_to_search("/", None) == "/"
    assert search_from_query_string("label=pso&label=senl&sort=ending") == SearchQuery(
        label=["pso", "senl"], sort="ending"
    )


async def test_a_membership_without_end_date_says_so_with_its_last_check(
    finding_client: httpx.AsyncClient,
) -> None:
    for url in ("/?q=tunga", "/ondernemingen/tunga"):
        html = (await finding_client.get(url)).text
        assert "Lidmaatschap, geen einddatum; laatst gecontroleerd op 1 maart 2025 om 10:00" in html
        assert "geldig tot" not in html


async def test_the_pso_link_leads_to_the_certificate_in_the_register(
    finding_client: httpx.AsyncClient,
) -> None:
    html = (await finding_client.get("/ondernemingen/kringloop")).text
    assert (
        f'<a class="source" href="{CERTIFICATE}" rel="nofollow noopener">'
        "Bekijk het certificaat in het register</a>"
    ) in html


async def test_an_enterprise_whose_label_lapsed_has_a_dutch_410_page_saying_since_when_and_why(
    finding_client: httpx.AsyncClient,
) -> None:
    response = await finding_client.get("/ondernemingen/verlopen")
    assert response.status_code == 410
    assert (
        "Bakkerij Verlopen staat sinds 1 maart 2025 niet meer in het overzicht, omdat haar "
        "PSO-certificaat op 13 maart 2026 is verlopen."
    ) in response.text
    assert 'href="/?category=catering&amp;category=schoonmaak"' in response.text
    assert "Zoek ondernemingen met hetzelfde aanbod" in response.text
    assert "/over-het-overzicht#verdwijnen" in response.text


async def test_an_enterprise_outside_the_region_has_a_410_page_saying_so(
    finding_client: httpx.AsyncClient,
) -> None:
    response = await finding_client.get("/ondernemingen/verhuisd")
    assert response.status_code == 410
    assert (
        "Verhuisd Bedrijf staat sinds 1 maart 2025 niet meer in het overzicht, omdat zij "
        "buiten de regio van dit overzicht is gevestigd."
    ) in response.text


async def test_the_api_answers_410_with_since_when_and_why(
    finding_client: httpx.AsyncClient,
) -> None:
    response = await finding_client.get("/api/v1/enterprises/verlopen")
    assert response.status_code == 410
    assert response.json() == {
        "enterprise_id": "verlopen",
        "name": "Bakkerij Verlopen",
        "delisted_at": "2025-03-01T09:02:00Z",
        "reason": "label_lapsed",
        "lapsed_label": "pso",
        "lapsed_on": "2026-03-13",
        "detail": "Bakkerij Verlopen is no longer listed since 2025-03-01, because its PSO "
        "label lapsed.",
        "categories": ["catering", "schoonmaak"],
    }
    spec = (await finding_client.get("/openapi.json")).json()
    responses = spec["paths"]["/api/v1/enterprises/{enterprise_id}"]["get"]["responses"]
    assert responses["410"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EnterpriseGone"
    }


async def test_an_enterprise_that_moved_and_was_listed_again_has_its_ordinary_page() -> None:
    async with client_for(
        listed("e1", version=1),
        moved_away("e1", version=2, reason="moved"),
        listed("e1", version=3, place="Zwolle", municipality="Zwolle", region="Regio Zwolle"),
    ) as client:
        response = await client.get("/ondernemingen/e1")
    assert response.status_code == 200
    assert "Regio Zwolle" in response.text


async def test_the_page_about_the_listing_explains_departures_and_reserved_contracts(
    finding_client: httpx.AsyncClient,
) -> None:
    html = (await finding_client.get("/over-het-overzicht")).text
    assert 'id="verdwijnen"' in html and 'id="voorbehouden"' in html
    assert "Artikel 2.82 van de Aanbestedingswet 2012" in html


def test_the_listing_ends_with_its_latest_counting_label() -> None:
    pso, cedris = holding("pso"), holding("cedris", valid_until=date(2027, 1, 31))
    lapsed = holding("codeso", counts=False, valid_until=date(2030, 1, 1))
    assert listing_ends([pso, cedris, lapsed]) == date(2027, 1, 31)
    assert listing_ends([pso, MEMBERSHIP]) == NO_END
    assert listing_ends([in_grace(date(2026, 4, 11))]) == date(2026, 4, 11)
    assert listing_ends([lapsed]) is None


def test_only_a_counting_pso_30_plus_certificate_allows_reserved_contracts() -> None:
    assert reserved_contracts([holding("pso", pso30plus=True)])
    assert not reserved_contracts([holding("pso", pso30plus=True, counts=False)])
    assert not reserved_contracts([holding("pso"), holding("senl", pso30plus=True)])
