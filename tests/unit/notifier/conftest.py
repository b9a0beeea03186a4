"""The notifier as the sign-in mail tests wire it: a fake mailer and link publisher, and a
notifier on a fresh database with a fixed clock (a module's own fixtures take precedence)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from services.kit.contacts import FakeContacts
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.mailer import FakeMailer
from services.notifier.publisher import FakeLinkPublisher
from services.notifier.schema import migrate

MakeNotifier = Callable[[FakeContacts, datetime], Notifier]


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer(sender="Impact Oost <noreply@impactoost.example>")


@pytest.fixture
def links() -> FakeLinkPublisher:
    return FakeLinkPublisher()


@pytest.fixture
def make_notifier(tmp_path: Path, mailer: FakeMailer, links: FakeLinkPublisher) -> MakeNotifier:
    """Builds a notifier mailing through `mailer`, publishing links to `links`, at a fixed
    time, knowing the given contacts."""

    def make(contacts: FakeContacts, now: datetime) -> Notifier:
        settings = NotifierSettings(
            data_dir=tmp_path, public_base_url="https://impactoost.example/", source="impact-oost"
        )
        deliveries = Deliveries(settings.database_url)
        migrate(deliveries.engine)
        return bootstrap(
            settings,
            mailer=mailer,
            deliveries=deliveries,
            contacts=contacts,
            links=links,
            clock=lambda: now,
        )

    return make
