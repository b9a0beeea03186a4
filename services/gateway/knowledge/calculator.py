"""The SROI calculator on an enterprise's page: from the form's amount and the enterprise's
labels to what the template shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.gateway.knowledge.model import BuildingBlockModel
from services.gateway.knowledge.sroi import (
    AmountError,
    Assessment,
    Holding,
    assess_purchase,
    parse_amount,
)
from services.gateway.read_model.views import EnterpriseView

AMOUNT_PARAMETER = "inkoopbedrag"


@dataclass(frozen=True)
class Calculation:
    """The calculator's state on one page view: the amount as typed, and either an error
    for the form or the model's answer (neither before the form is used)."""

    model: BuildingBlockModel
    typed: str = ""
    error: str | None = None
    assessment: Assessment | None = None


def holdings_of(enterprise: EnterpriseView) -> list[Holding]:
    """The enterprise's counting labels as the model sees them."""
    return [
        Holding(
            label=label.label,
            level=label.level,
            pso30plus=label.pso30plus,
            lapsed=label.grace_until is not None,
        )
        for label in enterprise.labels
    ]


def calculate(
    model: BuildingBlockModel, enterprise: EnterpriseView, typed: str | None
) -> Calculation:
    """The calculator for this enterprise and the amount typed (None: form not used)."""
    if typed is None:
        return Calculation(model)
    try:
        amount: Decimal = parse_amount(typed)
    except AmountError as exc:
        return Calculation(model, typed=typed[:60], error=str(exc))
    assessment = assess_purchase(model, holdings_of(enterprise), amount)
    return Calculation(model, typed=typed, assessment=assessment)
