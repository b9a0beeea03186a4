"""The composition root: real adapters from settings, or the fakes a test passes in."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.notifier.config import NotifierSettings
from services.notifier.contacts import Contacts, CsvContacts
from services.notifier.deliveries import Deliveries
from services.notifier.mailer import Mailer, SmtpMailer
from services.notifier.mails import MailRenderer


@dataclass
class Notifier:
    """Everything the handlers need; built once per process, connects to nothing yet."""

    deliveries: Deliveries
    contacts: Contacts
    mailer: Mailer
    renderer: MailRenderer
    failpoints: frozenset[str] = field(default_factory=frozenset)


def bootstrap(
    settings: NotifierSettings,
    *,
    mailer: Mailer | None = None,
    contacts: Contacts | None = None,
    deliveries: Deliveries | None = None,
) -> Notifier:
    """Wire the notifier; every adapter not given is the real one configured by `settings`."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return Notifier(
        deliveries=deliveries or Deliveries(settings.database_url),
        contacts=contacts or CsvContacts(settings.notifier_contacts_file),
        mailer=mailer
        or SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        ),
        renderer=MailRenderer(settings.platform_name, settings.public_base_url),
        failpoints=settings.failpoints,
    )
