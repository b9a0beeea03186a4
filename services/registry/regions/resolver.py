"""Which municipality a place lies in: from the bundled data, then from PDOK, never guessed.

Every resolver answers with a `Resolution` and never raises: a place nobody can place is
`unresolved` (with the reason), a name that fits several municipalities is `ambiguous` (with
the candidates), so that an operator decides.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from services.registry.regions.reference import Municipality, find_place

ResolutionStatus = Literal["bundled", "pdok", "unresolved", "ambiguous"]


@dataclass(frozen=True)
class Resolution:
    """The answer for one place name: a municipality, or why there is none."""

    place: str
    municipality: Municipality | None
    status: ResolutionStatus
    detail: str = ""
    candidates: tuple[Municipality, ...] = ()

    @property
    def resolved(self) -> bool:
        """Whether a single municipality was found."""
        return self.municipality is not None

    @classmethod
    def unresolved(cls, place: str, detail: str) -> Resolution:
        """No municipality, and why."""
        return cls(place, None, "unresolved", detail)

    @classmethod
    def from_matches(
        cls,
        place: str,
        matches: tuple[Municipality, ...],
        status: Literal["bundled", "pdok"],
        source: str,
    ) -> Resolution:
        """One match resolves; several are ambiguous; none is unresolved."""
        if len(matches) == 1:
            return cls(place, matches[0], status, f"{source}: {matches[0].name}", matches)
        if matches:
            names = ", ".join(f"{m.name} ({m.province})" for m in matches)
            return cls(place, None, "ambiguous", f"{source}: could be {names}", matches)
        return cls.unresolved(place, f"{source}: no place of that name")


class PlaceResolver(abc.ABC):
    """Finds the municipality of a place name; answers, never raises."""

    @abc.abstractmethod
    async def resolve(self, place: str, province: str | None = None) -> Resolution:
        """The municipality of `place`, optionally known to lie in `province`."""


class BundledResolver(PlaceResolver):
    """Answers from the reference data shipped with the project (no network)."""

    async def resolve(self, place: str, province: str | None = None) -> Resolution:
        if not place.strip():
            return Resolution.unresolved(place, "no place given")
        lookup = find_place(place, province)
        resolution = Resolution.from_matches(place, lookup.matches, "bundled", "bundled data")
        if not lookup.matches and lookup.namesakes:
            namesakes = ", ".join(lookup.namesakes)
            detail = f"bundled data: only the namesake(s) {namesakes}; the bare name is elsewhere"
            return Resolution.unresolved(place, detail)
        return resolution


@dataclass
class ChainResolver(PlaceResolver):
    """The bundled data first; PDOK only for names the bundled data cannot place at all."""

    bundled: PlaceResolver
    pdok: PlaceResolver

    async def resolve(self, place: str, province: str | None = None) -> Resolution:
        first = await self.bundled.resolve(place, province)
        if first.status != "unresolved" or not place.strip():
            return first
        second = await self.pdok.resolve(place, province)
        if second.status != "unresolved":
            return second
        return Resolution.unresolved(place, f"{first.detail}; {second.detail}")


@dataclass
class FakeResolver(PlaceResolver):
    """Answers from a table (place -> municipality or resolution); remembers what it was asked."""

    answers: Mapping[str, Municipality | Resolution] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def resolve(self, place: str, province: str | None = None) -> Resolution:
        self.asked.append(place)
        answer = self.answers.get(place)
        if isinstance(answer, Resolution):
            return answer
        if answer is None:
            return Resolution.unresolved(place, "fake: not in the table")
        return Resolution(place, answer, "bundled", "fake", (answer,))
