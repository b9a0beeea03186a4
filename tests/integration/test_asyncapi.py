"""Every service's AsyncAPI document is generated from its code and checked in, current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.labels import LABELS
from services.cli.specs import asyncapi_documents

pytestmark = pytest.mark.integration

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"

EXPECTED_CHANNELS = {
    "scraper": {
        *(
            f"impact.v1.labels.{label}.{kind}"
            for label in LABELS
            for kind in ("granted", "changed", "lapsed")
        ),
        *(
            f"impact.v1.scrapes.{label}.{kind}"
            for label in LABELS
            for kind in ("completed", "failed")
        ),
        "impact.v1.news.*.*",
        "impact.v1.agenda.*.*",
        "impact.v1.commands.scrape",
        "impactoost.health.scraper",
    },
    "registry": {
        "impact.v1.labels.*.*",
        "impact.v1.enterprises.*.*.*",
        "impact.v1.states.*.*.*",
        "impact.v1.supplements.submitted",
        "impact.v1.signin.requested",
        "impact.v1.signin.granted",
        "impactoost.deadletters.registry.*",
        "impactoost.health.registry",
    },
    "notifier": {
        "impact.v1.enterprises.*.*.*",
        "impact.v1.signin.granted",
        "impact.v1.signin.link_issued",
        "impact.v1.signin.editor_granted",
        "impact.v1.signin.editor_link_issued",
        "impact.v1.preferences.mail",
        "impact.v1.alerts.>",
        "impactoost.deadletters.notifier.*",
        "impactoost.health.notifier",
        "impactoost.deadletters.>",
    },
    "gateway": {
        "impact.v1.enterprises.*.*.*",
        "impact.v1.scrapes.*.*",
        "impact.v1.news.*.*",
        "impact.v1.agenda.*.*",
        "impact.v1.signin.link_issued",
        "impact.v1.signin.requested",
        "impact.v1.signin.editor_granted",
        "impact.v1.signin.editor_link_issued",
        "impact.v1.supplements.submitted",
        "impact.v1.preferences.mail",
        "impact.v1.alerts.confirmation_requested",
        "impact.v1.alerts.digest_ready",
        "impactoost.deadletters.gateway.*",
        "impactoost.health.gateway",
    },
}


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return asyncapi_documents()


@pytest.mark.parametrize("service", sorted(EXPECTED_CHANNELS))
def test_document_names_the_service_channels_and_event_schemas(
    documents: dict[str, str], service: str
) -> None:
    document = json.loads(documents[service])
    assert document["asyncapi"].startswith("3.")
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == EXPECTED_CHANNELS[service]
    schemas = set(document["components"]["schemas"])
    assert schemas & {"LabelGranted", "EnterpriseListed", "ScrapeCompleted"}


@pytest.mark.parametrize("service", sorted(EXPECTED_CHANNELS))
def test_checked_in_document_is_current(documents: dict[str, str], service: str) -> None:
    checked_in = (CHECKED_IN / f"{service}.json").read_text(encoding="utf-8")
    assert checked_in.strip() == documents[service].strip(), (
        f"docs/asyncapi/{service}.json is stale: run `make asyncapi`"
    )
