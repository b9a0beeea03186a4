"""A nats-server per test module for the scrape tests that use the real stream and bucket names."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import nats
import pytest
from nats.js.errors import NotFoundError

from services.scraper.state import BUCKET
from tests.fixtures.servers import running_nats


@pytest.fixture(scope="module")
def module_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server of this module's own: its tests use the real stream and bucket names."""
    with running_nats(tmp_path_factory.mktemp("scraper-nats")) as users:
        url = users.url()
        yield url


@pytest.fixture
async def nats_url(module_nats: str) -> str:
    """The module's server with no streams and no scraper state left by an earlier test
    (instead of the session's shared server)."""
    nc = await nats.connect(module_nats)
    js = nc.jetstream()
    for stream in ("LABELS", "SCRAPES", "ENTERPRISES", f"KV_{BUCKET}"):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)
    await nc.close()
    return module_nats
