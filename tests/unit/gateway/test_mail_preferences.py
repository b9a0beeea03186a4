"""The mail preference page: a form (with CSRF) to stop non-essential mails or receive them
again, and the RFC 8058 one-click POST a mail program sends, which needs no form token but
must be exactly `List-Unsubscribe=One-Click`. Each choice is published; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.preferences import MailPreferenceChanged
from tests.unit.gateway.test_signin_support import Gateway, signin_gateway

pytestmark = pytest.mark.unit

TOKEN = "dP3L6_9cKEcAR2ZyJPDHelyKna6Lvn6m"
PAGE = f"/berichten/{TOKEN}"


def choices(gateway: Gateway) -> list[tuple[bool, str]]:
    events = [e for e in gateway.publisher.events if isinstance(e, MailPreferenceChanged)]
    assert all(e.token == TOKEN for e in events)
    return [(e.non_essential, e.via) for e in events]


async def test_the_page_explains_which_mails_are_essential_and_offers_both_choices(
    tmp_path: Path,
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        response = await gateway.client.get(PAGE)
    assert response.status_code == 200
    text = response.text
    assert "Deze berichten ontvangt u altijd" in text
    assert ">Stop berichten die niet noodzakelijk zijn</button>" in text
    assert ">Ontvang ze weer</button>" in text
    assert 'name="csrf_token"' in text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_form_stops_and_restarts_non_essential_mails(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = await gateway.csrf_token(PAGE)
        stop = await gateway.client.post(PAGE, data={"csrf_token": token, "keuze": "stop"})
        gateway.clock.advance(seconds=1)
        again = await gateway.client.post(PAGE, data={"csrf_token": token, "keuze": "ontvang"})
        assert choices(gateway) == [(False, "page"), (True, "page")]
    assert stop.status_code == 200 and "U ontvangt geen berichten meer" in stop.text
    assert again.status_code == 200 and "U ontvangt weer alle berichten" in again.text


async def test_the_form_without_this_browser_s_token_is_refused(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        response = await gateway.client.post(PAGE, data={"keuze": "stop"})
        assert choices(gateway) == []
    assert response.status_code == 403


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
async def test_a_one_click_post_stops_them_without_a_form_token_or_cookie(
    tmp_path: Path, multipart: bool
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        if multipart:
            response = await gateway.client.post(
                PAGE, files={"List-Unsubscribe": (None, "One-Click")}
            )
        else:
            response = await gateway.client.post(PAGE, data={"List-Unsubscribe": "One-Click"})
        assert choices(gateway) == [(False, "one_click")]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"List-Unsubscribe": "One-Click", "keuze": "ontvang"},
        {"List-Unsubscribe": "Two-Clicks"},
    ],
    ids=["with-more", "other-value"],
)
async def test_anything_but_the_exact_one_click_body_needs_the_form_token(
    tmp_path: Path, data: dict[str, str]
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        response = await gateway.client.post(PAGE, data=data)
        assert choices(gateway) == []
    assert response.status_code == 403


async def test_an_unknown_choice_or_unreadable_body_is_a_dutch_400(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = await gateway.csrf_token(PAGE)
        odd = await gateway.client.post(PAGE, data={"csrf_token": token, "keuze": "alles"})
        json = await gateway.client.post(PAGE, json={"List-Unsubscribe": "One-Click"})
        huge = await gateway.client.post(PAGE, data={"List-Unsubscribe": "x" * 5000})
        empty = await gateway.client.post(PAGE)
        assert choices(gateway) == []
    assert [r.status_code for r in (odd, json, huge, empty)] == [400] * 4
    assert "Keuze niet ontvangen" in odd.text


@pytest.mark.parametrize("token", ["kort", "a" * 65, "dP3L6_9cKEcAR2ZyJPDHe%3Cscript%3E"])
async def test_a_link_that_cannot_be_a_token_is_a_dutch_404(tmp_path: Path, token: str) -> None:
    async with signin_gateway(tmp_path) as gateway:
        page = await gateway.client.get(f"/berichten/{token}")
        post = await gateway.client.post(
            f"/berichten/{token}", data={"List-Unsubscribe": "One-Click"}
        )
        assert choices(gateway) == []
    assert (page.status_code, post.status_code) == (404, 404)
    assert "Deze link is ongeldig" in page.text


async def test_when_nats_does_not_confirm_the_choice_the_page_says_so(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        gateway.publisher.available = False
        response = await gateway.client.post(PAGE, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 503
    assert "Tijdelijk niet beschikbaar" in response.text
