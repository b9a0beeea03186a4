"""schemathesis over the gateway's OpenAPI document: every operation, every check, no failure.

The app is the real one over ASGI (schemathesis' client calls itself `testserver`, a host the
settings allow), its read model seeded through the projection. The run is bounded and
derandomized, so it takes seconds and finds the same cases every time."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import CHECKS, is_check_class, load_all_checks

from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event, record_scrape_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from tests.integration.gateway.served import seeded_events
from tests.unit.gateway.events import scrape_completed, scrape_failed

pytestmark = pytest.mark.integration

load_all_checks()
EVERY_CHECK = [check for check in CHECKS.get_all() if not is_check_class(check)]


# Built at collection, as schemathesis parametrizes from the document; nothing connects
# until the fixture below fills the read model. A file, not memory: each call runs the app's
# lifespan, whose background tasks use the database from other threads, and an in-memory
# database (one shared connection) was lost when one of them reset it.
DATABASE = Path(tempfile.mkdtemp(prefix="impactoost-api-schema-")) / "gateway.db"
APP = create_app(
    GatewaySettings(
        gateway_database_url=f"sqlite:///{DATABASE}", gateway_allowed_hosts="testserver"
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def read_model() -> Iterator[None]:
    """Three listed enterprises and two registries' scrape outcomes."""
    create_tables(APP.state.engine)
    for event in seeded_events():
        record_enterprise_event(APP.state.engine, event)
    record_scrape_event(APP.state.engine, scrape_completed("pso"))
    record_scrape_event(APP.state.engine, scrape_failed("codeso", reason="403"))
    yield
    APP.state.engine.dispose()
    shutil.rmtree(DATABASE.parent, ignore_errors=True)


def test_every_check_is_run() -> None:
    names = {check.__name__ for check in EVERY_CHECK}
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "unsupported_method",
    } <= names


@schema.parametrize()
@hypothesis.settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_keeps_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=EVERY_CHECK)
