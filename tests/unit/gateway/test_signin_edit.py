"""The edit form: only for a session of that enterprise; every bad field gets its Dutch
message and publishes nothing; a good form publishes the supplement as plain text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from contracts.supplements import SupplementSubmitted
from tests.unit.gateway.test_signin_support import Gateway, signin_gateway

pytestmark = pytest.mark.unit

EDIT = "/aanvullen/kringloop/bewerken"
GOOD: dict[str, Any] = {
    "description": "Wij verzorgen lunches en vergaderingen.\r\nMet leerlingen uit de regio.",
    "categories": ["catering", "voeding-en-streekproducten"],
    "keywords": "lunch, vergaderzaal , broodjes",
    "delivery_areas": "enschede, Hengelo, Twente",
    "contact_name": "Anna de Vries",
    "contact_email": "Inkoop@KringloopTwente.NL",
    "contact_phone": "053-123 45 67",
    "website": "kringlooptwente.nl",
}


async def _submit(gateway: Gateway, **changes: Any) -> tuple[int, str]:
    csrf = await gateway.csrf_token(EDIT)
    data = {**GOOD, **changes, "csrf_token": csrf}
    response = await gateway.client.post(
        EDIT, data={k: v for k, v in data.items() if v is not None}
    )
    return response.status_code, response.text


async def test_the_form_needs_a_session_and_offers_to_sign_in(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        page = await gateway.client.get(EDIT)
        csrf = await gateway.csrf_token()
        post = await gateway.client.post(EDIT, data={**GOOD, "csrf_token": csrf})
        assert gateway.publisher.events == []
    assert (page.status_code, post.status_code) == (403, 403)
    assert "U bent niet ingelogd" in page.text
    assert 'href="/ondernemingen/kringloop/aanvullen">Vraag een inloglink aan' in page.text


async def test_a_session_for_one_enterprise_cannot_edit_another(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in("soweco")
        assert (await gateway.client.get("/aanvullen/soweco/bewerken")).status_code == 200
        page = await gateway.client.get(EDIT)
        csrf = await gateway.csrf_token()
        post = await gateway.client.post(EDIT, data={**GOOD, "csrf_token": csrf})
        assert gateway.publisher.events == []
    assert (page.status_code, post.status_code) == (403, 403)


async def test_the_form_lists_every_category_with_labels(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        html = (await gateway.client.get(EDIT)).text
    assert '<label for="categorie-catering">Catering</label>' in html
    assert '<label for="categorie-zorg-en-welzijn">Zorg en welzijn</label>' in html
    assert '<label for="description">Korte beschrijving</label>' in html
    assert "U bent ingelogd als info@kringlooptwente.nl." in html
    assert "Twente" in html  # the regions one may name


async def test_a_good_form_publishes_the_supplement_by_the_signed_in_address(
    tmp_path: Path,
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        status, html = await _submit(gateway)
        published = gateway.publisher.published
    assert status == 200
    assert "Uw aanvulling is ontvangen; binnen enkele seconden staat zij op uw pagina" in html
    assert 'href="/ondernemingen/kringloop"' in html
    [(subject, event)] = published
    assert subject == "impact.v1.supplements.submitted"
    assert isinstance(event, SupplementSubmitted)
    assert (event.enterprise_id, event.submitted_by) == ("kringloop", "info@kringlooptwente.nl")
    supplement = event.supplement
    assert supplement.description == (
        "Wij verzorgen lunches en vergaderingen.\nMet leerlingen uit de regio."
    )
    assert supplement.categories == ("catering", "voeding-en-streekproducten")
    assert supplement.keywords == ("lunch", "vergaderzaal", "broodjes")
    assert supplement.delivery_areas == ("Enschede", "Hengelo", "Twente")
    assert supplement.contact is not None
    assert supplement.contact.email == "Inkoop@kringlooptwente.nl"
    assert supplement.contact.phone == "0531234567"
    assert supplement.website == "https://kringlooptwente.nl"


async def test_heel_nederland_replaces_named_areas(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        await _submit(gateway, nationwide="1")
        [event] = gateway.publisher.events
    assert isinstance(event, SupplementSubmitted)
    assert event.supplement.delivery_areas == ("heel Nederland",)


async def test_an_empty_form_publishes_an_empty_supplement(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        empty = dict.fromkeys(GOOD, "") | {"categories": None}
        status, _ = await _submit(gateway, **empty)
        [event] = gateway.publisher.events
    assert status == 200
    assert isinstance(event, SupplementSubmitted)
    assert event.supplement.model_dump(exclude_defaults=True) == {}


BAD_FIELDS = [
    ("description", "x" * 601, "De beschrijving mag hoogstens 600 tekens lang zijn"),
    ("description", "bel\x07l", "De beschrijving bevat tekens die niet zijn toegestaan"),
    ("categories", ["catering", "wapenhandel"], "Kies alleen categorieën uit de lijst."),
    (
        "categories",
        [
            "catering",
            "schoonmaak",
            "groenonderhoud",
            "wasserij",
            "zorg-en-welzijn",
            "bouw-en-onderhoud",
            "drukwerk-en-vormgeving",
        ],
        "Kies hoogstens 6 categorieën.",
    ),
    ("keywords", ",".join(f"woord{n}" for n in range(11)), "Geef hoogstens 10 trefwoorden"),
    ("keywords", "lunch, " + "a" * 41, "Een trefwoord mag hoogstens 40 tekens lang zijn"),
    ("delivery_areas", "Enschede, Atlantis", "Onbekend leveringsgebied: „Atlantis”."),
    ("contact_name", "n" * 101, "De naam mag hoogstens 100 tekens lang zijn."),
    ("contact_email", "inkoop@", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ("contact_phone", "12345", "Vul een geldig Nederlands telefoonnummer in"),
    ("website", "javascript:alert(1)", "Vul een geldig webadres in"),
    ("website", "https://zonder punt", "Vul een geldig webadres in"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_FIELDS)
async def test_a_bad_field_is_explained_in_dutch_and_nothing_is_published(
    tmp_path: Path, field: str, value: Any, message: str
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        status, html = await _submit(gateway, **{field: value})
        assert gateway.publisher.events == []
    assert status == 400
    assert message in html
    assert "<title>Fout: " in html
    assert "niet goed ingevuld" in html  # the summary at the top
    assert f'id="{field}-error"' in html
    assert re.search(f'aria-describedby="[^"]*{field}-error"', html)
    assert field == "categories" or 'aria-invalid="true"' in html  # not valid on a group
    assert ("Anna de Vries" if field != "contact_name" else "broodjes") in html  # kept as typed


async def test_a_contact_needs_an_address_or_a_phone_number(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        status, html = await _submit(gateway, contact_email="", contact_phone="")
        assert gateway.publisher.events == []
    assert status == 400
    assert "Vul een e-mailadres of telefoonnummer in waarop inkopers u kunnen bereiken." in html


async def test_markup_is_published_as_text_and_shown_escaped(tmp_path: Path) -> None:
    markup = '<script>alert("x")</script> <b>vet</b>'
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        status, html = await _submit(gateway, description=markup, contact_phone="12")
        assert status == 400
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;vet&lt;/b&gt;" in html
        status, _ = await _submit(gateway, description=markup)
        [event] = gateway.publisher.events
    assert status == 200
    assert isinstance(event, SupplementSubmitted)
    assert event.supplement.description == markup


@pytest.mark.parametrize("token", [None, "0" * 64])
async def test_an_edit_without_the_right_csrf_token_is_refused(
    tmp_path: Path, token: str | None
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        data = GOOD if token is None else {**GOOD, "csrf_token": token}
        response = await gateway.client.post(EDIT, data=data)
        assert gateway.publisher.events == []
    assert response.status_code == 403 and "Formulier niet geaccepteerd" in response.text


async def test_nats_being_down_keeps_the_form_and_says_nothing_changed(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        gateway.publisher.available = False
        status, html = await _submit(gateway)
    assert status == 503
    assert "kon op dit moment niet worden verstuurd; er is nog niets gewijzigd" in html
    assert "Anna de Vries" in html
