"""The shared contracts: subjects, stream declarations and the event envelope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from contracts.base import deterministic_id
from contracts.labels import LabelGranted, Observation
from contracts.subjects import (
    ENTERPRISES_STREAM,
    LABELS_STREAM,
    STREAMS,
    enterprise_subject,
    label_subject,
    scrape_subject,
    slug,
)

pytestmark = pytest.mark.unit


def _observation(**changes: object) -> Observation:
    data: dict[str, object] = dict(
        label="pso",
        holding_id="PSO-2024-0153",
        name="Kringloop Twente B.V.",
        place="Enschede",
        kvk=("06123456",),
        website="https://kringlooptwente.nl/",
        level="trede-3",
        pso30plus=True,
        status="gecertificeerd",
        valid_from=date(2024, 3, 12),
        valid_until=date(2026, 3, 12),
        counts=True,
        source_url="https://www.pso-nederland.nl/pso-register/certificaat/PSO-2024-0153",
    )
    return Observation.model_validate(data | changes)


def test_subjects_run_broad_to_narrow_and_carry_the_version() -> None:
    assert label_subject("pso", "granted") == "impact.v1.labels.pso.granted"
    assert scrape_subject("codeso", "failed") == "impact.v1.scrapes.codeso.failed"
    assert (
        enterprise_subject("Gelderland", "Achterhoek", "listed")
        == "impact.v1.enterprises.gelderland.achterhoek.listed"
    )


def test_unknown_province_and_region_become_onbekend() -> None:
    assert (
        enterprise_subject(None, "", "delisted")
        == "impact.v1.enterprises.onbekend.onbekend.delisted"
    )


def test_slug_makes_a_single_safe_subject_token() -> None:
    assert slug("Fryslân") == "fryslan"
    assert slug("Midden-Gelderland") == "midden-gelderland"
    assert slug("Rijk van Nijmegen") == "rijk-van-nijmegen"
    assert slug("a.b *>") == "a-b"
    assert slug("***") == "onbekend"


def test_every_subject_belongs_to_exactly_one_declared_stream() -> None:
    subjects = [
        label_subject("pso", "lapsed"),
        scrape_subject("pso", "completed"),
        enterprise_subject("overijssel", "twente", "updated"),
    ]
    for subject in subjects:
        owners = [s.name for s in STREAMS if any(subject.startswith(p[:-1]) for p in s.subjects)]
        assert len(owners) == 1, subject
    assert LABELS_STREAM.duplicate_window_seconds > 0
    assert ENTERPRISES_STREAM.retention == "limits"


def test_events_are_frozen_and_ignore_fields_a_newer_publisher_added() -> None:
    event = LabelGranted(
        event_id=deterministic_id("x"),
        occurred_at=datetime.now(UTC),
        source="test",
        observation=_observation(),
    )
    with pytest.raises(ValidationError):
        event.source = "other"  # type: ignore[misc]
    newer = event.model_dump(mode="json")
    newer["surprise"] = 1
    newer["observation"]["opening_hours"] = "ma-vr"
    assert LabelGranted.model_validate(newer) == event


def test_an_event_without_its_kind_or_with_an_unknown_kind_is_refused() -> None:
    from pydantic import TypeAdapter

    from contracts.enterprises import AnyEnterpriseEvent

    payload = {"event_id": deterministic_id("y"), "occurred_at": "2026-03-02T06:00:00Z"}
    adapter: TypeAdapter[object] = TypeAdapter(AnyEnterpriseEvent)
    for kind in (None, "renamed"):
        with pytest.raises(ValidationError):
            adapter.validate_python({**payload, "source": "t", "kind": kind})


def test_every_event_schema_requires_its_kind() -> None:
    import contracts.enterprises
    import contracts.labels
    import contracts.scrapes
    import contracts.signin
    import contracts.supplements
    from contracts.base import Event

    def every(cls: type[Event]) -> list[type[Event]]:
        return [cls, *(c for sub in cls.__subclasses__() for c in every(sub))]

    with_kind = [c for c in every(Event) if "kind" in c.model_fields]
    named = {c.__name__ for c in with_kind}
    assert {"LabelGranted", "ScrapeFailed", "EnterpriseListed", "SignInGranted"} <= named
    assert contracts.supplements.SupplementSubmitted in with_kind
    for cls in with_kind:
        assert "kind" in cls.model_json_schema()["required"], cls.__name__


def test_occurred_at_must_carry_a_timezone_and_is_stored_in_utc() -> None:
    with pytest.raises(ValidationError):
        LabelGranted(
            event_id="abcdefgh12",
            occurred_at=datetime(2026, 1, 1),
            source="t",
            observation=_observation(),
        )
    cet = timezone(timedelta(hours=1))
    event = LabelGranted(
        event_id="abcdefgh12",
        occurred_at=datetime(2026, 1, 1, 12, tzinfo=cet),
        source="t",
        observation=_observation(),
    )
    assert event.occurred_at == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert event.schema_version == 1


def test_deterministic_ids_depend_only_on_the_facts() -> None:
    assert deterministic_id("pso", "PSO-1", "granted", 1) == deterministic_id(
        "pso", "PSO-1", "granted", 1
    )
    assert deterministic_id("pso", "PSO-1", "granted", 1) != deterministic_id(
        "pso", "PSO-1", "granted", 2
    )
    assert deterministic_id("a", "bc") != deterministic_id("ab", "c")


def test_events_round_trip_through_json() -> None:
    event = LabelGranted(
        event_id=deterministic_id("x"),
        occurred_at=datetime.now(UTC),
        source="test",
        observation=_observation(),
    )
    assert LabelGranted.model_validate_json(event.model_dump_json()) == event
