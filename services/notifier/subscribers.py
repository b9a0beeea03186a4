"""The notifier's edges: the kit's durable consumers of every enterprise event (a fetched
batch taken into their mails in one transaction, in stream order), of granted sign-ins and
of mail preferences."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from pydantic import TypeAdapter

from contracts.enterprises import AnyEnterpriseEvent, EnterpriseEvent
from contracts.preferences import MailPreferenceChanged
from contracts.signin import EditorSignInGranted, SignInGranted
from contracts.subjects import (
    ALL_ENTERPRISE_EVENTS,
    ENTERPRISES_STREAM,
    PREFERENCES_STREAM,
    SIGNINS_STREAM,
    preference_subject,
    signin_subject,
)
from services.kit.batches import (
    BatchConsumer,
    Delivery,
    each_delivery,
    one_at_a_time,
)
from services.kit.nats_users import (
    NOTIFIER_EDITOR_SIGNINS,
    NOTIFIER_MAIL,
    NOTIFIER_PREFERENCES,
    NOTIFIER_SIGNINS,
)
from services.notifier.bootstrap import Notifier
from services.notifier.config import NotifierSettings
from services.notifier.handlers import (
    record_enterprise_events,
    record_mail_preference,
    send_editor_signin_link,
    send_signin_link,
)

SERVICE = "notifier"
ENTERPRISE_EVENTS: TypeAdapter[EnterpriseEvent] = TypeAdapter(AnyEnterpriseEvent)
DURABLE = NOTIFIER_MAIL
SIGNINS_DURABLE = NOTIFIER_SIGNINS
PREFERENCES_DURABLE = NOTIFIER_PREFERENCES
GRANTED = signin_subject("granted")
EDITOR_GRANTED = signin_subject("editor_granted")
MAIL_PREFERENCE = preference_subject("mail")
PREFERENCE_BATCH = 100
# Taking an event into its mail is a database write: batches of them, each on its own.
ENTERPRISE_BATCH = 50
# One grant per fetch: each may wait for the mail server up to its timeout, and the batch's
# acks must come within the ack wait.
SIGNIN_BATCH = 1
G = TypeVar("G", SignInGranted, EditorSignInGranted)


def enterprise_consumer(
    notifier: Notifier,
    settings: NotifierSettings,
    due_now: Callable[[], None] = lambda: None,
) -> BatchConsumer[EnterpriseEvent]:
    """The durable consumer of every enterprise event (listed, updated, delisted,
    recertification due, supplement hidden): each is taken into its mail once, and
    `due_now` (the sender's wake-up) is called when that mail is due at once."""
    spec = settings.consumer_spec(
        stream=ENTERPRISES_STREAM,
        subject=ALL_ENTERPRISE_EVENTS,
        durable=DURABLE,
        batch_size=ENTERPRISE_BATCH,
        title="notifier-mail:on_enterprise_event",
        description="Mails the enterprise when it is listed, updated or delisted, when a "
        "label it needs is due for recertification, and when an operator hid part of its "
        "supplement; a burst of listing and changes is one mail (quiet period).",
    )

    async def record(
        deliveries: Sequence[Delivery[EnterpriseEvent]],
    ) -> list[Exception | None]:
        in_order = sorted(deliveries, key=lambda d: d.stream_sequence)
        batch = [(d.item, d.stream_sequence) for d in in_order]
        results = await record_enterprise_events(batch, notifier)
        now = notifier.clock()
        if any(not isinstance(r, Exception) and r.due_at and r.due_at <= now for r in results):
            due_now()
        outcome = {
            id(d): r if isinstance(r, Exception) else None
            for d, r in zip(in_order, results, strict=True)
        }
        return [outcome[id(d)] for d in deliveries]

    decode = ENTERPRISE_EVENTS.validate_json
    return BatchConsumer(settings.nats(), spec, decode, record, schema=AnyEnterpriseEvent)


def signin_consumer(notifier: Notifier, settings: NotifierSettings) -> BatchConsumer[SignInGranted]:
    """The durable consumer of granted sign-ins: each gets its link mailed once."""
    return _link_mail_consumer(
        notifier,
        settings,
        SignInGranted,
        send_signin_link,
        subject=GRANTED,
        durable=SIGNINS_DURABLE,
        title="notifier-signins:on_signin_granted",
        description="Mails a single-use sign-in link to an address the registry trusts for "
        "the enterprise",
    )


def editor_signin_consumer(
    notifier: Notifier, settings: NotifierSettings
) -> BatchConsumer[EditorSignInGranted]:
    """The durable consumer of hotspot editors' sign-ins: each gets its link mailed once."""
    return _link_mail_consumer(
        notifier,
        settings,
        EditorSignInGranted,
        send_editor_signin_link,
        subject=EDITOR_GRANTED,
        durable=NOTIFIER_EDITOR_SIGNINS,
        title="notifier-editor-signins:on_editor_signin_granted",
        description="Mails a single-use link to the editors' area to an address the "
        "operator named as a hotspot's editor",
    )


def _link_mail_consumer(
    notifier: Notifier,
    settings: NotifierSettings,
    schema: type[G],
    send_link: Callable[[G, Notifier], Awaitable[None]],
    *,
    subject: str,
    durable: str,
    title: str,
    description: str,
) -> BatchConsumer[G]:
    """A durable consumer of one kind of grant on SIGNINS, mailing each grant's link once,
    one grant at a time."""
    spec = settings.consumer_spec(
        stream=SIGNINS_STREAM,
        subject=subject,
        durable=durable,
        batch_size=SIGNIN_BATCH,
        title=title,
        description=description,
    )

    async def send(granted: G) -> None:
        await send_link(granted, notifier)

    each = one_at_a_time(send)

    async def handle(deliveries: Sequence[Delivery[G]]) -> list[Exception | None]:
        # Mail server or stream unavailable: retried later, the error handed back bare.
        return [without_frames(r) if r else None for r in await each(deliveries)]

    return BatchConsumer(settings.nats(), spec, schema.model_validate_json, handle, schema=schema)


def preference_consumer(
    notifier: Notifier, settings: NotifierSettings
) -> BatchConsumer[MailPreferenceChanged]:
    """The durable consumer of mail preferences: each choice recorded once, in stream order."""
    spec = settings.consumer_spec(
        stream=PREFERENCES_STREAM,
        subject=MAIL_PREFERENCE,
        durable=PREFERENCES_DURABLE,
        batch_size=PREFERENCE_BATCH,
        title="notifier-preferences:on_mail_preference_changed",
        description="Records whether the enterprise behind a preference token still "
        "receives its non-essential mails (the welcome and changes)",
    )

    async def record(delivery: Delivery[MailPreferenceChanged]) -> None:
        await record_mail_preference(delivery.item, notifier, delivery.stream_sequence)

    decode = MailPreferenceChanged.model_validate_json
    return BatchConsumer(
        settings.nats(), spec, decode, each_delivery(record), schema=MailPreferenceChanged
    )


def without_frames(exc: Exception) -> Exception:
    """The error as its message alone: its traceback and causes hold frames whose variables
    include the link's secret, which a log renderer that shows locals would print."""
    exc.__cause__ = exc.__context__ = None
    return exc.with_traceback(None)
