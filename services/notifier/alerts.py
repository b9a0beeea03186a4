"""Alert mails to buyers: the confirmation link of a new alert (double opt-in) and the
digests of confirmed ones, read from ALERTS by a batch consumer of their own.

The gateway decides everything, the address and the links included; this module mails what
an event says, once per event id (the deliveries table), with the RFC 8058 one-click
unsubscribe in the headers of every mail. The delivery row's `enterprise_id` holds the
alert's id: these mails concern no enterprise, and have no stream order to keep.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import structlog
from pydantic import TypeAdapter

from contracts.alerts import (
    AlertConfirmationRequested,
    AlertDigestReady,
    AlertEntry,
    AlertEvent,
    AlertFilters,
    AnyAlertEvent,
)
from contracts.categories import categories_by_slug
from contracts.subjects import ALERTS_STREAM
from services.kit.batches import BatchConsumer, one_at_a_time
from services.kit.dutch import LOCAL, long_date
from services.kit.nats_users import NOTIFIER_ALERTS
from services.notifier.bootstrap import Notifier
from services.notifier.config import NotifierSettings
from services.notifier.domain import label_name, message_id
from services.notifier.mailer import OutgoingMail, unsubscribe_headers
from services.notifier.mails import template_environment
from services.notifier.sending import already_handled, deliver_recorded

log = structlog.get_logger()
ALERT_EVENTS: TypeAdapter[AlertEvent] = TypeAdapter(AnyAlertEvent)
# One mail per fetch: each may wait for the mail server up to its timeout, and the batch's
# acks must come within the ack wait.
ALERT_BATCH = 1
CHANGES = {"joined": "Nieuw", "returned": "Weer vermeld", "left": "Niet meer vermeld"}
REASONS = {
    ("left", "label_lapsed"): "het label is verlopen",
    ("left", "outside_region"): "niet meer in de regio gevestigd",
    ("left", "moved"): "verhuisd",
    ("joined", "moved"): "verhuisd",
}


def alert_consumer(notifier: Notifier, settings: NotifierSettings) -> BatchConsumer[AlertEvent]:
    """The durable consumer of alert events: each is mailed once."""
    spec = settings.consumer_spec(
        stream=ALERTS_STREAM,
        subject=ALERTS_STREAM.subjects[0],
        durable=NOTIFIER_ALERTS,
        batch_size=ALERT_BATCH,
        title="notifier-alerts:on_alert_event",
        description="Mails a buyer the confirmation link of a new alert, and the digests of "
        "confirmed ones, each with a one-click unsubscribe",
    )

    async def send(event: AlertEvent) -> None:
        await asyncio.to_thread(deliver_alert_mail, event, notifier)

    decode = ALERT_EVENTS.validate_json
    return BatchConsumer(settings.nats(), spec, decode, one_at_a_time(send), schema=AnyAlertEvent)


def deliver_alert_mail(event: AlertEvent, notifier: Notifier) -> None:
    """Mail the event unless it was mailed (or refused for good) before; record the outcome.
    Raises MailDeferred when the mail server cannot take it now, so it is redelivered."""
    if already_handled(notifier, event.event_id):
        return
    rendered = AlertMails(notifier.renderer.platform_name).render(event)
    mail = OutgoingMail(
        event.email,
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id(event.event_id, notifier.message_domain),
        headers=unsubscribe_headers(event.unsubscribe_url),
    )
    kind = f"alert_{event.kind}"
    status = deliver_recorded(notifier, mail, event.event_id, subject_id=event.alert_id, kind=kind)
    if status == "sent":
        log.info("alert_mail_sent", alert_id=event.alert_id, kind=event.kind)


@dataclass(frozen=True)
class AlertMail:
    """An alert mail's subject and bodies."""

    subject: str
    text: str
    html: str


class AlertMails:
    """Renders the alert mails in Dutch (`alert_<kind>.txt` and `.html`)."""

    def __init__(self, platform_name: str) -> None:
        self.platform_name = platform_name
        self.env = template_environment()

    def render(self, event: AlertEvent) -> AlertMail:
        """The mail for `event`."""
        context: dict[str, object] = {
            "platform_name": self.platform_name,
            "event": event,
            "search": describe_search(event.filters),
            "frequency": "dagelijks" if event.frequency == "daily" else "wekelijks",
        }
        if isinstance(event, AlertConfirmationRequested):
            subject = f"Bevestig uw melding van {self.platform_name}"
            context["expires"] = _moment(event.expires_at)
            template = "alert_confirmation"
        else:
            subject = _digest_subject(event, self.platform_name)
            context["entries"] = [_entry_lines(entry) for entry in event.entries]
            context["since"] = _moment(event.period_start)
            template = "alert_digest"
        return AlertMail(
            subject=subject,
            text=self.env.get_template(f"{template}.txt").render(context),
            html=self.env.get_template(f"{template}.html").render(context),
        )


def describe_search(filters: AlertFilters) -> str:
    """The saved search in words: `Catering of Schoonmaak, label PSO, in regio Twente`."""
    known = categories_by_slug()
    parts = []
    if filters.category:
        parts.append(" of ".join(known[s].name if s in known else s for s in filters.category))
    if filters.label:
        names = " of ".join(label_name(label) for label in filters.label)
        parts.append(f"label {names}")
    if filters.region:
        parts.append(f"in regio {filters.region}")
    return ", ".join(parts) or "alle ondernemingen"


def _digest_subject(event: AlertDigestReady, platform_name: str) -> str:
    count = len(event.entries) + event.more
    noun = "wijziging" if count == 1 else "wijzigingen"
    return f"{count} {noun} in uw zoekopdracht op {platform_name}"


@dataclass(frozen=True)
class EntryLine:
    """One entry of a digest, in words."""

    name: str
    place: str | None
    change: str
    reason: str | None
    url: str


def _entry_lines(entry: AlertEntry) -> EntryLine:
    reason = REASONS.get((entry.change, entry.reason or ""))
    return EntryLine(entry.name, entry.place, CHANGES[entry.change], reason, entry.url)


def _moment(value: datetime) -> str:
    try:
        local = value.astimezone(LOCAL)
    except OverflowError:  # the calendar's very ends, which the contracts allow
        local = value
    return f"{long_date(local.date())} om {local:%H:%M} uur"
