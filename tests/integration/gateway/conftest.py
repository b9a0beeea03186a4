"""The gateway's integration fixtures: a read model on the session's PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from services.gateway.read_model.database import create_tables, make_engine
from tests.fixtures.servers import own_database


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """A read model in a database of its own on the session's PostgreSQL server."""
    with own_database(postgres_url, "gateway") as url:
        engine = make_engine(url)
        create_tables(engine)
        yield engine
        engine.dispose()
