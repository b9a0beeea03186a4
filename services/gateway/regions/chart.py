"""Pure: the geometry of a region's chart, drawn by the template as SVG.

Two bars per month on one scale: listed enterprises and lapses. Each bar carries its value
as text, and the lapse bars are hatched as well as coloured, so nothing is told by colour
alone (WCAG 1.4.1); the table beside the chart holds the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.regions.history import MonthPoint

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 24, 56


@dataclass(frozen=True)
class Bar:
    """One bar with its value label."""

    x: float
    y: float
    width: float
    height: float
    value: int
    label_y: float


@dataclass(frozen=True)
class Tick:
    """A gridline with its value."""

    y: float
    value: int


@dataclass(frozen=True)
class MonthBars:
    """A month's two bars and its name under the axis."""

    name: str
    short_name: str
    label_x: float
    listed: Bar
    lapsed: Bar


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template places."""

    width: int
    height: int
    left: int
    right: int
    baseline: float
    months: list[MonthBars]
    ticks: list[Tick]


def chart(points: list[MonthPoint]) -> Chart:
    """Scale the points into the drawing area; the top tick is a round number above the
    highest value."""
    top_value = nice_ceiling(max([1, *(p.listed for p in points), *(p.lapsed for p in points)]))
    area = HEIGHT - TOP - BOTTOM
    baseline = float(TOP + area)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(points))
    bar = slot * 0.36

    def make(x: float, value: int) -> Bar:
        height = area * value / top_value
        return Bar(x, baseline - height, bar, height, value, baseline - height - 4)

    months = [
        MonthBars(
            name=point.name,
            short_name=point.short_name,
            label_x=LEFT + slot * (i + 0.5),
            listed=make(LEFT + slot * i + slot * 0.12, point.listed),
            lapsed=make(LEFT + slot * i + slot * 0.12 + bar, point.lapsed),
        )
        for i, point in enumerate(points)
    ]
    step = 1 if top_value <= 5 else top_value // (4 if top_value % 4 == 0 else 5)
    ticks = [
        Tick(baseline - area * value / top_value, value) for value in range(0, top_value + 1, step)
    ]
    return Chart(WIDTH, HEIGHT, LEFT, RIGHT, baseline, months, ticks)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 4, 5 or 10 times a power of ten at or above `value`, so the
    axis reads in round steps of a quarter."""
    magnitude = 1
    while True:
        for factor in (1, 2, 4, 5):
            if factor * magnitude >= value:
                return factor * magnitude
        magnitude *= 10
