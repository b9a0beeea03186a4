"""Every page the gateway had before issue 13, in a real Chromium: zero axe-core violations
at 1280 and at 320 CSS pixels wide, no horizontal scrolling at 320 (WCAG 1.4.10), a focus
outline of at least 3:1 (WCAG 1.4.11), and the search walked with the keyboard alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.fixtures.browser import assert_accessible
from tests.integration.gateway.served import Served, served_gateway

pytestmark = pytest.mark.integration

WIDTHS = (1280, 320)
PAGES = {
    "search with results": "/",
    "search without results": "/?q=geen+enkele+onderneming+heet+zo",
    "search with a bad page number (422)": "/?page=0",
    "detail with supplement": "/ondernemingen/lang",
    "detail": "/ondernemingen/kringloop",
    "unknown enterprise (404)": "/ondernemingen/bestaat-niet",
    "unknown page (404)": "/bestaat/niet",
    "sign-in request": "/ondernemingen/lang/aanvullen",
}


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Served]:
    async with served_gateway(tmp_path) as served:
        yield served


async def _check(page: Page, what: str, width: int) -> None:
    await assert_accessible(page, f"{what} at {width} px")
    if width == 320:
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 320, f"{what} scrolls sideways at 320 px: {scroll} px wide"


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_existing_page_passes_axe_and_reflows(
    gateway: Served, page: Page, width: int
) -> None:
    await page.set_viewport_size({"width": width, "height": 900})
    for what, path in PAGES.items():
        await page.goto(f"{gateway.url}{path}")
        await _check(page, what, width)
    await page.goto(gateway.issue_link(f"token-{width}"))
    await _check(page, "sign-in confirmation", width)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_url("**/aanvullen/lang/bewerken")
    await _check(page, "edit form of a signed-in enterprise", width)


async def test_search_page_is_walked_with_the_keyboard_alone(gateway: Served, page: Page) -> None:
    await page.goto(f"{gateway.url}/")
    reached: list[str] = []
    for _ in range(60):
        await page.keyboard.press("Tab")
        reached.append(
            await page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || e.textContent.trim() || e.tagName; }"
            )
        )
        if await page.evaluate("document.activeElement.closest('.result h3') !== null"):
            break
    assert "q" in reached, reached
    assert "Zoeken" in reached, reached
    first_result = reached[-1]
    assert first_result in {"Kringloop Twente", "Soweco"} or first_result.startswith("Stichting")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/ondernemingen/*")
    assert await page.locator("h1").inner_text() == first_result


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, ...], other: tuple[float, ...]) -> float:
    """WCAG's contrast ratio of two sRGB colours."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(css: str) -> tuple[float, ...]:
    """`rgb(1, 2, 3)` or `rgba(1, 2, 3, 1)` as numbers."""
    inside = css[css.index("(") + 1 : css.index(")")]
    return tuple(float(part) for part in inside.split(","))


async def test_focus_outline_contrasts_3_to_1_with_background_and_inner_ring(
    gateway: Served, page: Page
) -> None:
    await page.goto(f"{gateway.url}/")
    background = rgb(await page.evaluate("getComputedStyle(document.body).backgroundColor"))
    for _ in range(6):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineColor, s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
        )
        color, style, width, shadow = focused
        assert style == "solid" and float(width.removesuffix("px")) >= 2, focused
        assert contrast(rgb(color), background) >= 3, focused
        # The inner ring fills the outline's offset, so the outline never touches the
        # element's own colour (a green button, a tinted notice).
        assert contrast(rgb(color), rgb(shadow)) >= 3, focused
