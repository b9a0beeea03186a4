"""Hotspot editors on a real nats-server (each service as its own NATS user) and a real SMTP
server: the gateway grants a link only to an editor the operator named, the notifier mails
it, the link signs in once, and what the editor saves lands on NEWS and AGENDA once each,
through the gateway's outbox."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI

from contracts.subjects import AGENDA_STREAM, NEWS_STREAM, SIGNINS_STREAM, STREAMS, StreamSpec
from services.gateway.config import GatewaySettings
from services.gateway.editors.outbox import OutboxRelay, pending_rows
from services.gateway.main import create_app
from services.kit.jetstream import make_broker, publish_json
from services.kit.streams import ensure_streams
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as create_notifier
from tests.fixtures.servers import NatsUsers, SmtpSink, running_nats, running_smtp
from tests.integration.gateway.in_process import eventually, lifespan_client

pytestmark = pytest.mark.integration

EDITOR = "Redactie@Stadslab.example"
MAILED = "Redactie@stadslab.example"
"""The editor's address as normalised (its domain in lower case), where its mail goes."""
STRANGER = "iemand@elders.example"
HOTSPOTS = [
    {
        "slug": "stadslab",
        "name": "Stadslab Apeldoorn",
        "region": "Stedendriehoek en Noordwest Veluwe",
        "website": "https://stadslab.example/",
        "editors": [EDITOR],
    }
]
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
FORM_KEY = re.compile(r'name="form_key" value="([A-Za-z0-9_-]+)"')
LINK = re.compile(r"http://impactoost\.example/redactie/inloggen\?token=([A-Za-z0-9_-]{40,})")
NEUTRAL = "Als dit adres bij ons bekend is als redacteur van Stadslab Apeldoorn"


@pytest.fixture
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    """A nats-server of each test's own: the streams hold only its events, and a sign-in
    grant (whose id repeats within ten minutes, by design) is new to it."""
    with running_nats(tmp_path_factory.mktemp("editor-nats")) as found:
        yield found


@pytest.fixture
async def streams(users: NatsUsers) -> NatsUsers:
    await ensure_streams(users.url(), STREAMS)
    return users


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpSink]:
    with running_smtp(tmp_path / "maildir") as sink:
        yield sink


@contextlib.asynccontextmanager
async def running_platform(
    users: NatsUsers, smtp: SmtpSink, tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway (in process, lifespan running) and the notifier, each as its own user."""
    hotspots = tmp_path / "hotspots.json"
    hotspots.write_text(json.dumps(HOTSPOTS), encoding="utf-8")
    gateway = GatewaySettings(
        nats_url=users.url("gateway"),
        data_dir=tmp_path / "gateway",
        gateway_consumer="gw-editors",
        hotspots_file=hotspots,
    )
    notifier = NotifierSettings(
        nats_url=users.url("notifier"),
        data_dir=tmp_path / "notifier",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        mail_from="Impact Oost <noreply@impactoost.example>",
        public_base_url="http://impactoost.example",
    )
    app = create_app(gateway)
    async with create_notifier(notifier), lifespan_client(app) as c:

        async def started() -> bool:
            return bool((await c.get("/healthz")).json()["feed_started"])

        await eventually(started)
        yield app, c


async def form_of(client: httpx.AsyncClient, url: str) -> dict[str, str]:
    """The hidden fields (CSRF token, form key) of the form on `url`."""
    page = (await client.get(url)).text
    fields = {"csrf_token": CSRF.findall(page)[-1]}
    key = FORM_KEY.search(page)
    if key:
        fields["form_key"] = key.group(1)
    return fields


async def held(url: str, stream: StreamSpec, subject: str = ">") -> list[dict[str, Any]]:
    """Every message `stream` holds (on subjects matching `subject`), oldest first."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        state = (await js.stream_info(stream.name)).state
        found: list[dict[str, Any]] = []
        if not state.messages:
            return found
        for seq in range(state.first_seq, state.last_seq + 1):
            with contextlib.suppress(nats.js.errors.NotFoundError):
                msg = await js.get_msg(stream.name, seq)
                if subject == ">" or msg.subject == subject:
                    found.append({"subject": msg.subject, **json.loads(msg.data or b"{}")})
        return found
    finally:
        await nc.close()


async def sign_in(client: httpx.AsyncClient, smtp: SmtpSink) -> str:
    """Ask for a link as the editor, take it from the mail, and use it; returns the token."""
    url = "/redactie/stadslab/inloggen"
    answer = await client.post(url, data={**await form_of(client, url), "email": EDITOR})
    assert answer.status_code == 200 and NEUTRAL in answer.text

    async def mailed() -> bool:
        return bool(smtp.messages_to(MAILED))

    await eventually(mailed)
    (mail,) = smtp.messages_to(MAILED)
    (plain,) = (part for part in mail.walk() if part.get_content_type() == "text/plain")
    payload = plain.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode()
    found = LINK.search(text)
    assert found, text
    token = found.group(1)
    confirm = f"/redactie/inloggen?token={token}"

    async def known() -> bool:
        return (await client.get(confirm)).status_code == 200

    await eventually(known)
    redeemed = await client.post(
        "/redactie/inloggen", data={**await form_of(client, confirm), "token": token}
    )
    assert redeemed.status_code == 303
    assert redeemed.headers["location"] == "/redactie/stadslab"
    return token


async def test_an_editor_gets_one_link_that_signs_in_once_and_a_stranger_gets_no_mail(
    streams: NatsUsers, smtp: SmtpSink, tmp_path: Path
) -> None:
    async with running_platform(streams, smtp, tmp_path) as (_, client):
        url = "/redactie/stadslab/inloggen"
        stranger = await client.post(url, data={**await form_of(client, url), "email": STRANGER})
        assert stranger.status_code == 200 and NEUTRAL in stranger.text
        token = await sign_in(client, smtp)
        assert (await client.get("/redactie/stadslab")).status_code == 200

        again = await client.post(
            "/redactie/inloggen", data={**await form_of(client, url), "token": token}
        )
        assert again.status_code == 410 and "al gebruikt" in again.text
        mail = smtp.messages_to(MAILED)[0]
        assert mail["Subject"] == "Uw inloglink voor de redactie van Stadslab Apeldoorn"

        out = await client.post("/redactie/uitloggen", data=await form_of(client, url))
        assert out.status_code == 200
        assert (await client.get("/redactie/stadslab")).status_code == 403
    assert not smtp.messages_to(STRANGER)
    grants = await held(streams.url(), SIGNINS_STREAM, "impact.v1.signin.editor_granted")
    assert [(g["hotspot"], g["email"]) for g in grants] == [("stadslab", MAILED)]
    links = await held(streams.url(), SIGNINS_STREAM, "impact.v1.signin.editor_link_issued")
    assert len(links) == 1 and token not in json.dumps(links)  # only its hash travels


async def test_news_and_agenda_changes_land_on_their_streams_once_each(
    streams: NatsUsers, smtp: SmtpSink, tmp_path: Path
) -> None:
    async with running_platform(streams, smtp, tmp_path) as (app, client):
        await sign_in(client, smtp)

        new = "/redactie/stadslab/nieuws/nieuw"
        fields = {
            **await form_of(client, new),
            "title": "Open dag <script>alert(1)</script>",
            "text": "Kom langs & kijk rond.\n\nKoffie staat klaar.",
            "link": "https://stadslab.example/open-dag",
        }
        first = await client.post(new, data=fields)
        twice = await client.post(new, data=fields)  # a double click: the same form again
        assert first.status_code == twice.status_code == 200
        assert "verschijnt binnen enkele minuten" in first.text
        items = (await client.get("/redactie/stadslab")).text
        (item_id,) = set(re.findall(r"/redactie/stadslab/nieuws/(ed-[0-9a-f]+)\"", items))

        edit = f"/redactie/stadslab/nieuws/{item_id}"
        changed = {
            **await form_of(client, edit),
            "title": "Open dag verzet",
            "text": "Later.",
            "link": "",
        }
        assert (await client.post(edit, data=changed)).status_code == 200
        withdraw = f"{edit}/intrekken"
        withdrawn = await client.post(withdraw, data=await form_of(client, withdraw))
        assert withdrawn.status_code == 200 and "is ingetrokken" in withdrawn.text
        assert (await client.get(edit)).status_code == 404

        new_agenda = "/redactie/stadslab/agenda/nieuw"
        meetup = {
            **await form_of(client, new_agenda),
            "title": "Netwerkborrel",
            "start_date": "2027-03-28",
            "start_time": "16:00",
            "end_time": "18:00",
            "location": "Stadslab, Apeldoorn",
        }
        assert (await client.post(new_agenda, data=meetup)).status_code == 200
        items = (await client.get("/redactie/stadslab")).text
        (agenda_id,) = set(re.findall(r"/redactie/stadslab/agenda/(ed-[0-9a-f]+)\"", items))
        cancel = f"/redactie/stadslab/agenda/{agenda_id}/intrekken"
        assert (await client.post(cancel, data=await form_of(client, cancel))).status_code == 200

        async def relayed() -> bool:
            return not await asyncio.to_thread(pending_rows, app.state.engine, 10)

        await eventually(relayed)
        news = await held(streams.url(), NEWS_STREAM)
        agenda = await held(streams.url(), AGENDA_STREAM)
    assert [n["subject"] for n in news] == [
        "impact.v1.news.stadslab.published",
        "impact.v1.news.stadslab.updated",
        "impact.v1.news.stadslab.withdrawn",
    ]
    published = news[0]["item"]
    assert published["origin"] == "editor" and published["item_id"] == item_id
    assert published["title"] == "Open dag <script>alert(1)</script>"  # plain text, as typed
    assert published["summary_html"] == (
        "<p>Kom langs &amp; kijk rond.</p><p>Koffie staat klaar.</p>"
    )
    assert news[1]["item"]["link"] is None and news[2]["reason"] == "withdrawn_by_editor"
    assert [a["subject"] for a in agenda] == [
        "impact.v1.agenda.stadslab.scheduled",
        "impact.v1.agenda.stadslab.cancelled",
    ]
    # 16:00 in Amsterdam on the day summer time starts is 14:00 UTC.
    assert agenda[0]["item"]["starts_at"].startswith("2027-03-28T14:00:00")
    assert agenda[1]["reason"] == "cancelled_by_editor"


async def test_a_form_without_its_csrf_token_is_refused_and_saves_nothing(
    streams: NatsUsers, smtp: SmtpSink, tmp_path: Path
) -> None:
    async with running_platform(streams, smtp, tmp_path) as (app, client):
        await sign_in(client, smtp)
        new = "/redactie/stadslab/nieuws/nieuw"
        fields = await form_of(client, new)
        del fields["csrf_token"]
        answer = await client.post(new, data={**fields, "title": "Vals", "text": "Vals"})
        assert answer.status_code == 403
        refused = await client.post("/redactie/stadslab/inloggen", data={"email": EDITOR})
        assert refused.status_code == 403
        assert "Vals" not in (await client.get("/redactie/stadslab")).text
        assert not await asyncio.to_thread(pending_rows, app.state.engine, 10)


async def test_a_relay_retried_after_its_publish_was_acked_does_not_double_the_event(
    streams: NatsUsers, smtp: SmtpSink, tmp_path: Path
) -> None:
    async with running_platform(streams, smtp, tmp_path) as (app, client):
        await sign_in(client, smtp)
        relay: OutboxRelay = app.state.editors.relay
        broker = make_broker(streams.url("gateway"))
        crashed: list[str] = []
        async with broker:
            await broker.start()

            async def publish_then_crash(
                subject: str, payload: bytes, event_id: str, stream: StreamSpec
            ) -> None:
                await publish_json(broker, subject, payload, event_id, stream=stream)
                if not crashed:
                    crashed.append(event_id)
                    raise ConnectionError("lost before the row was marked sent")

            relay.publish = publish_then_crash
            new = "/redactie/stadslab/nieuws/nieuw"
            fields = {**await form_of(client, new), "title": "Eén keer", "text": "Echt."}
            assert (await client.post(new, data=fields)).status_code == 200

            async def relayed() -> bool:
                return not await asyncio.to_thread(pending_rows, app.state.engine, 10)

            await eventually(relayed)
        news = await held(streams.url(), NEWS_STREAM)

        async def shown() -> bool:  # the gateway's own news page, projected from NEWS
            return "Eén keer" in (await client.get("/nieuws")).text

        await eventually(shown)
    assert crashed and [n["event_id"] for n in news] == crashed


async def test_no_service_but_the_gateway_can_grant_an_editor_a_link(streams: NatsUsers) -> None:
    subject = "impact.v1.signin.editor_granted"
    for user in ("registry", "notifier", "scraper", "demo"):
        nc = await nats.connect(streams.url(user), allow_reconnect=False)
        try:
            with pytest.raises(nats.errors.TimeoutError):
                await nc.jetstream().publish(subject, b"{}", timeout=0.5)
        finally:
            await nc.close()
    assert await held(streams.url(), SIGNINS_STREAM, subject) == []
