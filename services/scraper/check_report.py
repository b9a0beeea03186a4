"""What `scrape <label> --check` reports: the page elements an adapter found and missed."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.scraper.errors import FetchFailed
from services.scraper.http import Page, PoliteClient


@dataclass(frozen=True)
class Element:
    """One page element the adapter relies on; a missing essential one breaks the adapter."""

    name: str
    found: bool
    detail: str = ""
    essential: bool = True

    def line(self) -> str:
        """`name: found (detail)`, or `name: missing (detail)`, marked when optional."""
        state = "found" if self.found else "missing"
        detail = f" ({self.detail})" if self.detail else ""
        optional = "" if self.essential or self.found else " [optional]"
        return f"  {self.name}: {state}{detail}{optional}"


@dataclass
class CheckReport:
    """The elements checked at one registry, in the order they were looked for."""

    label: str
    base_url: str
    elements: list[Element] = field(default_factory=list)

    def add(self, name: str, found: bool, detail: str = "", *, essential: bool = True) -> bool:
        """Record one element; returns whether it was found."""
        self.elements.append(Element(name, found, detail, essential))
        return found

    def count(self, name: str, have: int, total: int, *, essential: bool = True) -> bool:
        """Record an element present in `have` of `total` entries (found when in any)."""
        return self.add(name, have > 0, f"in {have} of {total}", essential=essential)

    @property
    def missing(self) -> list[Element]:
        """The essential elements not found."""
        return [e for e in self.elements if e.essential and not e.found]

    @property
    def ok(self) -> bool:
        """Whether the adapter found everything it cannot do without."""
        return not self.missing

    def lines(self) -> list[str]:
        """The report as a few lines for a terminal."""
        verdict = (
            "check: ok"
            if self.ok
            else "check: failed, missing " + ", ".join(e.name for e in self.missing)
        )
        return [f"{self.label} at {self.base_url}", *(e.line() for e in self.elements), verdict]


async def fetched(
    report: CheckReport, client: PoliteClient, name: str, url: str, *, essential: bool = True
) -> Page | None:
    """GET `url` and record it as element `name`; None when it could not be had."""
    path = url.split("://", 1)[-1].partition("/")[2]
    try:
        page = await client.get(url)
    except FetchFailed as exc:
        report.add(f"{name} (/{path})", False, exc.reason, essential=essential)
        return None
    report.add(f"{name} (/{path})", True, f"{len(page.text)} characters", essential=essential)
    return page
