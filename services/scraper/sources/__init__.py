"""One adapter per label registry, chosen by label name."""

from __future__ import annotations

from contracts.labels import LabelName
from services.scraper.sources.base import Source, SourceResult
from services.scraper.sources.pso import PsoSource

__all__ = ["Source", "SourceResult", "build_source", "supported_labels"]


def supported_labels() -> tuple[LabelName, ...]:
    """Labels that have an adapter so far."""
    return ("pso",)


def build_source(label: LabelName, base_url: str) -> Source:
    """The adapter for `label`, reading the registry at `base_url`."""
    if label == "pso":
        return PsoSource(base_url)
    raise ValueError(f"no adapter for label {label!r} yet")
