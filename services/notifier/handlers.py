"""Use cases: take an enterprise event in (once, into its mail), send the mails that are
due, record a mail preference, mail a granted sign-in link."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import structlog

from contracts.enterprises import EnterpriseEvent, EnterpriseRecertificationDue, EnterpriseUpdated
from contracts.preferences import MailPreferenceChanged
from contracts.signin import EditorSignInGranted, SignInGranted, token_hash
from services.notifier.bootstrap import Notifier
from services.notifier.changes import change_lines
from services.notifier.coalescing import is_essential, reminder_outdated
from services.notifier.domain import (
    buyers_contact,
    editor_link_issued,
    is_mailed,
    is_move,
    link_issued,
    message_id,
    preferences_url,
)
from services.notifier.intake import Incoming, Recorded, as_utc
from services.notifier.mail_tables import EnterpriseMail
from services.notifier.mailer import OutgoingMail, unsubscribe_headers
from services.notifier.mails import RenderedMail
from services.notifier.outgoing import HELD, WAITING
from services.notifier.sending import already_handled, deliver_recorded, send_mail

log = structlog.get_logger()
SIGNIN_KIND = "signin_link"
EDITOR_SIGNIN_KIND = "editor_signin_link"
# Tries of a mail that keeps failing in our own code (not the mail server's deferrals).
MAX_FAILED_TRIES = 8


async def record_enterprise_event(
    event: EnterpriseEvent, notifier: Notifier, stream_seq: int | None = None
) -> Recorded:
    """Take the event in (see `take_in_enterprise_event`); the blocking work runs in a thread."""
    return await asyncio.to_thread(take_in_enterprise_event, event, notifier, stream_seq)


async def record_enterprise_events(
    batch: Sequence[tuple[EnterpriseEvent, int | None]], notifier: Notifier
) -> list[Recorded | Exception]:
    """Take the events in (see `take_in_enterprise_events`) in a thread."""
    return await asyncio.to_thread(take_in_enterprise_events, batch, notifier)


def take_in_enterprise_event(
    event: EnterpriseEvent, notifier: Notifier, stream_seq: int | None = None
) -> Recorded:
    """Record the event once, in one transaction: the state it shows, and its mail (a new one,
    or folded into the enterprise's open one; see `coalescing`). `stream_seq`, the event's
    place in ENTERPRISES, recognises it after its id was pruned (see `pruning`). Nothing is
    sent here: the sender sends mails once they are due (`send_due_mails`)."""
    (recorded,) = _take_in(notifier, [(event, stream_seq)])
    return recorded


def take_in_enterprise_events(
    batch: Sequence[tuple[EnterpriseEvent, int | None]], notifier: Notifier
) -> list[Recorded | Exception]:
    """`take_in_enterprise_event` for each event of a fetched batch, in order, in one
    transaction (one commit, not one per event); should that fail, each is taken in on its
    own, so one bad event holds up no other, and its error is its result."""
    try:
        return list(_take_in(notifier, batch))
    except Exception as exc:
        if len(batch) == 1:
            return [exc]
    results: list[Recorded | Exception] = []
    for item in batch:
        try:
            results.extend(_take_in(notifier, [item]))
        except Exception as exc:
            results.append(exc)
    return results


def _take_in(
    notifier: Notifier, batch: Sequence[tuple[EnterpriseEvent, int | None]]
) -> list[Recorded]:
    incoming = [Incoming(event, is_mailed(event), seq) for event, seq in batch]
    results = notifier.outgoing.record_many(incoming, notifier.clock(), notifier.timing)
    for (event, _), recorded in zip(batch, results, strict=True):
        _log_taken_in(event, recorded)
    return results


def _log_taken_in(event: EnterpriseEvent, recorded: Recorded) -> None:
    enterprise_id = event.enterprise.enterprise_id
    if recorded.outcome == "duplicate":
        log.info("mail_skipped", reason="already handled", enterprise_id=enterprise_id)
    elif recorded.outcome == "skipped":
        reason = "moved" if is_move(event) else "not mailed"
        log.info("mail_skipped", reason=reason, enterprise_id=enterprise_id, kind=event.kind)
    else:
        log.info(
            "mail_queued",
            outcome=recorded.outcome,
            enterprise_id=enterprise_id,
            kind=event.kind,
            due_at=recorded.due_at,
        )


def send_due_mails(notifier: Notifier, stopping: Callable[[], bool] = lambda: False) -> int:
    """Send every mail that is due, each enterprise's in the order of its events: an earlier
    mail goes out first even when not yet due, and one the mail server defers (or that
    waits for an address) holds back the enterprise's later ones. Returns how many were
    handed to the mail server; ends early, between two mails, once `stopping()`."""
    now = notifier.clock()
    readdress_when_contacts_changed(notifier, now)
    sent = 0
    for enterprise_id in notifier.outgoing.due_enterprises(now):
        for mail_id in notifier.outgoing.queue_of(enterprise_id, now):
            if stopping():
                return sent
            status = _send_or_hold(notifier, mail_id, now)
            sent += status == "sent"
            if status in HELD:
                break
    return sent


def readdress_when_contacts_changed(notifier: Notifier, now: datetime) -> int:
    """Once the contacts changed (the operator fixed the file), every mail that waits for an
    address is due now; returns how many."""
    notifier.contacts.refresh()
    generation = notifier.contacts.generation
    if generation == notifier.contacts_seen:
        return 0
    notifier.contacts_seen = generation
    woken = notifier.outgoing.readdress(now)
    if woken:
        log.info("mails_readdressed", mails=woken)
    return woken


def _send_or_hold(notifier: Notifier, mail_id: int, now: datetime) -> str:
    """Send one mail; should that fail in our own code (a state no template foresaw, the
    database away), hold it back like a deferred mail and go on with the other enterprises',
    so one mail never stops the rest. After `MAX_FAILED_TRIES` it is given up, at error."""
    mail = notifier.outgoing.take(mail_id)
    try:
        return _send_enterprise_mail(notifier, mail, now)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        # An attempt already counted before the mail server was asked is not counted twice.
        counted = notifier.outgoing.take(mail_id).attempts > mail.attempts
        if mail.attempts + 1 >= MAX_FAILED_TRIES:
            notifier.outgoing.finish(
                mail_id, "failed", recipient=None, attempted=not counted, now=now
            )
            log.error(
                "mail_given_up", mail_id=mail_id, enterprise_id=mail.enterprise_id, error=error
            )
            return "failed"
        retry_at = now + notifier.retry_delay * 2 ** min(mail.attempts, 6)
        notifier.outgoing.finish(
            mail_id, "retrying", recipient=None, attempted=not counted, now=now, retry_at=retry_at
        )
        log.warning("mail_failed", mail_id=mail_id, enterprise_id=mail.enterprise_id, error=error)
        return "retrying"


def _send_enterprise_mail(notifier: Notifier, mail: EnterpriseMail, now: datetime) -> str:
    """Send one queued mail, or settle it without sending; returns its new status."""
    if mail.status not in WAITING:  # superseded meanwhile
        return mail.status
    assert mail.id is not None
    mail_id = mail.id
    event = mail.latest()
    enterprise_id = mail.enterprise_id
    essential = is_essential(mail.kind)
    if not essential and not notifier.preferences.wants_non_essential(enterprise_id):
        return _settle(notifier, mail_id, "stopped", now, kind=mail.kind)
    if isinstance(event, EnterpriseRecertificationDue):
        latest = notifier.outgoing.latest_state(enterprise_id)
        if latest is not None and reminder_outdated(event, latest):
            return _settle(notifier, mail_id, "superseded", now, kind=mail.kind)
    changes = None
    if isinstance(event, EnterpriseUpdated):
        changes = change_lines(mail.change_keys(), mail.state_before(), event.enterprise)
        if changes is None:
            return _settle(notifier, mail_id, "skipped", now, kind=mail.kind)
    recipient = notifier.contacts.address_for(event.enterprise) or buyers_contact(event.enterprise)
    if recipient is None:
        return _await_address(notifier, mail, now)
    link = None
    if not essential:
        link = preferences_url(notifier.base_url, notifier.preferences.token_for(enterprise_id))
    rendered = notifier.renderer.render_event(event, changes=changes, preferences_url=link)
    outgoing = OutgoingMail(
        recipient,
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id(mail.mail_key, notifier.message_domain),
        # RFC 8058: a mail program POSTs `List-Unsubscribe=One-Click` to the link itself; the
        # gateway accepts exactly that body there without a form token.
        headers=unsubscribe_headers(link) if link else (),
    )
    # Counted (and committed) before the mail server is asked: should the process die after
    # the server accepted the mail but before the outcome is recorded, the mail is sent
    # again, and its `attempts` shows both.
    notifier.outgoing.count_attempt(mail_id, recipient, now)
    status, deferred = send_mail(notifier, outgoing)
    done = notifier.clock()
    retry_at = done + notifier.retry_delay if deferred is not None else None
    notifier.outgoing.finish(
        mail_id, status, recipient=recipient, attempted=False, now=done, retry_at=retry_at
    )
    if status == "sent":
        log.info(
            "mail_sent",
            recipient=recipient,
            kind=mail.kind,
            enterprise_id=enterprise_id,
            events=mail.events,
        )
    return status


def _await_address(notifier: Notifier, mail: EnterpriseMail, now: datetime) -> str:
    """No address for the enterprise yet: the mail waits until the contacts change (or
    `address_retry` passed), and is given up as undeliverable `address_wait` after its
    first event."""
    assert mail.id is not None
    if now - as_utc(mail.first_at) >= notifier.address_wait:
        log.error("mail_undeliverable", enterprise_id=mail.enterprise_id, kind=mail.kind)
        return _settle(notifier, mail.id, "undeliverable", now, kind=mail.kind)
    notifier.outgoing.finish(
        mail.id,
        "unaddressed",
        recipient=None,
        attempted=False,
        now=now,
        retry_at=now + notifier.address_retry,
    )
    log.warning("mail_unaddressed", enterprise_id=mail.enterprise_id, kind=mail.kind)
    return "unaddressed"


def _settle(notifier: Notifier, mail_id: int, status: str, now: datetime, *, kind: str) -> str:
    notifier.outgoing.finish(mail_id, status, recipient=None, attempted=False, now=now)
    log.info("mail_not_sent", reason=status, kind=kind)
    return status


async def record_mail_preference(
    changed: MailPreferenceChanged, notifier: Notifier, stream_seq: int | None = None
) -> None:
    """Record an enterprise's choice to stop or receive its non-essential mails, once."""
    outcome = await asyncio.to_thread(notifier.preferences.apply, changed, stream_seq)
    log.info(
        "mail_preference_recorded",
        outcome=outcome,
        non_essential=changed.non_essential,
        via=changed.via,
    )


async def send_signin_link(granted: SignInGranted, notifier: Notifier) -> None:
    """Mail a new single-use sign-in link to the granted address, once per grant.

    The link's hash is published, and stored by the stream, before the mail leaves: any link
    that can be in someone's inbox is one the gateway can learn of. The secret itself goes
    only into the mail, never into a log or an event. When the mail server cannot take the
    mail now this raises MailDeferred, and the redelivered grant gets a new link (the unsent
    one just expires).
    """
    sent = await _mail_new_link(
        granted,
        notifier,
        publish=lambda hashed: notifier.links.publish_link(
            link_issued(granted, hashed, notifier.clock(), notifier.source)
        ),
        render=lambda token: notifier.renderer.render_signin_link(granted, token),
        subject_id=granted.enterprise_id,
        kind=SIGNIN_KIND,
    )
    if sent:
        log.info(
            "signin_link_sent",
            recipient=granted.email,
            enterprise_id=granted.enterprise_id,
            trusted_by=granted.trusted_by,
        )


async def send_editor_signin_link(granted: EditorSignInGranted, notifier: Notifier) -> None:
    """Mail a new single-use link to the editors' area to a hotspot's editor, once per grant;
    as `send_signin_link`, the link's hash is stored by the stream before the mail leaves."""
    sent = await _mail_new_link(
        granted,
        notifier,
        publish=lambda hashed: notifier.links.publish_editor_link(
            editor_link_issued(granted, hashed, notifier.clock(), notifier.source)
        ),
        render=lambda token: notifier.renderer.render_editor_signin_link(granted, token),
        subject_id=granted.hotspot,
        kind=EDITOR_SIGNIN_KIND,
    )
    if sent:
        log.info("editor_signin_link_sent", recipient=granted.email, hotspot=granted.hotspot)


async def _mail_new_link(
    granted: SignInGranted | EditorSignInGranted,
    notifier: Notifier,
    *,
    publish: Callable[[str], Awaitable[None]],
    render: Callable[[str], RenderedMail],
    subject_id: str,
    kind: str,
) -> bool:
    """Make a link's secret, publish its hash, then mail it, unless the grant was handled
    already; whether the mail was sent now."""
    if await asyncio.to_thread(already_handled, notifier, granted.event_id):
        return False
    token = secrets.token_urlsafe(32)
    await publish(token_hash(token))
    rendered = render(token)
    mail = OutgoingMail(
        granted.email,
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id(granted.event_id, notifier.message_domain),
    )
    status = await asyncio.to_thread(
        deliver_recorded, notifier, mail, granted.event_id, subject_id=subject_id, kind=kind
    )
    return status == "sent"
