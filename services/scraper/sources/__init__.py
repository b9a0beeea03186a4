"""One adapter per label registry, chosen by label name."""

from __future__ import annotations

import importlib
from typing import Protocol

from contracts.labels import LABELS, LabelName
from services.scraper.policy import LabelPolicy
from services.scraper.sources.base import KnownHolding, Source, SourceResult

__all__ = ["KnownHolding", "Source", "SourceResult", "build_source", "supported_labels"]

# label -> (module under services.scraper.sources, adapter class); each adapter (with its
# `<label>_parsing` module, where it has one) is the only place that knows its registry's site.
_ADAPTERS: dict[LabelName, tuple[str, str]] = {
    "pso": ("pso", "PsoSource"),
    "codeso": ("codeso", "CodesoSource"),
    "senl": ("senl", "SenlSource"),
    "cedris": ("cedris", "CedrisSource"),
}


class _Adapter(Protocol):
    """An adapter class: built from its registry's base URL and its label's policy."""

    def __call__(self, base_url: str, *, policy: LabelPolicy) -> Source: ...


def _adapter(label: LabelName) -> _Adapter | None:
    module_name, class_name = _ADAPTERS[label]
    try:
        module = importlib.import_module(f"services.scraper.sources.{module_name}")
    except ModuleNotFoundError:
        return None
    adapter: _Adapter | None = getattr(module, class_name, None)
    return adapter


def supported_labels() -> tuple[LabelName, ...]:
    """Labels that have an adapter, in the contracts' order."""
    return tuple(label for label in LABELS if _adapter(label) is not None)


def build_source(label: LabelName, base_url: str, policy: LabelPolicy) -> Source:
    """The adapter for `label`, reading the registry at `base_url` and counting by `policy`."""
    adapter = _adapter(label)
    if adapter is None:
        raise ValueError(f"no adapter for label {label!r} yet")
    return adapter(base_url, policy=policy)
