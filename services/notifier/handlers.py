"""Use cases: tell an enterprise, once, what happened to its listing; mail a granted
sign-in link."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import structlog

from contracts.enterprises import EnterpriseEvent
from contracts.signin import SignInGranted, token_hash
from services.kit import failpoints
from services.notifier.bootstrap import Notifier
from services.notifier.deliveries import FINAL, Status
from services.notifier.domain import (
    buyers_contact,
    is_mailed,
    is_move,
    link_issued,
    message_id,
)
from services.notifier.mailer import MailDeferred, MailRejected, OutgoingMail

log = structlog.get_logger()
# An earlier mail still retrying holds back the enterprise's later ones, so they arrive in
# order; one not tried for this long (its retries come at least every minute) has lost its
# message (a reset durable), and is not waited for.
EARLIER_MAIL_PATIENCE = timedelta(hours=1)
SIGNIN_KIND = "signin_link"


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
    if _already_handled(notifier, event.event_id):
        return
    enterprise_id = event.enterprise.enterprise_id
    if not is_mailed(event):
        _record(notifier, event, None, "skipped", stream_seq)
        reason = "moved" if is_move(event) else "not mailed"
        log.info("mail_skipped", reason=reason, enterprise_id=enterprise_id, kind=event.kind)
        return
    since = datetime.now(UTC) - EARLIER_MAIL_PATIENCE
    if stream_seq is not None and notifier.deliveries.waiting_before(
        enterprise_id, stream_seq, since
    ):
        log.info("mail_held_back", enterprise_id=enterprise_id, kind=event.kind)
        raise MailDeferred("an earlier mail to this enterprise waits for the mail server")
    recipient = notifier.contacts.address_for(event.enterprise) or buyers_contact(event.enterprise)
    if recipient is None:
        _record(notifier, event, None, "undeliverable", stream_seq)
        log.info("mail_undeliverable", enterprise_id=enterprise_id, kind=event.kind)
        return
    status, deferred = _send(notifier, _address(notifier, event, recipient))
    _record(notifier, event, recipient, status, stream_seq)
    if deferred is not None:
        raise deferred
    if status == "sent":
        log.info("mail_sent", recipient=recipient, kind=event.kind, enterprise_id=enterprise_id)


async def send_signin_link(granted: SignInGranted, notifier: Notifier) -> None:
    """Mail a new single-use sign-in link to the granted address, once per grant.

    The link's hash is published, and stored by the stream, before the mail leaves: any link
    that can be in someone's inbox is one the gateway can learn of. The secret itself goes
    only into the mail, never into a log or an event. When the mail server cannot take the
    mail now this raises MailDeferred, and the redelivered grant gets a new link (the unsent
    one just expires).
    """
    if await asyncio.to_thread(_already_handled, notifier, granted.event_id):
        return
    token = secrets.token_urlsafe(32)
    await notifier.links.publish_link(
        link_issued(granted, token_hash(token), notifier.clock(), notifier.source)
    )
    rendered = notifier.renderer.render_signin_link(granted, token)
    mail = OutgoingMail(
        granted.email,
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id(granted.event_id, notifier.message_domain),
    )
    await asyncio.to_thread(_deliver_signin_mail, granted, mail, notifier)


def _deliver_signin_mail(granted: SignInGranted, mail: OutgoingMail, notifier: Notifier) -> None:
    status, deferred = _send(notifier, mail)
    notifier.deliveries.record(
        granted.event_id,
        enterprise_id=granted.enterprise_id,
        kind=SIGNIN_KIND,
        recipient=granted.email,
        status=status,
        message_id=mail.message_id,
        attempted=True,
    )
    if deferred is not None:
        raise deferred
    if status == "sent":
        log.info(
            "signin_link_sent",
            recipient=granted.email,
            enterprise_id=granted.enterprise_id,
            trusted_by=granted.trusted_by,
        )


def _already_handled(notifier: Notifier, event_id: str) -> bool:
    done = notifier.deliveries.get(event_id)
    if done is not None and done.status in FINAL:
        log.info("mail_skipped", reason="already handled", status=done.status)
        return True
    return False


def _send(notifier: Notifier, mail: OutgoingMail) -> tuple[Status, MailDeferred | None]:
    """Hand the mail to the mail server: `sent`, `rejected` (final), or `retrying` with the
    MailDeferred the caller raises once the attempt is recorded."""
    try:
        notifier.mailer.send(mail)
    except MailRejected as exc:
        log.warning("mail_rejected", recipient=mail.recipient, code=exc.code, reason=exc.reason)
        return "rejected", None
    except MailDeferred as exc:
        log.warning("mail_deferred", recipient=mail.recipient, error=str(exc))
        return "retrying", exc
    # At-least-once, not exactly-once: a crash (or a failed commit) between the SMTP server
    # accepting the mail above and the caller's commit leaves no `sent` row, so the
    # redelivered event is mailed again. Both copies carry the same Message-ID, derived only
    # from the event id, so mail systems and readers that deduplicate on it show one. Nothing
    # closes the window entirely: SMTP cannot take part in our database transaction.
    failpoints.hit("notifier.after_smtp", notifier.failpoints)
    return "sent", None


def _address(notifier: Notifier, event: EnterpriseEvent, recipient: str) -> OutgoingMail:
    rendered = notifier.renderer.render_event(event)
    return OutgoingMail(
        recipient,
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id(event.event_id, notifier.message_domain),
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
        message_id=message_id(event.event_id, notifier.message_domain),
        attempted=status in ("sent", "rejected", "retrying"),
        stream_seq=stream_seq,
    )
