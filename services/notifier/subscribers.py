"""The notifier's edges: a durable consumer of every enterprise event (FastStream, one message
at a time, in order), and the kit's batch consumers of granted sign-ins and of mail
preferences.

The batch consumers run outside FastStream like the other services' new consumers; the
router still documents them (AsyncAPI) together with the link-issued publisher.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from faststream.nats import NatsRouter

from contracts.enterprises import AnyEnterpriseEvent
from contracts.preferences import MailPreferenceChanged
from contracts.signin import SignInGranted, SignInLinkIssued
from contracts.subjects import (
    ALL_ENTERPRISE_EVENTS,
    ENTERPRISES_STREAM,
    PREFERENCES_STREAM,
    SIGNINS_STREAM,
    preference_subject,
    signin_subject,
)
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery, one_at_a_time
from services.kit.jetstream import durable_subscriber
from services.kit.nats_users import NOTIFIER_MAIL, NOTIFIER_PREFERENCES, NOTIFIER_SIGNINS
from services.notifier.bootstrap import Notifier
from services.notifier.config import NotifierSettings
from services.notifier.handlers import (
    record_enterprise_event,
    record_mail_preference,
    send_signin_link,
)
from services.notifier.publisher import LINK_ISSUED

DURABLE = NOTIFIER_MAIL
SIGNINS_DURABLE = NOTIFIER_SIGNINS
PREFERENCES_DURABLE = NOTIFIER_PREFERENCES
GRANTED = signin_subject("granted")
MAIL_PREFERENCE = preference_subject("mail")
PREFERENCE_BATCH = 100
# One grant per fetch: each may wait for the mail server up to its timeout, and the batch's
# acks must come within the ack wait.
SIGNIN_BATCH = 1


def signin_consumer(notifier: Notifier, settings: NotifierSettings) -> BatchConsumer[SignInGranted]:
    """The durable consumer of granted sign-ins: each gets its link mailed once."""
    spec = BatchConsumerSpec(
        stream=SIGNINS_STREAM,
        subject=GRANTED,
        durable=SIGNINS_DURABLE,
        batch_size=SIGNIN_BATCH,
        ack_wait_seconds=settings.ack_wait_seconds,
        retry_delay_seconds=settings.notifier_retry_seconds,
    )

    async def send(granted: SignInGranted) -> None:
        await send_signin_link(granted, notifier)

    each = one_at_a_time(send)

    async def handle(
        deliveries: Sequence[Delivery[SignInGranted]],
    ) -> list[Exception | None]:
        # Mail server or stream unavailable: retried later, the error handed back bare.
        return [without_frames(r) if r else None for r in await each(deliveries)]

    return BatchConsumer(settings.nats(), spec, SignInGranted.model_validate_json, handle)


def preference_consumer(
    notifier: Notifier, settings: NotifierSettings
) -> BatchConsumer[MailPreferenceChanged]:
    """The durable consumer of mail preferences: each choice recorded once, in stream order."""
    spec = BatchConsumerSpec(
        stream=PREFERENCES_STREAM,
        subject=MAIL_PREFERENCE,
        durable=PREFERENCES_DURABLE,
        batch_size=PREFERENCE_BATCH,
        ack_wait_seconds=settings.ack_wait_seconds,
        retry_delay_seconds=settings.notifier_retry_seconds,
    )

    async def record(changed: MailPreferenceChanged) -> None:
        await record_mail_preference(changed, notifier)

    return BatchConsumer(
        settings.nats(), spec, MailPreferenceChanged.model_validate_json, one_at_a_time(record)
    )


def without_frames(exc: Exception) -> Exception:
    """The error as its message alone: its traceback and causes hold frames whose variables
    include the link's secret, which a log renderer that shows locals would print."""
    exc.__cause__ = exc.__context__ = None
    return exc.with_traceback(None)


def build_router(
    notifier: Notifier,
    *,
    inbox: str,
    ack_wait_seconds: float = 30.0,
    for_documents: bool = False,
    due_now: Callable[[], None] = lambda: None,
) -> NatsRouter:
    """A router whose subscriber takes each enterprise event (listed, updated, delisted,
    recertification due, supplement hidden) into its mail once, calling `due_now` (the
    sender's wake-up) when that mail is due at once, with the link-issued publisher;
    `for_documents` adds the batch consumers as subscribers only the AsyncAPI document sees
    (the running ones are `signin_consumer` and `preference_consumer`)."""
    router = NatsRouter()

    @durable_subscriber(
        router,
        ALL_ENTERPRISE_EVENTS,
        stream=ENTERPRISES_STREAM,
        durable=DURABLE,
        inbox=inbox,
        ack_wait_seconds=ack_wait_seconds,
        title="notifier-mail:on_enterprise_event",
        description="Mails the enterprise when it is listed, updated or delisted, when "
        "a label it needs is due for recertification, and when an operator hid part of "
        "its supplement; a burst of listing and changes is one mail (quiet period).",
    )
    async def on_enterprise_event(event: AnyEnterpriseEvent) -> None:
        recorded = await record_enterprise_event(event, notifier)
        if recorded.due_at is not None and recorded.due_at <= notifier.clock():
            due_now()

    if for_documents:
        _document_signin_consumer(router, inbox, ack_wait_seconds)
        _document_preference_consumer(router, inbox, ack_wait_seconds)
    router.publisher(
        LINK_ISSUED,
        title="to_signin_link_issued",
        schema=SignInLinkIssued,
        description="SignInLinkIssued: the hash of a sign-in link, published (and acked) "
        "before the link is mailed",
    )
    return router


def _document_signin_consumer(router: NatsRouter, inbox: str, ack_wait_seconds: float) -> None:
    async def on_signin_granted(event: SignInGranted) -> None:
        raise RuntimeError("documents the sign-in consumer; never subscribed")

    subscriber = durable_subscriber(
        router,
        GRANTED,
        stream=SIGNINS_STREAM,
        durable=SIGNINS_DURABLE,
        inbox=inbox,
        batch_size=SIGNIN_BATCH,
        ack_wait_seconds=ack_wait_seconds,
        title="notifier-signins:on_signin_granted",
        description="Mails a single-use sign-in link to an address the registry trusts "
        "for the enterprise",
    )
    subscriber(on_signin_granted)


def _document_preference_consumer(router: NatsRouter, inbox: str, ack_wait_seconds: float) -> None:
    async def on_mail_preference_changed(event: MailPreferenceChanged) -> None:
        raise RuntimeError("documents the preference consumer; never subscribed")

    subscriber = durable_subscriber(
        router,
        MAIL_PREFERENCE,
        stream=PREFERENCES_STREAM,
        durable=PREFERENCES_DURABLE,
        inbox=inbox,
        batch_size=PREFERENCE_BATCH,
        ack_wait_seconds=ack_wait_seconds,
        title="notifier-preferences:on_mail_preference_changed",
        description="Records whether the enterprise behind a preference token still "
        "receives its non-essential mails (the welcome and changes)",
    )
    subscriber(on_mail_preference_changed)
