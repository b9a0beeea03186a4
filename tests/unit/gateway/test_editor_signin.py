"""Editors' sign-in on the gateway (fake publisher, own clock): the same answer for every
address, a grant only for the operator's editors, the enterprises' rate limits, links that
work once and in time, sessions that end, and expired rows purged with their addresses."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from contracts.signin import EditorLinkIssued, EditorSignInGranted, token_hash
from services.gateway.editors.access import EDITOR_LINKS
from services.gateway.editors.tables import (
    EditorLinkRow,
    EditorSessionRow,
    create_editor_tables,
)
from tests.unit.gateway.test_signin_support import Gateway, signin_gateway

pytestmark = pytest.mark.unit

EDITOR = "redactie@stadslab.example"
HOTSPOTS = [
    {
        "slug": "stadslab",
        "name": "Stadslab Apeldoorn",
        "region": "Stedendriehoek en Noordwest Veluwe",
        "website": "https://stadslab.example/",
        "editors": [EDITOR],
    },
    {
        "slug": "zwolle",
        "name": "Impact Zwolle",
        "region": "Regio Zwolle",
        "website": "https://zwolle.example/",
        "news_feed": "https://zwolle.example/feed",
        "editors": ["nieuws@zwolle.example"],
    },
    {
        "slug": "feedonly",
        "name": "Alleen feeds",
        "region": "Twente",
        "website": "https://feeds.example/",
        "news_feed": "https://feeds.example/feed",
    },
]
NEUTRAL = "Als dit adres bij ons bekend is als redacteur van Stadslab Apeldoorn"
FORM_KEY = re.compile(r'name="form_key" value="([A-Za-z0-9_-]+)"')


@contextlib.asynccontextmanager
async def editors_gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    path = tmp_path / "hotspots.json"
    path.write_text(json.dumps(HOTSPOTS), encoding="utf-8")
    async with signin_gateway(tmp_path, hotspots_file=path) as gateway:
        create_editor_tables(gateway.app.state.engine)
        yield gateway


async def ask(gateway: Gateway, email: str, hotspot: str = "stadslab") -> int:
    url = f"/redactie/{hotspot}/inloggen"
    csrf = await gateway.csrf_token(url)
    answer = await gateway.client.post(url, data={"csrf_token": csrf, "email": email})
    if answer.status_code == 200:
        assert NEUTRAL in answer.text or hotspot != "stadslab"
    return answer.status_code


def issue(gateway: Gateway, token: str, hotspot: str = "stadslab", minutes: int = 30) -> None:
    now = gateway.clock.now
    event = EditorLinkIssued(
        event_id=f"editor-link-{token}",
        occurred_at=now,
        source="test",
        hotspot=hotspot,
        email=EDITOR if hotspot == "stadslab" else "nieuws@zwolle.example",
        token_hash=token_hash(token),
        expires_at=now + timedelta(minutes=minutes),
    )
    EDITOR_LINKS.record(gateway.app.state.engine, [event], now)


async def redeem(gateway: Gateway, token: str) -> int:
    csrf = await gateway.csrf_token("/redactie/stadslab/inloggen")
    answer = await gateway.client.post(
        "/redactie/inloggen", data={"csrf_token": csrf, "token": token}
    )
    return answer.status_code


async def test_a_stranger_and_an_editor_get_the_same_answer_and_only_the_editor_a_grant(
    tmp_path: Path,
) -> None:
    async with editors_gateway(tmp_path) as gateway:
        assert await ask(gateway, "iemand@elders.example") == 200
        assert await ask(gateway, "nieuws@zwolle.example") == 200  # another hotspot's editor
        assert await ask(gateway, "REDACTIE@STADSLAB.EXAMPLE") == 200
        (grant,) = gateway.publisher.events
        assert isinstance(grant, EditorSignInGranted)
        assert (grant.hotspot, grant.hotspot_name, grant.email) == (
            "stadslab",
            "Stadslab Apeldoorn",
            EDITOR,  # as the operator's file spells it
        )
        assert gateway.publisher.published[0][0] == "impact.v1.signin.editor_granted"
        assert (await gateway.client.get("/redactie/feedonly/inloggen")).status_code == 404
        index = (await gateway.client.get("/redactie")).text
        assert "Stadslab Apeldoorn" in index and "Alleen feeds" not in index


async def test_requests_are_limited_per_address_known_or_not(tmp_path: Path) -> None:
    async with editors_gateway(tmp_path) as gateway:
        for _ in range(3):
            assert await ask(gateway, "iemand@elders.example") == 200
        assert await ask(gateway, "iemand@elders.example") == 429
        assert await ask(gateway, EDITOR) == 200
        gateway.clock.advance(minutes=61)
        assert await ask(gateway, "iemand@elders.example") == 200


async def test_a_bad_address_is_shown_again_with_a_dutch_error(tmp_path: Path) -> None:
    async with editors_gateway(tmp_path) as gateway:
        url = "/redactie/stadslab/inloggen"
        csrf = await gateway.csrf_token(url)
        answer = await gateway.client.post(url, data={"csrf_token": csrf, "email": "geen adres"})
        assert answer.status_code == 400
        assert "Vul een geldig e-mailadres in" in answer.text
        assert 'value="geen adres"' in answer.text
        assert gateway.publisher.events == []


async def test_a_link_signs_in_once_and_not_after_it_expired(tmp_path: Path) -> None:
    async with editors_gateway(tmp_path) as gateway:
        issue(gateway, "link-een")
        issue(gateway, "link-twee", minutes=5)
        assert (await gateway.client.get("/redactie/inloggen?token=link-een")).status_code == 200
        assert await redeem(gateway, "link-een") == 303
        assert await redeem(gateway, "link-een") == 410
        assert await redeem(gateway, "onbekend") == 400
        gateway.clock.advance(minutes=6)
        assert await redeem(gateway, "link-twee") == 410


async def test_a_session_ends_after_the_session_hours_and_opens_only_its_own_hotspot(
    tmp_path: Path,
) -> None:
    async with editors_gateway(tmp_path) as gateway:
        issue(gateway, "link-een")
        assert await redeem(gateway, "link-een") == 303
        assert (await gateway.client.get("/redactie/stadslab")).status_code == 200
        assert (await gateway.client.get("/redactie/zwolle")).status_code == 403
        gateway.clock.advance(hours=2, minutes=1)
        refused = await gateway.client.get("/redactie/stadslab/nieuws/nieuw")
        assert refused.status_code == 403 and "Vraag een inloglink aan" in refused.text


async def test_hostile_text_is_shown_as_text(tmp_path: Path) -> None:
    async with editors_gateway(tmp_path) as gateway:
        issue(gateway, "link-een")
        assert await redeem(gateway, "link-een") == 303
        url = "/redactie/stadslab/nieuws/nieuw"
        page = (await gateway.client.get(url)).text
        key = FORM_KEY.search(page)
        assert key is not None
        fields = {
            "csrf_token": await gateway.csrf_token(url),
            "form_key": key.group(1),
            "title": '<img src=x onerror="alert(1)">',
            "text": "Tekst",
        }
        assert (await gateway.client.post(url, data=fields)).status_code == 200
        listing = (await gateway.client.get("/redactie/stadslab")).text
        assert "&lt;img src=x onerror=" in listing and "<img src=x" not in listing
        fields["form_key"] = "kort"
        assert (await gateway.client.post(url, data=fields)).status_code == 400


async def test_expired_links_and_sessions_are_purged_with_their_addresses(tmp_path: Path) -> None:
    async with editors_gateway(tmp_path) as gateway:
        engine = gateway.app.state.engine
        issue(gateway, "link-een")
        issue(gateway, "link-twee")
        assert await redeem(gateway, "link-een") == 303
        gateway.clock.advance(hours=3)
        assert EDITOR_LINKS.purge_expired(engine, gateway.clock.now) == (2, 1)
        with Session(engine) as session:
            assert session.exec(select(EditorLinkRow)).all() == []
            assert session.exec(select(EditorSessionRow)).all() == []
