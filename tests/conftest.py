"""Session-wide real servers: NATS with JetStream, PostgreSQL and an SMTP sink."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.servers import NatsUsers, SmtpSink, running_nats, running_postgres, running_smtp

# One Chromium for the whole session (`browser`, `browser_context`, `page`): imported into
# each module instead, a session fixture is one per module, each kept open to the end.
pytest_plugins = ("tests.fixtures.browser",)


def pytest_configure(config: pytest.Config) -> None:
    """Tests reach no server outside this machine: the registry's PDOK lookups are off unless
    a test points them at a local server (the variable reaches every service process too)."""
    os.environ["IMPACTOOST_PDOK_BASE_URL"] = ""


@pytest.fixture(scope="session")
def nats_users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    """A real nats-server with JetStream and the platform's users, shared by the session
    (tests use their own subjects or recreate the streams they use)."""
    with running_nats(tmp_path_factory.mktemp("nats")) as users:
        yield users


@pytest.fixture(scope="session")
def nats_url(nats_users: NatsUsers) -> str:
    """The session's NATS server as the tests' superuser."""
    return nats_users.url()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session."""
    with running_postgres() as url:
        yield url


@pytest.fixture
def smtp_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    """A fresh SMTP server with an empty Maildir for one test."""
    with running_smtp(tmp_path / "maildir") as sink:
        yield sink
