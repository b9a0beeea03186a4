"""The notifier on a real nats-server and a real SMTP server: mails arrive once, in Dutch,
even when they are redelivered or the mail server comes up late; a mail that waits for the
mail server waits in the notifier's database, its event acknowledged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, Envelope, Session

from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ENTERPRISES_STREAM, enterprise_subject
from services.kit.processes import free_port
from services.notifier.config import NotifierSettings
from services.notifier.subscribers import DURABLE
from tests.fixtures.servers import SmtpSink, running_smtp
from tests.integration.notifier.conftest import MakeSettings
from tests.integration.notifier.helpers import (
    body,
    eventually,
    mail_row,
    processed,
    publish_on,
    running_notifier,
    wait_settled,
)
from tests.unit.notifier.factories import delisted, enterprise, listed, recertification_due

pytestmark = pytest.mark.integration

KRINGLOOP = "info@kringlooptwente.example"


async def publish(nats_url: str, *events: EnterpriseEvent, msg_id_suffix: str = "") -> None:
    """Publish enterprise events as the registry does (see `publish_on`)."""
    for event in events:
        subject = enterprise_subject(None, None, event.kind)
        await publish_on(nats_url, ENTERPRISES_STREAM, subject, event, msg_id_suffix=msg_id_suffix)


async def wait_all_acked(nats_url: str, count: int) -> None:
    """Wait until every published message is acknowledged (none left to redeliver)."""
    await wait_settled(nats_url, ENTERPRISES_STREAM.name, DURABLE, count)


async def test_listed_and_delisted_enterprises_receive_dutch_multipart_mails(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    events = (listed(), delisted())
    async with running_notifier(settings):
        await publish(settings.nats_url, *events)
        await eventually(lambda: len(smtp_sink.messages_to(KRINGLOOP)) == 2, what="two mails")
        await wait_all_acked(settings.nats_url, 2)
    by_subject = {m["Subject"]: m for m in smtp_sink.messages_to(KRINGLOOP)}
    welcome = by_subject["U bent nu zichtbaar op Impact Oost"]
    assert welcome["To"] == KRINGLOOP
    # On the platform's own domain, replies to a person who reads them.
    assert welcome["Message-ID"] == f"<{events[0].event_id}@impactoost.example>"
    assert welcome["Reply-To"] == "Impact Oost <inkoop@impactoost.example>"
    assert welcome["From"] == "Impact Oost <noreply@impactoost.example>"
    assert welcome.get_content_type() == "multipart/alternative"
    assert "U bent zichtbaar dankzij dit label" in body(welcome, "plain")
    assert "PSO (Prestatieladder Socialer Ondernemen), niveau Trede 3" in body(welcome, "plain")
    assert '<a href="http://impactoost.example/ondernemingen/e1a2b3c4d5e6f708">' in body(
        welcome, "html"
    )
    goodbye = by_subject["Uw vermelding is verwijderd"]
    assert "op 12 maart 2026 is vervallen" in body(goodbye, "plain")
    assert "komt uw vermelding automatisch terug" in body(goodbye, "html")


async def test_a_website_match_and_a_hostile_name_arrive_escaped_in_html(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    state = enterprise(
        enterprise_id="f00df00df00df00d",
        name="<img src=x onerror=alert(1)>",
        kvk=(),
        website="https://www.groenefietser.example/",
    )
    async with running_notifier(settings):
        await publish(settings.nats_url, listed(state))
        await eventually(lambda: smtp_sink.messages_to("post@groenefietser.example"))
    html = body(smtp_sink.messages()[0], "html")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


async def test_a_redelivered_event_is_mailed_only_once(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    event = listed()
    async with running_notifier(settings):
        await publish(settings.nats_url, event)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="first mail")
        await publish(settings.nats_url, event, msg_id_suffix="-redelivered")
        await wait_all_acked(settings.nats_url, 2)
    assert len(smtp_sink.messages()) == 1
    row = mail_row(settings, event.event_id)
    assert row is not None and (row.status, row.attempts) == ("sent", 1)


async def test_a_restart_with_a_new_ack_wait_updates_the_durable_and_sends_nothing_again(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    async with running_notifier(settings):
        await publish(settings.nats_url, listed())
        await wait_all_acked(settings.nats_url, 1)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the welcome")
    changed = settings.model_copy(update={"ack_wait_seconds": settings.ack_wait_seconds + 45})
    async with running_notifier(changed):
        await publish(settings.nats_url, delisted())
        await wait_all_acked(settings.nats_url, 2)
        await eventually(lambda: len(smtp_sink.messages_to(KRINGLOOP)) == 2, what="two mails")
        nc = await nats.connect(settings.nats_url)
        try:
            info = await nc.jetstream().consumer_info(ENTERPRISES_STREAM.name, DURABLE)
        finally:
            await nc.close()
    assert info.config.ack_wait == changed.ack_wait_seconds
    assert len(smtp_sink.messages_to(KRINGLOOP)) == 2


async def test_a_recertification_reminder_arrives_once_even_when_redelivered(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    reminder = recertification_due(lead_days=30)
    async with running_notifier(settings):
        await publish(settings.nats_url, reminder)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the reminder")
        await publish(settings.nats_url, reminder, msg_id_suffix="-redelivered")
        await wait_all_acked(settings.nats_url, 2)
    (mail,) = smtp_sink.messages()
    assert mail["Subject"] == ("Vernieuw uw label uiterlijk op 12 maart 2026")
    assert mail["Message-ID"] == f"<{reminder.event_id}@impactoost.example>"
    text = " ".join(body(mail, "plain").split())
    assert "Uw label PSO (Prestatieladder Socialer Ondernemen) is nog 30 dagen geldig" in text
    assert "uiterlijk op 12 maart 2026 vernieuwen" in text
    row = mail_row(settings, reminder.event_id)
    assert row is not None
    assert (row.status, row.kind, row.attempts) == ("sent", "recertification_due", 1)


async def test_a_mail_server_that_starts_late_still_gets_the_mail_once(
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = make_settings(port)
    event = listed()
    async with running_notifier(settings):
        await publish(settings.nats_url, event)
        await wait_all_acked(settings.nats_url, 1)  # taken in: the mail waits in the database

        def tried_twice() -> bool:
            row = mail_row(settings, event.event_id)
            return row is not None and row.status == "retrying" and row.attempts >= 2

        await eventually(tried_twice, what="two attempts")
        with running_smtp(tmp_path / "late-maildir", port) as sink:
            await eventually(lambda: sink.messages_to(KRINGLOOP), what="the late mail")
            await asyncio.sleep(1.0)
            assert len(sink.messages()) == 1
    row = mail_row(settings, event.event_id)
    assert row is not None and row.status == "sent" and row.attempts >= 3


async def test_mails_held_back_behind_a_retrying_one_arrive_in_the_enterprise_s_order(
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = make_settings(port)
    first, second = listed(), delisted()
    async with running_notifier(settings):
        await publish(settings.nats_url, first)
        await eventually(lambda: mail_row(settings, first.event_id), what="the welcome queued")
        await eventually(
            lambda: getattr(mail_row(settings, first.event_id), "attempts", 0) >= 1,
            what="a first attempt",
        )
        await publish(settings.nats_url, second)
        await wait_all_acked(settings.nats_url, 2)
        await asyncio.sleep(1.0)  # the delisting is due, and held back several times
        held = mail_row(settings, second.event_id)
        assert held is not None and (held.status, held.attempts) == ("waiting", 0)
        with running_smtp(tmp_path / "late-maildir", port) as sink:
            await eventually(lambda: len(sink.messages_to(KRINGLOOP)) == 2, what="both mails")
    rows = [mail_row(settings, event.event_id) for event in (first, second)]
    sent = [row.sent_at for row in rows if row is not None and row.status == "sent"]
    assert len(sent) == 2 and sent[0] is not None and sent[1] is not None
    assert sent[0] < sent[1]


async def test_an_enterprise_without_an_address_is_acked_and_its_mail_waits_for_one(
    settings: NotifierSettings,
    smtp_sink: SmtpSink,
) -> None:
    event = listed(enterprise(kvk=("99999999",), website="https://onbekend.example/"))
    async with running_notifier(settings):
        await publish(settings.nats_url, event)
        await wait_all_acked(settings.nats_url, 1)
        await eventually(
            lambda: getattr(mail_row(settings, event.event_id), "status", "") == "unaddressed",
            what="the mail waiting for an address",
        )
    row = mail_row(settings, event.event_id)
    assert row is not None and row.recipient is None
    assert smtp_sink.messages() == []


class RefusingMailbox(Mailbox):
    """A mail server that has no mailbox `weg@…` (550) and stores everything else."""

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.startswith("weg@"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_a_recipient_refused_for_good_is_recorded_rejected_and_acked(
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("kvk,website,email\n06123456,,weg@kringlooptwente.example\n")
    port = free_port()
    controller = Controller(RefusingMailbox(tmp_path / "maildir"), hostname="127.0.0.1", port=port)
    controller.start()
    settings = make_settings(port, contacts)
    event = listed()
    try:
        async with running_notifier(settings):
            await publish(settings.nats_url, event)
            await wait_all_acked(settings.nats_url, 1)
            await eventually(
                lambda: getattr(mail_row(settings, event.event_id), "status", "") == "rejected",
                what="the refusal recorded",
            )
            await asyncio.sleep(1.0)  # past several retry delays: never tried again
    finally:
        controller.stop()
    row = mail_row(settings, event.event_id)
    assert row is not None and (row.status, row.attempts) == ("rejected", 1)
    assert processed(settings, event.event_id) == "new"
