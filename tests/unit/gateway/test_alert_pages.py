"""The alert pages: a buyer asks for an alert from a search, confirms it with a button (a
link opened by a mail scanner confirms nothing), changes or stops it, and leaves with one
click; nothing tells whether an address already has alerts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from services.gateway.alerts.digest import purge
from services.gateway.alerts.tables import AlertRow
from tests.unit.gateway.alert_support import ADDRESS, PUBLIC, AlertGateway, alert_gateway, local
from tests.unit.gateway.alert_support import token_of as token

pytestmark = pytest.mark.unit


def rows(gateway: AlertGateway) -> list[AlertRow]:
    with Session(gateway.app.state.engine) as session:
        return list(session.exec(select(AlertRow)).all())


def without_tokens(html: str) -> str:
    return re.sub(r'value="[0-9a-f]{64}"', "", html)


async def test_the_search_page_offers_an_alert_for_the_search_shown(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        page = await gateway.client.get("/?category=catering&label=pso&region=Twente")
    assert "Houd mij op de hoogte" in page.text
    for hidden in ('name="category" value="catering"', 'name="label" value="pso"'):
        assert f'<input type="hidden" {hidden}>' in page.text
    assert '<input type="hidden" name="region" value="Twente">' in page.text


async def test_the_form_is_filled_with_the_search_leaving_out_what_is_unknown(
    tmp_path: Path,
) -> None:
    async with alert_gateway(tmp_path) as gateway:
        page = await gateway.client.get("/meldingen/nieuw?category=catering&region=twente")
        unknown = await gateway.client.get("/meldingen/nieuw?category=catering&region=Nergens")
    assert 'value="catering" checked' in page.text
    assert '<option value="Twente" selected>' in page.text
    assert "selected>" not in unknown.text.split('id="region"')[1].split("</select>")[0]


async def test_a_request_keeps_the_alert_unconfirmed_and_publishes_its_confirmation(
    tmp_path: Path,
) -> None:
    async with alert_gateway(tmp_path) as gateway:
        answer = await gateway.subscribe(frequency="daily", category="catering", region="Twente")
        [confirmation] = gateway.confirmations()
        [row] = rows(gateway)
    assert answer.status_code == 200 and "Bevestig uw melding" in answer.text
    assert (confirmation.email, confirmation.frequency) == (ADDRESS, "daily")
    assert confirmation.filters.category == ("catering",)
    assert confirmation.filters.region == "Twente"
    for link in (confirmation.confirm_url, confirmation.manage_url, confirmation.unsubscribe_url):
        assert link.startswith(PUBLIC + "/meldingen/")
    assert row.confirmed_at is None and row.email == ADDRESS
    # Only hashes of the links are kept.
    assert token(confirmation.confirm_url) not in (row.confirm_hash, row.manage_hash)


async def test_the_answer_never_tells_whether_the_address_has_alerts(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        first = await gateway.subscribe()
        await gateway.confirm(gateway.confirmations()[0])
        second = await gateway.subscribe()
        assert len(gateway.confirmations()) == 2
    assert without_tokens(first.text) == without_tokens(second.text)


async def test_a_form_without_its_csrf_token_is_refused(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await gateway.client.get("/meldingen/nieuw")
        answer = await gateway.client.post(
            "/meldingen/nieuw", data={"email": ADDRESS, "frequency": "daily"}
        )
        assert answer.status_code == 403 and "Formulier niet geaccepteerd" in answer.text
        assert gateway.publisher.events == [] and rows(gateway) == []


async def test_wrong_fields_are_named_in_dutch(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        answer = await gateway.subscribe(
            email="geen-adres", frequency="maandelijks", category="vliegtuigen", region="Mars"
        )
        assert gateway.publisher.events == []
    assert answer.status_code == 400
    for message in (
        "Vul een geldig e-mailadres in",
        "dagelijks of wekelijks",
        "categorieën uit de lijst",
        "arbeidsmarktregio uit de lijst",
    ):
        assert message in answer.text
    assert 'value="geen-adres"' in answer.text


async def test_requests_past_the_limit_are_refused_and_publish_nothing(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path, gateway_signin_limit_per_address=1) as gateway:
        await gateway.subscribe()
        limited = await gateway.subscribe()
        assert len(gateway.confirmations()) == 1
    assert limited.status_code == 429 and "Te veel verzoeken" in limited.text


async def test_without_nats_the_request_answers_503_and_keeps_no_address(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        gateway.publisher.available = False
        answer = await gateway.subscribe()
        assert answer.status_code == 503 and rows(gateway) == []


async def test_opening_the_confirmation_link_confirms_nothing_the_button_does(
    tmp_path: Path,
) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await gateway.subscribe()
        [confirmation] = gateway.confirmations()
        page = await gateway.client.get(local(confirmation.confirm_url))
        assert page.status_code == 200 and "Melding bevestigen" in page.text
        assert rows(gateway)[0].confirmed_at is None
        confirmed = await gateway.confirm(confirmation)
        again = await gateway.confirm(confirmation)
        [row] = rows(gateway)
    assert confirmed.status_code == 200 and "Uw melding is bevestigd" in confirmed.text
    assert again.status_code == 200
    assert row.confirmed_at == gateway.clock.now == row.period_end


async def test_an_alert_not_confirmed_in_time_is_deleted_with_its_address(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path, gateway_alert_confirm_hours=2) as gateway:
        await gateway.subscribe()
        [confirmation] = gateway.confirmations()
        gateway.clock.advance(hours=2, seconds=1)
        late = await gateway.client.get(local(confirmation.confirm_url))
        assert late.status_code == 410
        assert await purge(gateway.alerts) == 1
        assert rows(gateway) == []


async def test_the_manage_link_changes_the_search_and_the_frequency(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await gateway.subscribe(category="catering")
        [confirmation] = gateway.confirmations()
        await gateway.confirm(confirmation)
        manage = local(confirmation.manage_url)
        page = await gateway.client.get(manage)
        assert page.status_code == 200 and ADDRESS in page.text
        assert 'value="catering" checked' in page.text
        csrf = await gateway.csrf_token(manage)
        data = {
            "csrf_token": csrf,
            "token": token(manage),
            "frequency": "daily",
            "category": ["schoonmaak", "wasserij"],
            "label": "cedris",
        }
        saved = await gateway.client.post("/meldingen/beheren", data=data)
        [row] = rows(gateway)
    assert saved.status_code == 200 and "Uw wijzigingen zijn opgeslagen" in saved.text
    assert (row.frequency, row.categories, row.labels, row.region) == (
        "daily",
        "schoonmaak wasserij",
        "cedris",
        None,
    )


async def test_stopping_deletes_the_alert_and_its_address(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await gateway.subscribe()
        [confirmation] = gateway.confirmations()
        await gateway.confirm(confirmation)
        manage = local(confirmation.manage_url)
        csrf = await gateway.csrf_token(manage)
        stopped = await gateway.client.post(
            "/meldingen/stoppen", data={"csrf_token": csrf, "token": token(manage)}
        )
        assert stopped.status_code == 200 and "Uw melding is gestopt" in stopped.text
        assert rows(gateway) == []
        gone = await gateway.client.get(manage)
    assert gone.status_code == 404


async def test_one_click_unsubscribe_needs_no_form_token_and_can_be_repeated(
    tmp_path: Path,
) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await gateway.subscribe()
        [confirmation] = gateway.confirmations()
        await gateway.confirm(confirmation)
        link = local(confirmation.unsubscribe_url)
        page = await gateway.client.get(link)
        assert "Afmelden" in page.text and len(rows(gateway)) == 1
        one_click = {"content-type": "application/x-www-form-urlencoded"}
        first = await gateway.client.post(
            link, content=b"List-Unsubscribe=One-Click", headers=one_click
        )
        assert rows(gateway) == []
        second = await gateway.client.post(
            link, content=b"List-Unsubscribe=One-Click", headers=one_click
        )
        after = await gateway.client.get(link)
    assert (first.status_code, second.status_code) == (200, 200)
    assert "al gestopt" in after.text


async def test_a_changed_or_unknown_link_opens_nothing(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        confirm = await gateway.client.get("/meldingen/bevestigen?token=verzonnen")
        manage = await gateway.client.get("/meldingen/beheren?token=" + "x" * 500)
    assert (confirm.status_code, manage.status_code) == (410, 404)


async def test_a_confirmed_alert_still_stops_after_the_confirmation_hours(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path, gateway_alert_confirm_hours=1) as gateway:
        await gateway.subscribe()
        [confirmation] = gateway.confirmations()
        await gateway.confirm(confirmation)
        gateway.clock.advance(days=30)
        assert await purge(gateway.alerts) == 0
        page = await gateway.client.get(local(confirmation.manage_url))
    assert page.status_code == 200
