"""The composition root: real adapters from settings, or the fakes a test passes in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faststream.nats import NatsBroker

from contracts.base import utc_now
from services.kit.contacts import Contacts, CsvContacts
from services.kit.jetstream import make_broker
from services.notifier.coalescing import Timing
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.mailer import Mailer, SmtpMailer
from services.notifier.mails import MailRenderer
from services.notifier.outgoing import OutgoingMails
from services.notifier.preferences import MailPreferences
from services.notifier.publisher import JetStreamLinkPublisher, LinkPublisher


@dataclass
class Notifier:
    """Everything the handlers need; built once per process, connects to nothing yet."""

    deliveries: Deliveries
    contacts: Contacts
    mailer: Mailer
    renderer: MailRenderer
    broker: NatsBroker
    links: LinkPublisher
    outgoing: OutgoingMails
    preferences: MailPreferences
    timing: Timing
    base_url: str
    retry_delay: timedelta = timedelta(seconds=10)
    keep_recipients: timedelta = timedelta(days=180)
    address_retry: timedelta = timedelta(minutes=15)
    address_wait: timedelta = timedelta(days=30)
    contacts_seen: int = 0
    """The contacts' generation the sender last readdressed waiting mails for."""
    source: str = "impactoost"
    message_domain: str = "localhost"
    clock: Callable[[], datetime] = utc_now
    failpoints: frozenset[str] = field(default_factory=frozenset)


def bootstrap(
    settings: NotifierSettings,
    *,
    mailer: Mailer | None = None,
    contacts: Contacts | None = None,
    deliveries: Deliveries | None = None,
    links: LinkPublisher | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Notifier:
    """Wire the notifier; every adapter not given is the real one configured by `settings`."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    broker = make_broker(settings.nats())
    deliveries = deliveries or Deliveries(settings.database_url)
    return Notifier(
        deliveries=deliveries,
        contacts=contacts or CsvContacts(settings.notifier_contacts_file),
        mailer=mailer
        or SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            reply_to=settings.mail_reply_to,
            username=settings.smtp_username,
            password=password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        ),
        renderer=MailRenderer(settings.platform_name, settings.public_base_url),
        broker=broker,
        links=links or JetStreamLinkPublisher(broker, settings.publish_timeout_seconds),
        outgoing=OutgoingMails(deliveries.engine),
        preferences=MailPreferences(deliveries.engine),
        timing=Timing(quiet=timedelta(seconds=settings.mail_quiet_seconds)),
        base_url=settings.public_base_url,
        retry_delay=timedelta(seconds=settings.notifier_retry_seconds),
        keep_recipients=timedelta(days=settings.notifier_recipient_days),
        address_retry=timedelta(seconds=settings.notifier_address_retry_seconds),
        address_wait=timedelta(days=settings.notifier_address_wait_days),
        source=settings.source,
        message_domain=settings.message_domain,
        clock=clock,
        failpoints=settings.failpoints,
    )
