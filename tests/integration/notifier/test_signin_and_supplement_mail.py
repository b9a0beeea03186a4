"""Sign-in links and supplement mails on a real nats-server and a real SMTP server: one mail
per grant whose link's hash is on the stream, never twice; an operator's hiding is explained;
an enterprise's own changes are not mailed back to it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from contracts.enterprises import EnterpriseEvent
from contracts.signin import SignInGranted, SignInLinkIssued, token_hash
from contracts.subjects import (
    ENTERPRISES_STREAM,
    SIGNINS_STREAM,
    enterprise_subject,
    signin_subject,
)
from services.kit.processes import free_port
from services.notifier.config import NotifierSettings
from services.notifier.subscribers import DURABLE, SIGNINS_DURABLE
from tests.fixtures.servers import SmtpSink, running_smtp
from tests.integration.notifier.conftest import MakeSettings
from tests.integration.notifier.helpers import (
    body,
    delivery,
    eventually,
    processed,
    publish_on,
    running_notifier,
    stream_payloads,
    wait_settled,
)
from tests.unit.notifier.factories import granted, supplement_hidden, updated

pytestmark = pytest.mark.integration

KRINGLOOP = "info@kringlooptwente.example"
LINK = re.compile(r"http://impactoost\.example/aanvullen/inloggen\?token=([A-Za-z0-9_-]{40,})")


async def grant(nats_url: str, event: SignInGranted, msg_id_suffix: str = "") -> int:
    """Publish a grant as the registry's outbox does; returns its stream place."""
    subject = signin_subject("granted")
    return await publish_on(nats_url, SIGNINS_STREAM, subject, event, msg_id_suffix=msg_id_suffix)


async def enterprise_event(nats_url: str, event: EnterpriseEvent) -> None:
    """Publish an enterprise event as the registry's outbox does."""
    subject = enterprise_subject("overijssel", "twente", event.kind)
    await publish_on(nats_url, ENTERPRISES_STREAM, subject, event)


async def links_issued(nats_url: str) -> list[SignInLinkIssued]:
    """Every SignInLinkIssued the SIGNINS stream holds."""
    payloads = await stream_payloads(nats_url, SIGNINS_STREAM.name, signin_subject("link_issued"))
    return [SignInLinkIssued.model_validate(p) for p in payloads]


def token_of(mail_text: str) -> str:
    found = LINK.search(mail_text)
    assert found is not None, mail_text
    return found.group(1)


async def test_a_granted_sign_in_mails_one_link_whose_hash_is_on_the_stream(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    event = granted()
    async with running_notifier(settings):
        seq = await grant(settings.nats_url, event)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the sign-in mail")
        await wait_settled(settings.nats_url, SIGNINS_STREAM.name, SIGNINS_DURABLE, seq)
    (mail,) = smtp_sink.messages()
    assert mail["Subject"] == "Uw inloglink voor Impact Oost"
    text = body(mail, "plain")
    token = token_of(text)
    assert f'href="http://impactoost.example/aanvullen/inloggen?token={token}"' in body(
        mail, "html"
    )
    assert "De link is 30 minuten geldig en werkt één keer." in text
    assert "Kringloop Twente B.V." in text
    (issued,) = await links_issued(settings.nats_url)
    assert issued.token_hash == token_hash(token)
    assert (issued.enterprise_id, issued.email) == (event.enterprise_id, KRINGLOOP)
    row = delivery(settings, event.event_id)
    assert row is not None and (row.status, row.kind, row.attempts) == ("sent", "signin_link", 1)


async def test_a_redelivered_grant_sends_nothing_twice(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    event = granted()
    async with running_notifier(settings):
        await grant(settings.nats_url, event)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the sign-in mail")
        again = await grant(settings.nats_url, event, msg_id_suffix="-redelivered")
        await wait_settled(settings.nats_url, SIGNINS_STREAM.name, SIGNINS_DURABLE, again)
        await asyncio.sleep(0.5)
    assert len(smtp_sink.messages()) == 1
    assert len(await links_issued(settings.nats_url)) == 1


async def test_a_mail_server_that_starts_late_gets_one_mail_with_a_link_the_stream_knows(
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = make_settings(port)
    event = granted()
    async with running_notifier(settings):
        seq = await grant(settings.nats_url, event)
        await asyncio.sleep(2.0)
        row = delivery(settings, event.event_id)
        assert row is not None and row.status == "retrying" and row.attempts >= 2
        with running_smtp(tmp_path / "late-maildir", port) as sink:
            await eventually(lambda: sink.messages_to(KRINGLOOP), what="the late mail")
            await wait_settled(settings.nats_url, SIGNINS_STREAM.name, SIGNINS_DURABLE, seq)
            await asyncio.sleep(0.5)
            (mail,) = sink.messages()
    issued = await links_issued(settings.nats_url)
    assert len(issued) >= 3  # one link per attempt, none dropped as a duplicate
    assert len({link.token_hash for link in issued}) == len(issued)
    assert issued[-1].token_hash == token_hash(token_of(body(mail, "plain")))


async def test_a_hidden_supplement_mails_the_enterprise_the_reason(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    event = supplement_hidden(fields=("website",), reason="Deze website is van een ander bedrijf.")
    async with running_notifier(settings):
        await enterprise_event(settings.nats_url, event)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the hiding mail")
        await wait_settled(settings.nats_url, ENTERPRISES_STREAM.name, DURABLE, 1)
    (mail,) = smtp_sink.messages()
    assert mail["Subject"] == "Gegevens in uw vermelding zijn verborgen"
    text = " ".join(body(mail, "plain").split())
    assert "Deze website is van een ander bedrijf." in text
    assert "- website" in body(mail, "plain")
    assert "http://impactoost.example/ondernemingen/e1a2b3c4d5e6f708/aanvullen" in text


async def test_an_update_of_only_the_supplement_sends_no_mail(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    event = updated(changes=("supplement", "categories", "categories_chosen"))
    async with running_notifier(settings):
        await enterprise_event(settings.nats_url, event)
        await wait_settled(settings.nats_url, ENTERPRISES_STREAM.name, DURABLE, 1)
    assert smtp_sink.messages() == []
    assert processed(settings, event.event_id) == "skipped"
