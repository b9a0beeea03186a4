"""`scrape <label> --check`: which page elements each adapter finds at a registry, and which it
misses; it publishes nothing and needs no NATS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from contracts.labels import LABELS, LabelName
from services.demo.sites.pso import PsoSite, start_pso_site
from services.demo.sites.server import DemoSite, Response
from services.scraper.check import check_registry
from services.scraper.config import ScraperSettings
from tests.integration.scraper.helpers import LOCAL_SITE_SETTINGS
from tests.integration.scraper.recordings import STARTERS
from tests.integration.test_cli import impactoost

pytestmark = pytest.mark.integration
SETTINGS = ScraperSettings(nats_url="nats://127.0.0.1:1", **LOCAL_SITE_SETTINGS)


@pytest.mark.parametrize("label", LABELS)
async def test_every_element_is_found_on_each_demo_registry(label: LabelName) -> None:
    site = STARTERS[label]("A")
    try:
        report = await check_registry(SETTINGS, label, base_url=site.base_url)
    finally:
        site.stop()
    assert report.ok, report.lines()
    assert [e.name for e in report.elements if not e.found] == []
    assert report.lines()[-1] == "check: ok"


@pytest.mark.parametrize(
    ("label", "first_missing"),
    [
        ("pso", "register table (table.pso-register)"),
        ("codeso", "REST settings (kbp_query_loop_rest_endpoint)"),
        ("senl", "member list (div#membershipCntr)"),
        ("cedris", "province sections (section.leden-provincie)"),
    ],
)
async def test_a_maintenance_page_misses_the_first_essential_element(
    label: LabelName, first_missing: str
) -> None:
    site = STARTERS[label]("onderhoud")
    try:
        report = await check_registry(SETTINGS, label, base_url=site.base_url)
    finally:
        site.stop()
    assert not report.ok
    assert report.elements[0].found  # the page itself answered
    assert report.missing[0].name == first_missing
    assert report.lines()[-1].startswith(f"check: failed, missing {first_missing}")


async def test_a_registry_whose_robots_txt_keeps_us_out_is_reported_so() -> None:
    site = STARTERS["cedris"]("A")
    site.robots_txt = "User-agent: *\nDisallow: /leden/\n"
    try:
        report = await check_registry(SETTINGS, "cedris", base_url=site.base_url)
    finally:
        site.stop()
    assert not report.ok
    assert report.elements[0].name == "member page (/leden/)"
    assert "robots.txt" in report.elements[0].detail
    assert [r.path for r in site.requests] == ["/robots.txt"]


async def test_the_codeso_check_names_the_request_shape_the_endpoint_understands() -> None:
    site = STARTERS["codeso"]("A", request_shape="form")
    try:
        report = await check_registry(SETTINGS, "codeso", base_url=site.base_url)
    finally:
        site.stop()
    assert report.ok
    assert any('request shape "form ql_id+paged"' in line for line in report.lines())


@pytest.fixture
def pso_pages() -> Iterator[PsoSite]:
    site = start_pso_site("A")
    yield site
    site.stop()


def altered_site(original: PsoSite, *replacements: tuple[str, str]) -> DemoSite:
    """A site serving the demo register's pages, fetched from it, with markup replaced."""

    def render(path: str, query: dict[str, list[str]]) -> Response:
        page = httpx.get(f"{original.base_url}{path}?{urlencode(query, doseq=True)}")
        body = page.text
        for old, new in replacements:
            body = body.replace(old, new)
        return Response(page.status_code, body, page.headers["content-type"])

    return DemoSite(render)


async def test_a_missing_pagination_is_reported_but_not_essential(pso_pages: PsoSite) -> None:
    site = altered_site(pso_pages, ('rel="next"', 'rel="volgende"'))
    try:
        report = await check_registry(SETTINGS, "pso", base_url=site.base_url)
    finally:
        site.stop()
    assert report.ok
    missing = [e.name for e in report.elements if not e.found]
    assert missing == ["pagination (a[rel=next])"]
    assert "  pagination (a[rel=next]): missing" in "\n".join(report.lines())


def test_a_missing_table_fails_the_check_from_the_cli_without_any_nats(
    pso_pages: PsoSite, tmp_path: Path
) -> None:
    # The NATS URL the CLI gets answers nobody: a check that tried NATS would fail on it.
    site = altered_site(pso_pages, ("pso-register", "register-tabel"))
    try:
        result = impactoost(
            "scrape", "pso", "--check", "--base-url", site.base_url, tmp_path=tmp_path
        )
    finally:
        site.stop()
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"pso at {site.base_url}"
    assert "  register page (/pso-register/?pagina=1): found" in lines[1]
    assert lines[2] == "  register table (table.pso-register): missing"
    assert lines[-1] == "check: failed, missing register table (table.pso-register)"
    assert len(lines) <= 12


def test_the_check_of_a_healthy_registry_exits_zero_from_the_cli(
    pso_pages: PsoSite, tmp_path: Path
) -> None:
    result = impactoost(
        "scrape", "pso", "--check", "--base-url", pso_pages.base_url, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "  register rows (tr): found (10 on page 1)" in result.stdout
    assert result.stdout.splitlines()[-1] == "check: ok"


def test_check_goes_alone(tmp_path: Path) -> None:
    result = impactoost("scrape", "pso", "--check", "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--check goes alone" in result.stderr
