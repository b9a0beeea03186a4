"""The building-block model ("Bouwblokkenmodel Oost Nederland") as versioned data: only values
read in a published source, each with that source; rows that could not be confirmed are named
with the reason. `load_model` refuses a file that breaks these rules, saying where."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts.hotspots import source_link
from contracts.labels import LabelName

SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "bouwblokken-oost-nederland-v05.json"

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Link = Annotated[str, AfterValidator(source_link)]


class _Strict(BaseModel):
    # A typo in a hand-kept data file must fail loudly, not leave a value out unnoticed.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Strict):
    """A published page a value was read on, and when."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,60}$")]
    title: Text
    url: Link
    read_on: date
    quote: Text


class TargetGroupBlock(_Strict):
    """One confirmed row of the target-group table: what employing someone is worth."""

    name: Text
    value_eur: Annotated[int, Field(gt=0, le=1_000_000)]
    per: Annotated[str, Field(min_length=1, max_length=40)]
    duration: Text | None
    pro_rata: Text | None
    source: str
    quote: Text


class Condition(_Strict):
    """A label (and for PSO, whether it carries the 30+ mark) a purchase rule applies to."""

    label: LabelName
    pso30plus: bool | None = None

    @model_validator(mode="after")
    def _mark_only_for_pso(self) -> Self:
        if self.pso30plus is not None and self.label != "pso":
            raise ValueError("pso30plus applies only to the label pso")
        return self


class PurchaseRule(_Strict):
    """A social-purchasing row: what share of a purchase's invoice value (excl. btw) counts.

    `factor` is set only when the value was read in a source (`quote` says where); otherwise
    `omitted_reason` says why it is missing, and the calculator gives no figure."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,60}$")]
    name: Text
    applies_to: Annotated[tuple[Condition, ...], Field(min_length=1)]
    factor: Annotated[Decimal, Field(gt=0, le=1)] | None
    cap_eur: Annotated[Decimal, Field(gt=0)] | None
    source: str
    quote: Text | None = None
    omitted_reason: Text | None = None

    @model_validator(mode="after")
    def _confirmed_or_explained(self) -> Self:
        if self.factor is not None and (self.quote is None or self.omitted_reason is not None):
            raise ValueError(
                "a rule with a factor needs the quote it was read in, no omitted_reason"
            )
        if self.factor is None and (self.omitted_reason is None or self.cap_eur is not None):
            raise ValueError("a rule without a factor needs omitted_reason and no cap_eur")
        return self

    @property
    def confirmed(self) -> bool:
        """Whether the model's value for this rule was read in a published source."""
        return self.factor is not None


class Omitted(_Strict):
    """A row of the model whose value could not be confirmed, and why."""

    name: Text
    reason: Text


class BuildingBlockModel(_Strict):
    """One version of the model, as far as its published values could be confirmed."""

    model: Text
    version: Annotated[str, Field(min_length=1, max_length=40)]
    published: Annotated[str, Field(min_length=1, max_length=40)]
    document: Text
    test_data: bool
    note: Text
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    target_groups: tuple[TargetGroupBlock, ...]
    purchase_rules: tuple[PurchaseRule, ...]
    omitted: tuple[Omitted, ...]

    @model_validator(mode="after")
    def _references_hold(self) -> Self:
        ids = [source.id for source in self.sources]
        if len(set(ids)) != len(ids):
            raise ValueError("two sources share an id")
        rule_ids = [rule.id for rule in self.purchase_rules]
        if len(set(rule_ids)) != len(rule_ids):
            raise ValueError("two purchase rules share an id")
        cited = [(row.name, row.source) for row in self.target_groups] + [
            (rule.name, rule.source) for rule in self.purchase_rules
        ]
        for name, source in cited:
            if source not in ids:
                raise ValueError(f"{name!r} cites the unknown source {source!r}")
        return self

    def source(self, source_id: str) -> Source:
        """The source with this id (every row's source exists: checked on loading)."""
        return next(source for source in self.sources if source.id == source_id)

    @property
    def title(self) -> str:
        """`Uniform Bouwblokkenmodel Oost Nederland, versie V05 (april 2023)`."""
        return f"{self.model}, versie {self.version} ({self.published})"


class ModelFileError(ValueError):
    """The model's data file cannot be read or breaks its rules; the message says where."""


def load_model(path: Path = SHIPPED_MODEL, *, allow_test_data: bool = False) -> BuildingBlockModel:
    """The model in `path`, checked; test data only when `allow_test_data`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path}: is not valid JSON ({exc})") from None
    try:
        model = BuildingBlockModel.model_validate(raw)
    except ValidationError as exc:
        raise ModelFileError(f"{path}: {_problems(exc)}") from None
    if model.test_data and not allow_test_data:
        raise ModelFileError(f"{path}: holds test data, which is never shown to visitors")
    return model


def _problems(exc: ValidationError) -> str:
    """`purchase_rules.0.factor: Input should be greater than 0; …`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}"
        for error in exc.errors()
    )
