"""The SROI calculator's rules: which building block applies to which enterprise, no figure
where the model's value is unconfirmed or the model does not cover the enterprise, and the
arithmetic once a value is confirmed (made-up test factors)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.gateway.knowledge.model import BuildingBlockModel, load_model
from services.gateway.knowledge.sroi import (
    AmountError,
    Holding,
    assess_purchase,
    factor_nl,
    money_nl,
    parse_amount,
)
from tests.unit.gateway.bouwblokken_support import TEST_MODEL

pytestmark = pytest.mark.unit

SHIPPED = load_model()
TEST = load_model(TEST_MODEL, allow_test_data=True)
AMOUNT = Decimal("10000")

PSO_30PLUS = Holding("pso", "trede-3", pso30plus=True)
PSO_TREDE_2 = Holding("pso", "trede-2")
CODESO = Holding("codeso")
SENL = Holding("senl", "lid")
CEDRIS = Holding("cedris", "leerwerkbedrijf")


def _rule_ids(model: BuildingBlockModel, *holdings: Holding) -> tuple[str, list[str]]:
    answer = assess_purchase(model, holdings, AMOUNT)
    return answer.kind, [rule.id for rule in answer.unconfirmed]


@pytest.mark.parametrize(
    ("holding", "rule"),
    [
        (PSO_30PLUS, "inkoop-pso-30plus"),
        (CODESO, "inkoop-sociale-onderneming"),
        (SENL, "inkoop-sociale-onderneming"),
        (CEDRIS, "inkoop-sw-bedrijf"),
    ],
)
def test_shipped_model_names_the_rule_but_gives_no_figure(holding: Holding, rule: str) -> None:
    answer = assess_purchase(SHIPPED, [holding], AMOUNT)
    assert answer.kind == "unconfirmed"
    assert answer.value is None
    assert [r.id for r in answer.unconfirmed] == [rule]


def test_pso_without_30plus_is_not_covered_and_says_why() -> None:
    for model in (SHIPPED, TEST):
        answer = assess_purchase(model, [PSO_TREDE_2], AMOUNT)
        assert answer.kind == "not_covered"
        assert answer.value is None
        assert "PSO-certificaat zonder 30+ (Trede 2)" in answer.reasons[0]


def test_no_label_is_not_covered() -> None:
    answer = assess_purchase(SHIPPED, [], AMOUNT)
    assert answer.kind == "not_covered"
    assert answer.reasons == (
        "Deze onderneming heeft geen label waarvoor het model een regel kent.",
    )


def test_a_lapsed_label_in_its_grace_period_does_not_count() -> None:
    lapsed = Holding("pso", "trede-3", pso30plus=True, lapsed=True)
    answer = assess_purchase(TEST, [lapsed], AMOUNT)
    assert answer.kind == "not_covered"
    assert "hercertificering loopt" in answer.reasons[0]


def test_several_labels_name_every_rule_that_applies_once() -> None:
    kind, rules = _rule_ids(SHIPPED, PSO_30PLUS, CODESO, SENL, CEDRIS)
    assert kind == "unconfirmed"
    assert rules == ["inkoop-pso-30plus", "inkoop-sociale-onderneming", "inkoop-sw-bedrijf"]
    assert _rule_ids(SHIPPED, PSO_TREDE_2, CEDRIS) == ("unconfirmed", ["inkoop-sw-bedrijf"])


def test_a_confirmed_factor_gives_the_figure_with_its_rule() -> None:
    answer = assess_purchase(TEST, [PSO_30PLUS], Decimal("12345.67"))
    assert answer.kind == "figure"
    assert answer.rule is not None and answer.rule.id == "inkoop-pso-30plus"
    assert answer.value == Decimal("9876.54")  # 12.345,67 × 80% = 9.876,536: rounded to cents
    assert not answer.capped


def test_a_cap_in_the_data_limits_the_figure() -> None:
    answer = assess_purchase(TEST, [CODESO], AMOUNT)
    assert (answer.kind, answer.value, answer.capped) == ("figure", Decimal("1000.00"), True)
    small = assess_purchase(TEST, [SENL], Decimal("2000"))
    assert (small.value, small.capped) == (Decimal("500.00"), False)


def test_of_several_confirmed_rules_the_one_worth_most_counts_and_unconfirmed_are_named() -> None:
    answer = assess_purchase(TEST, [CODESO, PSO_30PLUS, CEDRIS], AMOUNT)
    assert answer.rule is not None and answer.rule.id == "inkoop-pso-30plus"
    assert answer.value == Decimal("8000.00")
    assert [rule.id for rule in answer.unconfirmed] == ["inkoop-sw-bedrijf"]


def test_an_unconfirmed_rule_in_test_data_still_gives_no_figure() -> None:
    assert _rule_ids(TEST, CEDRIS) == ("unconfirmed", ["inkoop-sw-bedrijf"])


@pytest.mark.parametrize(
    ("typed", "euros"),
    [
        ("12500", "12500"),
        ("12.500", "12500"),
        ("12.500,50", "12500.50"),
        ("12500,5", "12500.5"),
        ("12500.50", "12500.50"),
        ("€ 1.250.000", "1250000"),
        (" 0,01 ", "0.01"),
    ],
)
def test_amounts_are_read_as_dutch_people_type_them(typed: str, euros: str) -> None:
    assert parse_amount(typed) == Decimal(euros)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Vul een bedrag in euro’s in"),
        ("twaalf", "Dit is geen bedrag"),
        ("12,500", "Dit is geen bedrag"),
        ("1e6", "Dit is geen bedrag"),
        ("NaN", "Dit is geen bedrag"),
        ("١٢٣", "Dit is geen bedrag"),
        ("-500", "kan niet negatief zijn"),
        ("0", "groter dan € 0"),
        ("1000000000,01", "onwaarschijnlijk hoog"),
        ("9" * 41, "Vul een bedrag in euro’s in"),
    ],
)
def test_bad_amounts_get_a_clear_dutch_error(typed: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(typed)


def test_money_and_factors_are_written_the_dutch_way() -> None:
    assert money_nl(Decimal("1234567.891")) == "€ 1.234.567,89"
    assert money_nl(Decimal("0.005")) == "€ 0,01"
    assert factor_nl(Decimal("0.8")) == "80%"
    assert factor_nl(Decimal("0.125")) == "12,5%"
