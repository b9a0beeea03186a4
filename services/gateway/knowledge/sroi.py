"""What a purchase from one enterprise counts for under the building-block model: which rule
applies to its labels, and the arithmetic. Pure: no I/O, no web."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from services.gateway.knowledge.model import BuildingBlockModel, Condition, PurchaseRule

AMOUNT_MAX = Decimal("1000000000")
"""One billion euros: far above any purchase from one enterprise; more is a typing error."""
AMOUNT_CHARS_MAX = 40
CENT = Decimal("0.01")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$", re.ASCII)
_PLAIN = re.compile(r"^\d+(\.\d{1,2})?$", re.ASCII)
NOT_A_NUMBER = (
    "Dit is geen bedrag. Gebruik alleen cijfers, met een komma voor de centen "
    "(bijvoorbeeld 12.500,50)."
)


@dataclass(frozen=True)
class Holding:
    """A label an enterprise holds, as far as the model cares."""

    label: str
    level: str | None = None
    pso30plus: bool = False
    lapsed: bool = False
    """Listed only thanks to a grace period (hercertificering loopt): no longer a valid label."""


@dataclass(frozen=True)
class Assessment:
    """The answer for one purchase: a figure under `rule`, or none and why.

    `kind` is `figure` (value set, from `rule`), `unconfirmed` (rules apply, but the model's
    value for them could not be confirmed), or `not_covered` (no rule applies; `reasons`
    says why for each label)."""

    kind: Literal["figure", "unconfirmed", "not_covered"]
    amount: Decimal
    rule: PurchaseRule | None = None
    value: Decimal | None = None
    capped: bool = False
    unconfirmed: tuple[PurchaseRule, ...] = ()
    reasons: tuple[str, ...] = ()


class AmountError(ValueError):
    """An amount that is not a usable number of euros; the message is Dutch, for the form."""


def parse_amount(text: str) -> Decimal:
    """Euros as people type them: `12500`, `12.500`, `12.500,50`, `12500,50`, `€ 1.250`."""
    cleaned = text.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned or len(text) > AMOUNT_CHARS_MAX:
        raise AmountError("Vul een bedrag in euro’s in, bijvoorbeeld 12.500 of 12.500,50.")
    if cleaned.startswith("-"):
        raise AmountError("Het bedrag kan niet negatief zijn. Vul het bedrag van de inkoop in.")
    whole, comma, cents = cleaned.partition(",")
    if _GROUPED.match(whole):
        # Dots between groups of three digits are thousands separators, as in Dutch.
        cleaned = whole.replace(".", "") + comma + cents
    cleaned = cleaned.replace(",", ".")
    if not _PLAIN.match(cleaned):
        raise AmountError(NOT_A_NUMBER)
    amount = Decimal(cleaned)
    if amount <= 0:
        raise AmountError("Vul een bedrag groter dan € 0 in.")
    if amount > AMOUNT_MAX:
        raise AmountError("Dit bedrag is onwaarschijnlijk hoog (meer dan € 1 miljard).")
    return amount


def assess_purchase(
    model: BuildingBlockModel, holdings: Sequence[Holding], amount: Decimal
) -> Assessment:
    """What buying `amount` (euros excl. btw) from an enterprise with `holdings` counts for.

    A purchase counts once: of the confirmed rules that apply, the one worth most is used;
    rules that apply but whose value is unconfirmed are named beside it."""
    valid = [holding for holding in holdings if not holding.lapsed]
    rules = [rule for rule in model.purchase_rules if any(_applies(rule, h) for h in valid)]
    confirmed = [rule for rule in rules if rule.confirmed]
    unconfirmed = tuple(rule for rule in rules if not rule.confirmed)
    if confirmed:
        best = max(confirmed, key=lambda rule: _counted(rule, amount))
        capped = best.cap_eur is not None and _raw(best, amount) > best.cap_eur
        value = _counted(best, amount)
        return Assessment(
            "figure", amount, rule=best, value=value, capped=capped, unconfirmed=unconfirmed
        )
    if unconfirmed:
        return Assessment("unconfirmed", amount, unconfirmed=unconfirmed)
    return Assessment("not_covered", amount, reasons=tuple(_why_not(holdings)))


def money_nl(value: Decimal) -> str:
    """`€ 12.500,00`."""
    whole, cents = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}".split(".")
    return f"€ {int(whole):,}".replace(",", ".") + f",{cents}"


def factor_nl(factor: Decimal) -> str:
    """`50%`, `12,5%`."""
    percent = (factor * 100).normalize()
    return f"{percent:f}".replace(".", ",") + "%"


def _raw(rule: PurchaseRule, amount: Decimal) -> Decimal:
    assert rule.factor is not None
    return amount * rule.factor


def _counted(rule: PurchaseRule, amount: Decimal) -> Decimal:
    value = _raw(rule, amount)
    if rule.cap_eur is not None:
        value = min(value, rule.cap_eur)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _applies(rule: PurchaseRule, holding: Holding) -> bool:
    return any(_meets(condition, holding) for condition in rule.applies_to)


def _meets(condition: Condition, holding: Holding) -> bool:
    if condition.label != holding.label:
        return False
    return condition.pso30plus is None or condition.pso30plus == holding.pso30plus


def _why_not(holdings: Sequence[Holding]) -> list[str]:
    """One Dutch sentence per label on why the model's purchasing rows do not cover it."""
    reasons = []
    for holding in holdings:
        if holding.lapsed:
            reasons.append(
                "Het label van deze onderneming is verlopen en de hercertificering loopt nog; "
                "zolang het register geen geldig label toont, geldt het niet voor sociale inkoop."
            )
        elif holding.label == "pso":
            level = f" ({_level_name(holding.level)})" if holding.level else ""
            reasons.append(
                "Het model laat inkoop meetellen bij bedrijven met het PSO 30+-certificaat. "
                f"Deze onderneming heeft een PSO-certificaat zonder 30+{level}; daarvoor kent "
                "het model geen waarde voor sociale inkoop."
            )
        else:
            reasons.append("Het model kent geen regel voor sociale inkoop bij dit label.")
    return reasons or ["Deze onderneming heeft geen label waarvoor het model een regel kent."]


def _level_name(level: str) -> str:
    """`trede-2` -> `Trede 2`, `basistrede` -> `Basistrede`."""
    text = level.replace("-", " ").strip()
    return text[:1].upper() + text[1:]
