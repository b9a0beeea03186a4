"""Coalescing on a real nats-server and a real SMTP server: an enterprise first seen with
three labels gets one welcome naming all three; a delisting does not wait for the quiet
period; a change after the quiet period gets its own mail saying from what to what."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.enterprises import EnterpriseEvent, EnterpriseState
from contracts.subjects import ENTERPRISES_STREAM, enterprise_subject
from services.notifier.subscribers import DURABLE
from tests.fixtures.servers import SmtpSink
from tests.integration.notifier.conftest import MakeSettings
from tests.integration.notifier.helpers import (
    body,
    eventually,
    mails_of,
    processed,
    publish_on,
    running_notifier,
    wait_settled,
)
from tests.unit.notifier.factories import delisted, enterprise, listed, pso_holding, updated

pytestmark = pytest.mark.integration

KRINGLOOP = "info@kringlooptwente.example"
ENTERPRISE = "e1a2b3c4d5e6f708"
FINAL = {"sent", "undeliverable", "rejected", "superseded", "stopped", "skipped"}


async def publish(nats_url: str, *events: EnterpriseEvent) -> int:
    """Publish as the registry's outbox does, one after the other; the last stream place."""
    seq = 0
    for event in events:
        subject = enterprise_subject("overijssel", "twente", event.kind)
        seq = await publish_on(nats_url, ENTERPRISES_STREAM, subject, event)
    return seq


def first_scrape(version: int, labels: int) -> EnterpriseState:
    """Kringloop Twente as the first scrapes of PSO, Code SO and SE NL see it."""
    holdings = (
        pso_holding(),
        pso_holding(label="codeso", holding_id="code-17", level=None, valid_until=None),
        pso_holding(label="senl", holding_id="senl-9", level="boost", valid_until=None),
    )
    return enterprise(version=version, labels=holdings[:labels])


async def test_an_enterprise_first_seen_with_three_labels_gets_exactly_one_welcome(
    make_settings: MakeSettings, smtp_sink: SmtpSink
) -> None:
    settings = make_settings(smtp_sink.port, quiet=3.0)
    events = (
        listed(first_scrape(1, 1)),
        updated(first_scrape(2, 2)),
        updated(first_scrape(3, 3)),
    )
    async with running_notifier(settings):
        last = await publish(settings.nats_url, *events)
        await wait_settled(settings.nats_url, ENTERPRISES_STREAM.name, DURABLE, last)
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the welcome")
        await eventually(
            lambda: all(m.status in FINAL for m in mails_of(settings, ENTERPRISE)),
            what="every mail settled",
        )
    assert [processed(settings, e.event_id) for e in events] == ["new", "folded", "folded"]
    (welcome,) = smtp_sink.messages()
    assert welcome["Subject"] == "U bent nu zichtbaar op Impact Oost"
    assert welcome["Message-ID"] == f"<{events[0].event_id}@impactoost.example>"
    text = " ".join(body(welcome, "plain").split())
    assert "U bent zichtbaar dankzij deze labels" in text
    for label in ("PSO (Prestatieladder", "Code Sociale Ondernemingen", "Social Enterprise NL"):
        assert label in text


async def test_a_delisting_during_a_quiet_period_is_mailed_without_waiting(
    make_settings: MakeSettings, smtp_sink: SmtpSink
) -> None:
    # A quiet period far longer than the test may take: only what need not wait arrives.
    settings = make_settings(smtp_sink.port, quiet=3600.0)
    async with running_notifier(settings):
        await publish(settings.nats_url, listed(), delisted())
        await eventually(lambda: len(smtp_sink.messages_to(KRINGLOOP)) == 2, what="both mails")
    rows = mails_of(settings, ENTERPRISE)
    assert [(m.kind, m.status) for m in rows] == [("listed", "sent"), ("delisted", "sent")]
    assert rows[0].sent_at is not None and rows[1].sent_at is not None
    assert rows[0].sent_at < rows[1].sent_at  # the welcome first, pulled forward
    goodbye = next(m for m in smtp_sink.messages() if "verwijderd" in m["Subject"])
    text = " ".join(body(goodbye, "plain").split())
    assert "http://impactoost.example/ondernemingen/e1a2b3c4d5e6f708" in text
    assert "Op deze pagina ziet u sinds wanneer en waarom" in text
    assert goodbye["List-Unsubscribe"] is None  # essential: it cannot be stopped


async def test_a_change_after_the_quiet_period_gets_its_own_mail_from_what_to_what(
    make_settings: MakeSettings, smtp_sink: SmtpSink
) -> None:
    settings = make_settings(smtp_sink.port, quiet=0.5)
    renewed = pso_holding(valid_until=date(2029, 3, 31), level="trede-2")
    change = updated(enterprise(version=2, labels=(renewed,)), ("level", "valid_until"))
    async with running_notifier(settings):
        await publish(settings.nats_url, listed())
        await eventually(lambda: smtp_sink.messages_to(KRINGLOOP), what="the welcome")
        await publish(settings.nats_url, change)
        await eventually(lambda: len(smtp_sink.messages_to(KRINGLOOP)) == 2, what="the change")
    (mail,) = [m for m in smtp_sink.messages() if m["Subject"] == "Uw vermelding is gewijzigd"]
    assert mail["Message-ID"] == f"<{change.event_id}@impactoost.example>"
    for subtype in ("plain", "html"):
        text = " ".join(body(mail, subtype).split())
        assert "Geldig tot en met: 12 maart 2026 → 31 maart 2029" in text
        assert "Niveau: Trede 3 → Trede 2" in text
    unfolded = "".join(mail["List-Unsubscribe"].split())  # a long header may be folded
    assert unfolded.startswith("<http://impactoost.example/berichten/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
