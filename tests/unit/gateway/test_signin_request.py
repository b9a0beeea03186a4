"""Asking for a sign-in link: one Dutch answer for every address, CSRF, rate limits, and
nothing asked for an enterprise that is not listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.signin import SignInRequested
from tests.unit.gateway.test_signin_support import Gateway, signin_gateway

pytestmark = pytest.mark.unit

FORM = "/ondernemingen/kringloop/aanvullen"
SAME_ANSWER = (
    "Als dit adres bij ons bekend is voor deze onderneming, ontvangt u binnen enkele minuten "
    "een e-mail met een inloglink. Is het adres niet bekend, dan beoordeelt een beheerder uw "
    "verzoek."
)


async def _ask(gateway: Gateway, email: str, url: str = FORM) -> tuple[int, str]:
    token = await gateway.csrf_token(url)
    response = await gateway.client.post(url, data={"csrf_token": token, "email": email})
    return response.status_code, response.text


async def test_form_asks_for_an_address_in_dutch_with_a_csrf_token(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        response = await gateway.client.get(FORM)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "Gegevens aanvullen voor Kringloop Twente" in response.text
    assert '<label for="email">Uw e-mailadres</label>' in response.text
    assert 'name="csrf_token"' in response.text
    cookie = response.headers["set-cookie"]
    assert "impactoost_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert response.headers["cache-control"] == "no-store"


async def test_known_and_unknown_addresses_get_the_same_answer(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        known = await _ask(gateway, "info@kringlooptwente.nl")
        unknown = await _ask(gateway, "iemand@example.org")
        published = gateway.publisher.published
    assert known == unknown
    assert known[0] == 200 and SAME_ANSWER in known[1]
    assert [subject for subject, _ in published] == ["impact.v1.signin.requested"] * 2
    events = [event for _, event in published]
    assert all(isinstance(event, SignInRequested) for event in events)
    assert [(e.enterprise_id, e.email) for e in events if isinstance(e, SignInRequested)] == [
        ("kringloop", "info@kringlooptwente.nl"),
        ("kringloop", "iemand@example.org"),
    ]


async def test_a_repeated_request_within_ten_minutes_is_the_same_event(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await _ask(gateway, "info@kringlooptwente.nl")
        await _ask(gateway, "info@KRINGLOOPTWENTE.NL")
        assert len(gateway.publisher.events) == 1
        gateway.clock.advance(minutes=11)
        await _ask(gateway, "info@kringlooptwente.nl")
        assert len(gateway.publisher.events) == 2


async def test_an_invalid_address_is_explained_and_nothing_is_asked(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        status, html = await _ask(gateway, "geen-adres")
        assert gateway.publisher.events == []
    assert status == 400
    assert "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl." in html
    assert 'aria-describedby="email-hint email-error"' in html and 'aria-invalid="true"' in html
    assert 'value="geen-adres"' in html


async def test_a_missing_csrf_token_is_refused_and_nothing_is_asked(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.client.get(FORM)
        response = await gateway.client.post(FORM, data={"email": "info@kringlooptwente.nl"})
        assert gateway.publisher.events == []
    assert response.status_code == 403
    assert "Formulier niet geaccepteerd" in response.text


async def test_a_token_of_another_browser_is_refused(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = await gateway.csrf_token()
        async with gateway.browser("198.51.100.9") as other:
            await other.get(FORM)
            response = await other.post(
                FORM, data={"csrf_token": token, "email": "info@kringlooptwente.nl"}
            )
        forged = await gateway.client.post(
            FORM, data={"csrf_token": "0" * 64, "email": "info@kringlooptwente.nl"}
        )
        assert gateway.publisher.events == []
    assert (response.status_code, forged.status_code) == (403, 403)


async def test_a_form_without_any_csrf_cookie_is_refused(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = await gateway.csrf_token()
        gateway.client.cookies.clear()
        response = await gateway.client.post(
            FORM, data={"csrf_token": token, "email": "info@kringlooptwente.nl"}
        )
        assert gateway.publisher.events == []
    assert response.status_code == 403


async def test_an_address_may_ask_three_times_an_hour(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        for _ in range(3):
            assert (await _ask(gateway, "info@kringlooptwente.nl"))[0] == 200
            gateway.clock.advance(minutes=11)  # each its own request, not a repeat
        status, html = await _ask(gateway, "info@kringlooptwente.nl")
        assert len(gateway.publisher.events) == 3
        assert status == 429
        assert "Te veel verzoeken" in html and "Probeer het over 60 minuten opnieuw." in html
        assert (await _ask(gateway, "inkoop@kringlooptwente.nl"))[0] == 200
        gateway.clock.advance(minutes=30)
        assert (await _ask(gateway, "info@kringlooptwente.nl"))[0] == 200


async def test_a_client_may_ask_ten_times_an_hour(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        for n in range(10):
            assert (await _ask(gateway, f"persoon{n}@example.org"))[0] == 200
        status, _ = await _ask(gateway, "nog-een@example.org")
        assert status == 429
        assert len(gateway.publisher.events) == 10
        async with gateway.browser("198.51.100.9") as other:
            page = await other.get(FORM)
            token = page.text.split('name="csrf_token" value="')[1][:64]
            response = await other.post(FORM, data={"csrf_token": token, "email": "a@example.org"})
        assert response.status_code == 200


async def test_limits_come_from_the_settings(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path, gateway_signin_limit_per_address=1) as gateway:
        assert (await _ask(gateway, "info@kringlooptwente.nl"))[0] == 200
        gateway.clock.advance(minutes=11)
        assert (await _ask(gateway, "info@kringlooptwente.nl"))[0] == 429


@pytest.mark.parametrize(
    ("url", "status", "title"),
    [
        ("/ondernemingen/verlopen/aanvullen", 410, "Onderneming staat niet meer in het overzicht"),
        ("/ondernemingen/bestaat-niet/aanvullen", 404, "Onderneming niet gevonden"),
    ],
)
async def test_an_enterprise_that_is_not_listed_cannot_ask(
    tmp_path: Path, url: str, status: int, title: str
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        page = await gateway.client.get(url)
        token = await gateway.csrf_token()
        response = await gateway.client.post(
            url, data={"csrf_token": token, "email": "info@kringlooptwente.nl"}
        )
        assert gateway.publisher.events == []
    assert (page.status_code, response.status_code) == (status, status)
    assert title in response.text


async def test_nats_being_down_gives_a_dutch_503_page(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        gateway.publisher.available = False
        status, html = await _ask(gateway, "info@kringlooptwente.nl")
    assert status == 503
    assert "Tijdelijk niet beschikbaar" in html
    assert SAME_ANSWER not in html


async def test_an_oversized_form_is_refused_unread(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = await gateway.csrf_token()
        response = await gateway.client.post(
            FORM, data={"csrf_token": token, "email": "a@example.org", "x": "y" * 70_000}
        )
        assert gateway.publisher.events == []
    assert response.status_code == 413 and "Formulier te groot" in response.text
