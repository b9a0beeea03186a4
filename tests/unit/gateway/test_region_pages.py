"""`/regios` and `/regios/{slug}`: a region's enterprises by category, its SROI coordinators
from the operator's file, and its chart as SVG with the same figures in a table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from contracts.enterprises import EnterpriseEvent
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from services.gateway.regions.coordinators import CoordinatorsFileError
from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import delisted, listed

pytestmark = pytest.mark.unit

NOW = datetime(2025, 4, 15, 12, 0, tzinfo=UTC)
TWENTE = (
    listed("kringloop", categories=("catering", "schoonmaak")),
    listed("groen", name="Groen Werkt", categories=("groenonderhoud",)),
    listed("zonder", name="Zonder Categorie"),
    listed("weg", name="Vervallen BV"),
    delisted("weg", name="Vervallen BV"),
    listed("elders", name="Achterhoeks Werk", region="Achterhoek", place="Doetinchem"),
)


def coordinators_file(tmp_path: Path) -> Path:
    path = tmp_path / "sroi.json"
    entry = {
        "region": "Twente",
        "name": "A. de Vries",
        "role": "Coördinator social return",
        "organisation": "Gemeente Enschede",
        "email": "sroi@enschede.example",
        "phone": "+31 53 000 0000",
        "checked_on": "2026-11-02",
    }
    path.write_text(json.dumps([entry]), "utf-8")
    return path


def region_client(*events: EnterpriseEvent, **settings: object) -> Any:
    """A gateway whose regions read the coordinators file at start and whose clock says NOW."""

    def prepare(app: FastAPI) -> None:
        app.state.regions.load()
        app.state.regions.now = lambda: NOW

    return client_for(*events, prepare=prepare, **settings)


async def test_a_region_lists_its_enterprises_under_each_category(tmp_path: Path) -> None:
    async with region_client(*TWENTE) as client:
        page = await client.get("/regios/twente")
    assert page.status_code == 200
    text = page.text
    assert "Arbeidsmarktregio Twente" in text
    catering = text.index('<h3 id="aanbod-1">Catering')
    assert text.index("Kringloop Twente", catering) < text.index("Schoonmaak")
    assert "Groen Werkt" in text and "Nog zonder categorie" in text
    assert "Vervallen BV" not in text.split('id="sroi"')[0]
    assert "Achterhoeks Werk" not in text
    assert "3 ondernemingen staan in deze regio" in text


async def test_coordinators_come_from_the_operators_file(tmp_path: Path) -> None:
    path = coordinators_file(tmp_path)
    async with region_client(*TWENTE, gateway_sroi_coordinators_file=path) as client:
        twente = (await client.get("/regios/twente")).text
        achterhoek = (await client.get("/regios/achterhoek")).text
    assert "A. de Vries, Coördinator social return" in twente
    assert 'href="mailto:sroi@enschede.example"' in twente
    assert 'href="tel:+31530000000"' in twente
    assert "gecontroleerd op 2 november 2026" in twente
    assert "nog geen SROI-coördinatoren bekend" in achterhoek


async def test_the_chart_is_an_accessible_svg_with_the_figures_in_a_table(tmp_path: Path) -> None:
    async with region_client(*TWENTE, gateway_region_chart_months=3) as client:
        text = (await client.get("/regios/twente")).text
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    assert svg.count('fill="#0b5d3b"') == 3 + 1  # three months' bars and the legend
    table = text[text.index("<table") : text.index("</table>")]
    rows = [
        [cell.split(">")[-1] for cell in row.split("</t")[:-1]]
        for row in table.split("<tbody>")[1].split("</tr>")[:-1]
    ]
    # The events occurred in March 2025: four joined, one lapsed; three listed now.
    assert rows == [
        ["februari 2025", "0", "0"],
        ["maart 2025", "3", "1"],
        ["april 2025", "3", "0"],
    ]


async def test_the_index_lists_the_regions_of_the_provinces_shown(tmp_path: Path) -> None:
    async with region_client(*TWENTE, gateway_provinces="overijssel") as client:
        index = (await client.get("/regios")).text
        outside = await client.get("/regios/achterhoek")
    assert '/regios/twente"' in index and "(3 ondernemingen)" in index
    assert '/regios/regio-zwolle"' in index
    assert "Achterhoek" not in index and "Groningen" not in index
    assert outside.status_code == 404
    assert "Regio niet gevonden" in outside.text


async def test_an_unknown_region_is_a_dutch_404(tmp_path: Path) -> None:
    async with region_client() as client:
        for path in ("/regios/atlantis", "/regios/%3Cscript%3E"):
            page = await client.get(path)
            assert page.status_code == 404
            assert "<script>" not in page.text


async def test_a_wrong_coordinators_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "sroi.json"
    path.write_text(json.dumps([{"region": "Atlantis"}]), "utf-8")
    app: FastAPI = create_app(
        GatewaySettings(
            gateway_database_url="sqlite://",
            gateway_sroi_coordinators_file=path,
            data_dir=tmp_path,
        )
    )
    with pytest.raises(CoordinatorsFileError, match="entry 1: region"):
        async with app.router.lifespan_context(app):
            pass  # pragma: no cover - the start must fail first
    app.state.engine.dispose()


async def test_the_api_gives_the_same_figures(tmp_path: Path) -> None:
    path = coordinators_file(tmp_path)
    async with region_client(
        *TWENTE,
        gateway_sroi_coordinators_file=path,
        gateway_region_chart_months=2,
        gateway_provinces="overijssel",
    ) as client:
        index = (await client.get("/api/v1/regions")).json()
        twente = (await client.get("/api/v1/regions/twente")).json()
        missing = await client.get("/api/v1/regions/achterhoek")
        bad = await client.get("/api/v1/regions/Twente!")
    assert {"region": "Twente", "slug": "twente", "listed": 3} in index["items"]
    assert twente["listed"] == 3
    assert twente["months"] == [
        {"month": "2025-03", "listed": 3, "lapsed": 1},
        {"month": "2025-04", "listed": 3, "lapsed": 0},
    ]
    assert twente["categories"][0] == {
        "slug": "catering",
        "name": "Catering",
        "enterprise_ids": ["kringloop"],
    }
    assert [c["name"] for c in twente["coordinators"]] == ["A. de Vries"]
    assert (missing.status_code, bad.status_code) == (404, 422)


async def test_an_enterprise_links_to_its_regions_page_when_it_is_presented() -> None:
    async with region_client(*TWENTE, gateway_provinces="overijssel") as client:
        twente = (await client.get("/ondernemingen/kringloop")).text
        elsewhere = (await client.get("/ondernemingen/elders")).text
    assert '<dd><a href="/regios/twente">Twente</a></dd>' in twente
    assert "<dd>Achterhoek</dd>" in elsewhere  # a region this gateway does not present
