"""Handing one mail to the mail server: the outcome as a status, and for the mails of one
event (a sign-in grant, an alert) the attempt recorded under the event's id."""

from __future__ import annotations

import structlog

from services.kit import failpoints
from services.notifier.bootstrap import Notifier
from services.notifier.deliveries import FINAL, Status
from services.notifier.mailer import MailDeferred, MailRejected, OutgoingMail

log = structlog.get_logger()


def deliver_recorded(
    notifier: Notifier, mail: OutgoingMail, event_id: str, *, subject_id: str, kind: str
) -> Status:
    """Hand over the mail of one event and record the attempt under the event's id (with
    `subject_id`, the enterprise or alert it is about); raises MailDeferred once recorded,
    so the event is redelivered."""
    # The attempt is counted and committed before the mail server is asked (see
    # `handlers._send_enterprise_mail`): a crash after its acceptance leaves the row `retrying`.
    notifier.deliveries.record(
        event_id,
        enterprise_id=subject_id,
        kind=kind,
        recipient=mail.recipient,
        status="retrying",
        message_id=mail.message_id,
        attempted=True,
    )
    status, deferred = send_mail(notifier, mail)
    notifier.deliveries.record(
        event_id,
        enterprise_id=subject_id,
        kind=kind,
        recipient=mail.recipient,
        status=status,
        message_id=mail.message_id,
        attempted=False,
    )
    if deferred is not None:
        raise deferred
    return status


def already_handled(notifier: Notifier, event_id: str) -> bool:
    """Whether the event's mail was sent, or refused for good, before."""
    done = notifier.deliveries.get(event_id)
    if done is not None and done.status in FINAL:
        log.info("mail_skipped", reason="already handled", status=done.status)
        return True
    return False


def send_mail(notifier: Notifier, mail: OutgoingMail) -> tuple[Status, MailDeferred | None]:
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
    # accepting the mail above and the caller's commit leaves it recorded as tried but not
    # sent, so the mail (still waiting, or its redelivered sign-in grant) is sent again and
    # its `attempts` counts both. Both copies carry the same Message-ID, derived only from
    # the (first) event's id, so mail systems and readers that deduplicate on it show one.
    # Nothing closes the window entirely: SMTP cannot take part in our database transaction.
    failpoints.hit("notifier.after_smtp", notifier.failpoints)
    return "sent", None
