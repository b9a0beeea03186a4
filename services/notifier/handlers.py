"""Use cases: tell an enterprise, once, what happened to its listing."""

from __future__ import annotations

import asyncio

import structlog

from contracts.enterprises import EnterpriseEvent
from services.kit import failpoints
from services.notifier.bootstrap import Notifier
from services.notifier.deliveries import FINAL, Status
from services.notifier.domain import message_id
from services.notifier.mailer import MailDeferred, MailRejected, OutgoingMail

log = structlog.get_logger()


async def send_enterprise_mail(event: EnterpriseEvent, notifier: Notifier) -> None:
    """Mail the enterprise about an enterprise event; the blocking work runs in a thread."""
    await asyncio.to_thread(deliver_enterprise_mail, event, notifier)


def deliver_enterprise_mail(event: EnterpriseEvent, notifier: Notifier) -> None:
    """Send the event's mail unless it was already dealt with; record the outcome.

    Raises MailDeferred when the mail server cannot take it now, so the event is redelivered.
    """
    done = notifier.deliveries.get(event.event_id)
    if done is not None and done.status in FINAL:
        log.info("mail_skipped", reason="already handled", status=done.status)
        return
    recipient = notifier.contacts.address_for(event.enterprise)
    if recipient is None:
        _record(notifier, event, None, "undeliverable")
        log.info(
            "mail_undeliverable", enterprise_id=event.enterprise.enterprise_id, kind=event.kind
        )
        return
    try:
        notifier.mailer.send(_address(notifier, event, recipient))
    except MailRejected as exc:
        _record(notifier, event, recipient, "rejected")
        log.warning("mail_rejected", recipient=recipient, code=exc.code, reason=exc.reason)
        return
    except MailDeferred as exc:
        _record(notifier, event, recipient, "retrying")
        log.warning("mail_deferred", recipient=recipient, error=str(exc))
        raise
    # At-least-once, not exactly-once: a crash (or a failed commit) between the SMTP server
    # accepting the mail above and this commit leaves no `sent` row, so the redelivered event
    # is mailed again. Both copies carry the same Message-ID, derived only from the event id,
    # so mail systems and readers that deduplicate on it show one. Nothing closes the window
    # entirely: SMTP cannot take part in our database transaction.
    failpoints.hit("notifier.after_smtp", notifier.failpoints)
    _record(notifier, event, recipient, "sent")
    log.info(
        "mail_sent",
        recipient=recipient,
        kind=event.kind,
        enterprise_id=event.enterprise.enterprise_id,
    )


def _address(notifier: Notifier, event: EnterpriseEvent, recipient: str) -> OutgoingMail:
    rendered = notifier.renderer.render_event(event)
    return OutgoingMail(
        recipient, rendered.subject, rendered.text, rendered.html, message_id(event.event_id)
    )


def _record(
    notifier: Notifier, event: EnterpriseEvent, recipient: str | None, status: Status
) -> None:
    notifier.deliveries.record(
        event.event_id,
        enterprise_id=event.enterprise.enterprise_id,
        kind=event.kind,
        recipient=recipient,
        status=status,
        message_id=message_id(event.event_id),
        attempted=status != "undeliverable",
    )
