"""Signing in with a mailed link: a GET never uses it, a POST uses it once; expired, reused
and forged links are refused; sessions are cookies a script cannot read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from contracts.signin import token_hash
from services.gateway.handlers import record_enterprise_event
from services.gateway.signin.links import ENTERPRISE_LINKS
from services.gateway.signin.tables import SignInLinkRow, SignInSessionRow
from tests.unit.gateway.events import delisted
from tests.unit.gateway.test_signin_support import Gateway, signin_gateway

pytestmark = pytest.mark.unit

EDIT = "/aanvullen/kringloop/bewerken"


async def _use(gateway: Gateway, token: str) -> tuple[int, str, str]:
    csrf = await gateway.csrf_token()
    response = await gateway.client.post(
        "/aanvullen/inloggen", data={"csrf_token": csrf, "token": token}
    )
    return response.status_code, response.text, response.headers.get("set-cookie", "")


def _rows(gateway: Gateway) -> tuple[list[SignInLinkRow], list[SignInSessionRow]]:
    with Session(gateway.app.state.engine) as session:
        return list(session.exec(select(SignInLinkRow))), list(
            session.exec(select(SignInSessionRow))
        )


async def test_opening_the_link_shows_a_button_and_uses_nothing(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = gateway.issue_link()
        for _ in range(2):  # a mail scanner, then the person
            page = await gateway.client.get(f"/aanvullen/inloggen?token={token}")
            assert page.status_code == 200
        assert "<button" in page.text and "Inloggen" in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        links, sessions = _rows(gateway)
        assert links[0].used_at is None and sessions == []
        status, _, _ = await _use(gateway, token)
    assert status == 303


async def test_a_link_signs_in_once_with_a_cookie_no_script_can_read(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = gateway.issue_link()
        status, _, cookie = await _use(gateway, token)
        response = await gateway.client.get(EDIT)
        links, sessions = _rows(gateway)
    assert status == 303
    assert "impactoost_sessie=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/aanvullen" in cookie
    assert "Secure" not in cookie  # served over http here
    assert "Max-Age=7200" in cookie
    assert (
        response.status_code == 200 and "Gegevens aanvullen voor Kringloop Twente" in response.text
    )
    assert links[0].used_at is not None
    # only hashes are kept: neither the link nor the session id is stored as such
    session_id = cookie.split("impactoost_sessie=")[1].split(";")[0]
    assert sessions[0].session_hash == token_hash(session_id)
    assert links[0].token_hash == token_hash(token) and token not in str(links[0])


async def test_the_redirect_goes_to_the_edit_form(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        csrf = await gateway.csrf_token()
        token = gateway.issue_link()
        response = await gateway.client.post(
            "/aanvullen/inloggen", data={"csrf_token": csrf, "token": token}
        )
    assert response.headers["location"] == EDIT


async def test_cookies_are_secure_when_the_public_address_is_https(tmp_path: Path) -> None:
    async with signin_gateway(
        tmp_path, base_url="http://localhost", public_base_url="https://impact.example"
    ) as gateway:
        page = await gateway.client.get("/ondernemingen/kringloop/aanvullen")
        _, _, cookie = await _use(gateway, gateway.issue_link())
    assert "Secure" in page.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_used_link_is_refused_with_an_offer_of_a_new_one(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = gateway.issue_link()
        await _use(gateway, token)
        status, html, cookie = await _use(gateway, token)
        page = await gateway.client.get(f"/aanvullen/inloggen?token={token}")
    assert (status, page.status_code) == (410, 410)
    assert "Deze inloglink is al gebruikt" in html
    assert 'href="/ondernemingen/kringloop/aanvullen">Vraag een nieuwe inloglink aan' in html
    assert "impactoost_sessie" not in cookie


async def test_an_expired_link_is_refused(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = gateway.issue_link()
        gateway.clock.advance(minutes=31)
        page = await gateway.client.get(f"/aanvullen/inloggen?token={token}")
        status, html, _ = await _use(gateway, token)
        _, sessions = _rows(gateway)
    assert (page.status_code, status) == (410, 410)
    assert "Deze inloglink is verlopen" in html and "Vraag een nieuwe inloglink aan" in html
    assert sessions == []


@pytest.mark.parametrize("token", ["verzonnen", "", "x" * 500, "geheim-1' OR 1=1 --"])
async def test_a_forged_link_is_refused(tmp_path: Path, token: str) -> None:
    async with signin_gateway(tmp_path) as gateway:
        gateway.issue_link()
        page = await gateway.client.get("/aanvullen/inloggen", params={"token": token})
        status, html, _ = await _use(gateway, token)
        links, sessions = _rows(gateway)
    assert (page.status_code, status) == (400, 400)
    assert "Deze inloglink is ongeldig" in html
    assert links[0].used_at is None and sessions == []


async def test_a_link_without_the_csrf_token_is_refused_and_stays_usable(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = gateway.issue_link()
        await gateway.client.get(f"/aanvullen/inloggen?token={token}")
        response = await gateway.client.post("/aanvullen/inloggen", data={"token": token})
        wrong = await gateway.client.post(
            "/aanvullen/inloggen", data={"token": token, "csrf_token": "f" * 64}
        )
        assert (response.status_code, wrong.status_code) == (403, 403)
        assert _rows(gateway)[0][0].used_at is None
        assert (await _use(gateway, token))[0] == 303


async def test_a_link_of_a_delisted_enterprise_is_refused_and_stays_unused(
    tmp_path: Path,
) -> None:
    async with signin_gateway(tmp_path) as gateway:
        gateway.issue_link("verlopen", "geheim-v")
        status, html, _ = await _use(gateway, "geheim-v")
        links, sessions = _rows(gateway)
    assert status == 410 and "staat niet meer in het overzicht" in html
    assert links[0].used_at is None and sessions == []


async def test_a_redelivered_link_event_does_not_make_a_used_link_usable(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        token = gateway.issue_link()
        await _use(gateway, token)
        gateway.issue_link()  # the same event again
        assert (await _use(gateway, token))[0] == 410


async def test_an_already_expired_link_is_not_kept(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        gateway.issue_link(expires_at=gateway.clock.now - timedelta(seconds=1))
        assert _rows(gateway)[0] == []


async def test_expired_links_and_sessions_are_purged(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        gateway.issue_link(token="nog-niet-gebruikt")
        engine = gateway.app.state.engine
        purge = ENTERPRISE_LINKS.purge_expired
        assert purge(engine, gateway.clock.now) == (0, 0)
        assert purge(engine, gateway.clock.now + timedelta(hours=2)) == (2, 1)
        assert _rows(gateway) == ([], [])


async def test_a_session_ends_after_the_configured_hours(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path, gateway_session_hours=1) as gateway:
        await gateway.sign_in()
        assert (await gateway.client.get(EDIT)).status_code == 200
        gateway.clock.advance(minutes=61)
        response = await gateway.client.get(EDIT)
    assert response.status_code == 403 and "U bent niet ingelogd" in response.text


async def test_signing_out_ends_the_session(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        csrf = await gateway.csrf_token(EDIT)
        response = await gateway.client.post("/aanvullen/uitloggen", data={"csrf_token": csrf})
        assert response.status_code == 200 and "U bent uitgelogd" in response.text
        assert 'impactoost_sessie=""' in response.headers["set-cookie"]
        assert _rows(gateway)[1] == []
        assert (await gateway.client.get(EDIT)).status_code == 403


async def test_a_listing_that_lapses_ends_editing(tmp_path: Path) -> None:
    async with signin_gateway(tmp_path) as gateway:
        await gateway.sign_in()
        record_enterprise_event(gateway.app.state.engine, delisted("kringloop"))
        response = await gateway.client.get(EDIT)
    assert response.status_code == 410
