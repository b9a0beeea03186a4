"""The Code register's query endpoint, whose request body is uncertain: the adapter tries the
known shapes in order against demo register variants that each understand one shape, and
reports the one that worked."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from contracts.base import utc_now
from services.demo.sites.codeso import CodesoSite, start_codeso_site
from services.kit.dutch import dutch_date_of
from services.scraper.runner import ScrapeRun
from services.scraper.service import build_run
from services.scraper.sources.codeso import CodesoSource
from services.scraper.sources.codeso_shapes import KNOWN_SHAPES
from services.scraper.state import FakeStateStore
from tests.integration.scraper.helpers import local_policy
from tests.integration.scraper.test_codeso_scrape import QUERY, settings_for
from tests.unit.scraper.fakes import FakePublisher

pytestmark = pytest.mark.integration


@pytest.fixture
def page_key_site() -> Iterator[CodesoSite]:
    site = start_codeso_site("A", today=dutch_date_of(utc_now()), request_shape="json-page")
    yield site
    site.stop()


def posted_bodies(site: CodesoSite) -> list[str]:
    return [r.path for r in site.requests if r.method == "POST"]


async def test_a_register_that_wants_page_instead_of_paged_is_read_with_the_second_shape(
    page_key_site: CodesoSite,
) -> None:
    # This variant ignores `paged` and answers page 1 to it, as WordPress ignores unknown
    # keys: page 1 alone would look valid, page 2 shows the shape is wrong.
    site = page_key_site
    publisher = FakePublisher()
    with structlog.testing.capture_logs() as logs:
        run = build_run(settings_for(site), "codeso", store=FakeStateStore(), publisher=publisher)
        outcome = await run.run(site.today)
    assert outcome.ok, outcome.reason
    assert outcome.request_shapes == {"query": "json ql_id+page"}
    assert outcome.summary()["request_shapes"] == {"query": "json ql_id+page"}
    assert {o.holding_id for o in outcome.observations} == {r.slug for r in site.registrations()}
    # Shape 1 for pages 1 and 2 (refused there), then shape 2 for pages 1, 2 and 3.
    assert posted_bodies(site) == [QUERY] * 5
    found = [e for e in logs if e["event"] == "codeso_request_shape_found"]
    assert found[0]["shape"] == "json ql_id+page"
    assert "answered page 1 when asked for 2" in found[0]["refused"][0]
    completed = [e for e in logs if e["event"] == "scrape_completed"]
    assert completed[0]["request_shapes"] == {"query": "json ql_id+page"}


@pytest.mark.parametrize(
    ("variant", "shape"),
    [
        ("json", "json ql_id+paged"),
        ("json-query", "json ql_id+query.paged"),
        ("form", "form ql_id+paged"),
    ],
)
async def test_each_known_shape_is_found_on_a_register_that_understands_only_it(
    variant: str, shape: str
) -> None:
    site = start_codeso_site("A", today=dutch_date_of(utc_now()), request_shape=variant)
    try:
        run = build_run(settings_for(site), "codeso", store=FakeStateStore(), publisher=None)
        outcome = await run.run(site.today)
    finally:
        site.stop()
    assert outcome.ok, outcome.reason
    assert outcome.request_shapes == {"query": shape}
    assert len(outcome.observations) == 20


async def test_a_register_that_understands_no_known_shape_fails_naming_each_refusal() -> None:
    site = start_codeso_site("A", today=dutch_date_of(utc_now()), request_shape="form")
    json_only = KNOWN_SHAPES[:3]  # as if the form shape were not known yet
    try:
        outcome = await ScrapeRun(
            source=CodesoSource(site.base_url, shapes=json_only),
            store=FakeStateStore(),
            publisher=None,
            policy=local_policy(50.0),
            event_source="test",
        ).run(site.today)
    finally:
        site.stop()
    assert not outcome.ok
    assert outcome.reason is not None
    assert "no valid answer to any known request shape" in outcome.reason
    for shape in json_only:
        assert f"{shape.name}: POST " in outcome.reason and "HTTP 400" in outcome.reason
    assert posted_bodies(site) == [QUERY] * 3
    assert json.dumps(outcome.summary())  # still a printable account
