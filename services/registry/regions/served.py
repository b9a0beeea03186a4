"""The region the platform serves: configuration, so another region runs the same software."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.regions.names import PROVINCES, fold, province_named
from services.registry.regions.reference import Municipality

DEFAULT_PROVINCES = ("Overijssel", "Gelderland")
ALL_PROVINCES = ("alle", "all")
"""Words a setting may use for every province: a national mirror."""


@dataclass(frozen=True)
class ServedRegion:
    """The provinces whose enterprises the platform lists (default: Overijssel and Gelderland)."""

    provinces: tuple[str, ...] = DEFAULT_PROVINCES

    def __post_init__(self) -> None:
        official = tuple(province_named(name) for name in self.provinces)
        unknown = [name for name, found in zip(self.provinces, official, strict=True) if not found]
        if unknown or not official:
            raise ValueError(f"not a Dutch province: {', '.join(unknown) or '(none given)'}")
        object.__setattr__(self, "provinces", tuple(dict.fromkeys(p for p in official if p)))

    @classmethod
    def parse(cls, text: str) -> ServedRegion:
        """From a setting such as "Overijssel, Gelderland" (names or abbreviations), or
        `alle` / `all` for every province."""
        if fold(text) in ALL_PROVINCES:
            return cls(PROVINCES)
        return cls(tuple(part.strip() for part in text.split(",") if part.strip()))

    def serves(self, municipality: Municipality | None) -> bool:
        """Whether a municipality lies in the served region (an unknown one does not)."""
        return municipality is not None and municipality.province in self.provinces

    def __str__(self) -> str:
        return ", ".join(self.provinces)
