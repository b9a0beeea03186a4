"""A service publishes only what it declared: NATS subject matching and the refusal."""

from __future__ import annotations

import pytest

from contracts.enterprises import AnyEnterpriseEvent
from contracts.subjects import ENTERPRISES_STREAM
from services.kit.publications import (
    Publication,
    UndeclaredSubject,
    check_declared,
    subject_matches,
)
from services.scraper.publications import scraper_publications

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("pattern", "subject", "matches"),
    [
        ("impact.v1.enterprises.*.*.*", "impact.v1.enterprises.overijssel.twente.listed", True),
        ("impact.v1.enterprises.*.*.*", "impact.v1.enterprises.overijssel.twente", False),
        ("impact.v1.enterprises.*.*.*", "impact.v1.enterprises.a.b.c.d", False),
        ("impact.v1.alerts.>", "impact.v1.alerts.digest_ready", True),
        ("impact.v1.alerts.>", "impact.v1.alerts", False),
        ("impact.v1.signin.granted", "impact.v1.signin.granted", True),
        ("impact.v1.signin.granted", "impact.v1.signin.requested", False),
        ("impact.v1.signin.granted", "impact.v1.signin.granted.more", False),
        ("impact.v1.*.granted", "impact.v1.signin.x.granted", False),
        ("impact.v1.labels.>", "impact.v1.labelsx.pso.granted", False),
        ("impact.>.labels", "impact.v1.labels", False),
    ],
)
def test_subjects_match_as_nats_matches_them(pattern: str, subject: str, matches: bool) -> None:
    assert subject_matches(pattern, subject) is matches


def test_a_subject_nobody_declared_is_refused() -> None:
    declared = (
        Publication(
            "impact.v1.enterprises.*.*.*", AnyEnterpriseEvent, ENTERPRISES_STREAM, "t", "d"
        ),
    )
    check_declared(declared, "impact.v1.enterprises.gelderland.achterhoek.updated")
    with pytest.raises(UndeclaredSubject, match=r"impact\.v1\.states"):
        check_declared(declared, "impact.v1.states.gelderland.achterhoek.e1")


def test_the_scraper_declares_each_labels_events_and_outcomes_and_nothing_else() -> None:
    declared = scraper_publications()
    check_declared(declared, "impact.v1.labels.pso.lapsed")
    check_declared(declared, "impact.v1.scrapes.cedris.failed")
    with pytest.raises(UndeclaredSubject):
        check_declared(declared, "impact.v1.enterprises.overijssel.twente.listed")
