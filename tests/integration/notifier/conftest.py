"""A nats-server of this module's own (the real ENTERPRISES and SIGNINS streams, clean for
every test)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from contracts.subjects import ENTERPRISES_STREAM, PREFERENCES_STREAM, SIGNINS_STREAM, STREAMS
from services.kit.streams import ensure_streams
from services.notifier.config import NotifierSettings
from tests.fixtures.servers import SmtpSink, running_nats

CONTACTS = """kvk,website,email
06123456,,info@kringlooptwente.example
,https://groenefietser.example/,post@groenefietser.example
"""


@pytest.fixture(scope="module")
def notifier_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server for this module alone, so the real stream names collide with nobody."""
    with running_nats(tmp_path_factory.mktemp("notifier-nats")) as users:
        url = users.url()
        yield url


@pytest.fixture
async def nats_url_clean(notifier_nats: str) -> AsyncIterator[str]:
    """The module's server with new, empty ENTERPRISES, SIGNINS and PREFERENCES streams (so
    no consumer and no remembered message ids: purging alone keeps the duplicate window's
    memory)."""
    nc = await nats.connect(notifier_nats)
    try:
        for stream in (ENTERPRISES_STREAM, SIGNINS_STREAM, PREFERENCES_STREAM):
            with contextlib.suppress(NotFoundError):
                await nc.jetstream().delete_stream(stream.name)
    finally:
        await nc.close()
    await ensure_streams(notifier_nats, STREAMS)
    yield notifier_nats


@pytest.fixture
def contacts_file(tmp_path: Path) -> Path:
    """Addresses for Kringloop Twente (by KvK) and De Groene Fietser (by website)."""
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS, encoding="utf-8")
    return path


MakeSettings = Callable[..., NotifierSettings]


@pytest.fixture
def make_settings(nats_url_clean: str, tmp_path: Path, contacts_file: Path) -> MakeSettings:
    """Settings for a notifier on the clean server and an SMTP port; failed mail retried fast;
    a short quiet period (`quiet` seconds) unless a test needs a longer one."""

    def make(
        smtp_port: int, contacts: Path = contacts_file, quiet: float = 0.2
    ) -> NotifierSettings:
        return NotifierSettings(
            nats_url=nats_url_clean,
            data_dir=tmp_path / "var",
            notifier_contacts_file=contacts,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            mail_from="Impact Oost <noreply@impactoost.example>",
            mail_reply_to="Impact Oost <inkoop@impactoost.example>",
            public_base_url="http://impactoost.example",
            notifier_retry_seconds=0.3,
            smtp_timeout_seconds=5,
            mail_quiet_seconds=quiet,
        )

    return make


@pytest.fixture
def settings(make_settings: MakeSettings, smtp_sink: SmtpSink) -> NotifierSettings:
    """Settings for a notifier that mails into `smtp_sink`."""
    return make_settings(smtp_sink.port)
