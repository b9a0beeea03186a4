"""Real databases (SQLite file, a fresh PostgreSQL database per test) and a registry NATS."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import Engine

from contracts.subjects import STREAMS
from services.kit.streams import ensure_streams
from services.registry.adapters.database import make_engine, prepare_database
from tests.fixtures.servers import own_database, running_nats


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for each test: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    with own_database(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a prepared, empty registry schema."""
    engine = make_engine(database_url)
    prepare_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="package")
def registry_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server for the registry's tests only: they use the real stream names."""
    with running_nats(tmp_path_factory.mktemp("registry-nats")) as users:
        url = users.url()
        yield url


@pytest.fixture
async def nats_streams(registry_nats: str) -> AsyncIterator[str]:
    """The real streams, new for each test: recreated rather than purged, because a purge
    keeps the duplicate window and the tests' deterministic event ids would be dropped."""
    nc = await nats.connect(registry_nats)
    try:
        js = nc.jetstream()
        for stream in STREAMS:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(stream.name)
    finally:
        await nc.close()
    await ensure_streams(registry_nats, STREAMS)
    yield registry_nats
