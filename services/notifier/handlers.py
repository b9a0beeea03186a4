"""Use cases: tell an enterprise, once, what happened to its listing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog

from contracts.enterprises import EnterpriseEvent
from services.kit import failpoints
from services.notifier.bootstrap import Notifier
from services.notifier.deliveries import FINAL, Status
from services.notifier.domain import message_id
from services.notifier.mailer import MailDeferred, MailRejected, OutgoingMail

log = structlog.get_logger()
# An earlier mail still retrying holds back the enterprise's later ones, so they arrive in
# order; one not tried for this long (its retries come at least every minute) has lost its
# message (a reset durable), and is not waited for.
EARLIER_MAIL_PATIENCE = timedelta(hours=1)


async def send_enterprise_mail(
    event: EnterpriseEvent, notifier: Notifier, stream_seq: int | None = None
) -> None:
    """Mail the enterprise about an enterprise event; the blocking work runs in a thread."""
    await asyncio.to_thread(deliver_enterprise_mail, event, notifier, stream_seq)


def deliver_enterprise_mail(
    event: EnterpriseEvent, notifier: Notifier, stream_seq: int | None = None
) -> None:
    """Send the event's mail unless it was already dealt with; record the outcome.

    Raises MailDeferred when the mail server cannot take it now, or when an earlier event of
    the same enterprise (by `stream_seq`, its place in ENTERPRISES) is still waiting for it,
    so the event is redelivered later and the enterprise's mails arrive in order.
    """
    done = notifier.deliveries.get(event.event_id)
    if done is not None and done.status in FINAL:
        log.info("mail_skipped", reason="already handled", status=done.status)
        return
    enterprise_id = event.enterprise.enterprise_id
    since = datetime.now(UTC) - EARLIER_MAIL_PATIENCE
    if stream_seq is not None and notifier.deliveries.waiting_before(
        enterprise_id, stream_seq, since
    ):
        log.info("mail_held_back", enterprise_id=enterprise_id, kind=event.kind)
        raise MailDeferred("an earlier mail to this enterprise waits for the mail server")
    recipient = notifier.contacts.address_for(event.enterprise)
    if recipient is None:
        _record(notifier, event, None, "undeliverable", stream_seq)
        log.info("mail_undeliverable", enterprise_id=enterprise_id, kind=event.kind)
        return
    try:
        notifier.mailer.send(_address(notifier, event, recipient))
    except MailRejected as exc:
        _record(notifier, event, recipient, "rejected", stream_seq)
        log.warning("mail_rejected", recipient=recipient, code=exc.code, reason=exc.reason)
        return
    except MailDeferred as exc:
        _record(notifier, event, recipient, "retrying", stream_seq)
        log.warning("mail_deferred", recipient=recipient, error=str(exc))
        raise
    # At-least-once, not exactly-once: a crash (or a failed commit) between the SMTP server
    # accepting the mail above and this commit leaves no `sent` row, so the redelivered event
    # is mailed again. Both copies carry the same Message-ID, derived only from the event id,
    # so mail systems and readers that deduplicate on it show one. Nothing closes the window
    # entirely: SMTP cannot take part in our database transaction.
    failpoints.hit("notifier.after_smtp", notifier.failpoints)
    _record(notifier, event, recipient, "sent", stream_seq)
    log.info(
        "mail_sent",
        recipient=recipient,
        kind=event.kind,
        enterprise_id=enterprise_id,
    )


def _address(notifier: Notifier, event: EnterpriseEvent, recipient: str) -> OutgoingMail:
    rendered = notifier.renderer.render_event(event)
    return OutgoingMail(
        recipient, rendered.subject, rendered.text, rendered.html, message_id(event.event_id)
    )


def _record(
    notifier: Notifier,
    event: EnterpriseEvent,
    recipient: str | None,
    status: Status,
    stream_seq: int | None,
) -> None:
    notifier.deliveries.record(
        event.event_id,
        enterprise_id=event.enterprise.enterprise_id,
        kind=event.kind,
        recipient=recipient,
        status=status,
        message_id=message_id(event.event_id),
        attempted=status != "undeliverable",
        stream_seq=stream_seq,
    )
