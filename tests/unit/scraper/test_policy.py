"""The listing policy: its defaults, its rules, and the setting that overrides it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.labels import LabelName
from services.kit.settings import ConfigError, load_settings
from services.scraper.config import ScraperSettings
from services.scraper.policy import (
    DEFAULT_LISTING_POLICY,
    LabelPolicy,
    apply_overrides,
    parse_listing_policy,
)

pytestmark = pytest.mark.unit
TODAY = date(2025, 6, 1)


def counts(
    policy: LabelPolicy, status: str, level: str | None, valid_until: date | None = None
) -> bool:
    return policy.counts(status=status, level=level, valid_until=valid_until, today=TODAY)


@pytest.mark.parametrize(
    ("label", "status", "level", "expected"),
    [
        ("pso", "gecertificeerd", "trede-3", True),
        ("pso", "gecertificeerd", "basistrede", True),
        ("pso", "gecertificeerd", None, True),
        ("pso", "aspirant", "aspirant", False),
        ("codeso", "geregistreerd", None, True),
        ("codeso", "aangevraagd", None, False),
        ("codeso", "aspirant", None, False),
        ("codeso", "onbekend", None, False),
        ("senl", "lid", "lid", True),
        ("senl", "lid", "boost", True),
        ("senl", "lid", None, True),
        ("senl", "lid", "partner", False),
        ("cedris", "lid", "leerwerkbedrijf", True),
        ("cedris", "lid", "sociaal-ontwikkelbedrijf", True),
        ("cedris", "lid", "gemeente", False),
        ("cedris", "lid", "sociale-onderneming", False),
        ("cedris", "lid", None, False),
    ],
)
def test_the_default_policy_counts_what_the_label_sources_say_counts(
    label: LabelName, status: str, level: str | None, expected: bool
) -> None:
    assert counts(DEFAULT_LISTING_POLICY.for_label(label), status, level) is expected


@pytest.mark.parametrize("label", ["pso", "codeso", "senl", "cedris"])
def test_a_holding_valid_until_before_today_never_counts(label: LabelName) -> None:
    policy = apply_overrides({label: {"levels": "any"}}).for_label(label)
    (status,) = policy.statuses
    assert counts(policy, status, "trede-1", TODAY) is True
    assert counts(policy, status, "trede-1", TODAY - timedelta(days=1)) is False


def test_any_level_counts_every_published_level_and_the_flag_decides_an_unpublished_one() -> None:
    policy = LabelPolicy(statuses=frozenset({"lid"}), unpublished_level_counts=False)
    assert counts(policy, "lid", "wat-dan-ook") is True
    assert counts(policy, "lid", None) is False
    assert counts(policy, "oud-lid", "wat-dan-ook") is False


def test_an_override_changes_only_the_keys_it_names_of_the_labels_it_names() -> None:
    policy = apply_overrides({"codeso": {"statuses": ["geregistreerd", "aangevraagd"]}})
    assert policy.codeso == LabelPolicy(statuses=frozenset({"geregistreerd", "aangevraagd"}))
    assert (policy.pso, policy.senl, policy.cedris) == (
        DEFAULT_LISTING_POLICY.pso,
        DEFAULT_LISTING_POLICY.senl,
        DEFAULT_LISTING_POLICY.cedris,
    )
    narrowed = apply_overrides({"senl": {"levels": ["lid"], "unpublished_level_counts": False}})
    assert narrowed.senl == LabelPolicy(
        statuses=frozenset({"lid"}), levels=frozenset({"lid"}), unpublished_level_counts=False
    )


def test_levels_any_counts_every_member_kind_but_keeps_the_unpublished_rule() -> None:
    cedris = apply_overrides({"cedris": {"levels": "any"}}).cedris
    assert counts(cedris, "lid", "gemeente") is True
    assert counts(cedris, "lid", None) is False


@pytest.mark.parametrize("text", ["", "  ", "{}"])
def test_an_empty_setting_keeps_every_default(text: str) -> None:
    assert parse_listing_policy(text) == DEFAULT_LISTING_POLICY


def test_the_setting_is_read_from_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ScraperSettings().listing_policy == DEFAULT_LISTING_POLICY
    monkeypatch.setenv(
        "IMPACTOOST_LISTING_POLICY",
        '{"codeso": {"statuses": ["geregistreerd", "aangevraagd"]}, "pso": {"levels": "any"}}',
    )
    policy = load_settings(ScraperSettings).listing_policy
    assert policy.codeso.statuses == {"geregistreerd", "aangevraagd"}
    assert (
        policy.pso == DEFAULT_LISTING_POLICY.pso and policy.cedris == DEFAULT_LISTING_POLICY.cedris
    )


def test_the_setting_also_takes_overrides_as_a_mapping() -> None:
    settings = load_settings(ScraperSettings, listing_policy={"cedris": {"levels": ["gemeente"]}})
    assert settings.listing_policy.cedris.levels == frozenset({"gemeente"})


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('{"codeso": {"statuses": ["geregistreerd"]}', "not valid JSON"),
        ('["codeso"]', "must be a JSON object"),
        (
            '{"kvk": {"statuses": ["lid"]}}',
            "unknown label 'kvk' (known: pso, codeso, senl, cedris)",
        ),
        ('{"senl": ["lid"]}', "senl: must be an object"),
        ('{"codeso": {"status": ["geregistreerd"]}}', "codeso: unknown key 'status'"),
        ('{"codeso": {"statuses": []}}', "codeso.statuses: must not be empty"),
        ('{"codeso": {"statuses": "geregistreerd"}}', "codeso.statuses: must be a list of strings"),
        ('{"cedris": {"levels": []}}', "cedris.levels: must not be empty"),
        ('{"cedris": {"levels": "alle"}}', 'cedris.levels: must be a list of strings or "any"'),
        (
            '{"pso": {"levels": ["Trede 3"]}}',
            "'Trede 3' is not a normalised value; write 'trede-3'",
        ),
        ('{"senl": {"unpublished_level_counts": "ja"}}', "must be true or false"),
    ],
)
def test_an_invalid_policy_stops_start_up_with_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("IMPACTOOST_LISTING_POLICY", value)
    with pytest.raises(ConfigError) as caught:
        load_settings(ScraperSettings)
    message = str(caught.value)
    assert message.startswith("invalid settings: IMPACTOOST_LISTING_POLICY: ")
    assert problem in message and "\n" not in message


def test_every_problem_of_a_policy_is_reported_at_once() -> None:
    with pytest.raises(ValueError, match="unknown label 'kvk'") as caught:
        parse_listing_policy('{"kvk": {}, "pso": {"statuses": []}, "senl": {"niveaus": []}}')
    assert "pso.statuses: must not be empty" in str(caught.value)
    assert "senl: unknown key 'niveaus'" in str(caught.value)
