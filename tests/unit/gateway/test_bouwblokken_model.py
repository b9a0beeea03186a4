"""The building-block model's data file: the shipped values with their sources, and clear
errors for a file that breaks the rules."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.gateway.knowledge.model import SHIPPED_MODEL, ModelFileError, load_model
from tests.unit.gateway.bouwblokken_support import TEST_MODEL

pytestmark = pytest.mark.unit


def _write(tmp_path: Path, change: Any) -> Path:
    data = json.loads(TEST_MODEL.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_shipped_model_is_v05_of_april_2023_with_only_sourced_values() -> None:
    model = load_model()
    assert (model.version, model.published, model.test_data) == ("V05", "april 2023", False)
    assert [(b.name, b.value_eur, b.per) for b in model.target_groups][:2] == [
        ("Participatiewet < 2 jaar", 30000, "jaar"),
        ("Participatiewet > 2 jaar", 40000, "jaar"),
    ]
    assert len(model.target_groups) == 8
    for block in model.target_groups:
        assert model.source(block.source).url == "https://impactoost.nl/bouwblokken"
        assert f"€ {block.value_eur:,}".replace(",", ".") in block.quote


def test_shipped_model_confirms_no_purchase_value_and_says_why() -> None:
    model = load_model()
    assert {rule.id for rule in model.purchase_rules} == {
        "inkoop-pso-30plus",
        "inkoop-sociale-onderneming",
        "inkoop-sw-bedrijf",
    }
    assert not any(rule.confirmed for rule in model.purchase_rules)
    assert all(rule.omitted_reason for rule in model.purchase_rules)
    omitted = " ".join(row.name for row in model.omitted)
    for row in ("BBL", "BOL", "PSO-trede", "Maximum", "Statushouder"):
        assert row in omitted


def test_test_data_is_refused_unless_asked_for() -> None:
    with pytest.raises(ModelFileError, match="holds test data"):
        load_model(TEST_MODEL)
    model = load_model(TEST_MODEL, allow_test_data=True)
    assert model.purchase_rules[0].factor == Decimal("0.8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["purchase_rules"][0].update(factor=1.5), r"purchase_rules\.0\.factor"),
        (lambda d: d["purchase_rules"][0].update(factor=0), r"purchase_rules\.0\.factor"),
        (lambda d: d["purchase_rules"][0].pop("quote"), "needs the quote"),
        (lambda d: d["purchase_rules"][2].pop("omitted_reason"), "needs omitted_reason"),
        (lambda d: d["purchase_rules"][1].update(source="nergens"), "unknown source 'nergens'"),
        (lambda d: d["sources"][0].update(url="javascript:alert(1)"), r"sources\.0\.url"),
        (lambda d: d["target_groups"][0].update(value_eur=-5), r"target_groups\.0\.value_eur"),
        (lambda d: d["target_groups"][0].update(waarde=5), r"target_groups\.0\.waarde"),
        (
            lambda d: d["purchase_rules"][1]["applies_to"].append(
                {"label": "senl", "pso30plus": True}
            ),
            "pso30plus applies only to the label pso",
        ),
        (lambda d: d["purchase_rules"][0]["applies_to"].append({"label": "b-corp"}), "label"),
        (lambda d: d["purchase_rules"].append(d["purchase_rules"][0]), "share an id"),
    ],
)
def test_a_broken_model_file_is_refused_saying_where(
    tmp_path: Path, change: Any, message: str
) -> None:
    with pytest.raises(ModelFileError, match=message) as raised:
        load_model(_write(tmp_path, change), allow_test_data=True)
    assert "model.json" in str(raised.value)


def test_unreadable_or_malformed_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot be read"):
        load_model(tmp_path / "ontbreekt.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(bad)


def test_shipped_file_is_the_default() -> None:
    assert SHIPPED_MODEL.name == "bouwblokken-oost-nederland-v05.json"
