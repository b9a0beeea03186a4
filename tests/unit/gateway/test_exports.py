"""Exports opened by real parsers: the csv module (`;`, BOM) and openpyxl; one row per
enterprise and label, dates as dates, formulas never run, accents intact; a list's and a
search's downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from services.gateway.exports.columns import (
    ENTERPRISE_COLUMNS,
    LIST_COLUMNS,
    ListStatus,
    Table,
    enterprise_table,
    list_table,
)
from services.gateway.exports.csv_file import csv_bytes
from services.gateway.exports.xlsx_file import xlsx_bytes
from services.gateway.read_model.presenting import enterprise_view
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow
from services.gateway.read_model.views import EnterpriseView
from tests.unit.gateway.events import listed
from tests.unit.gateway.shortlist_support import CATALOGUE, buyer_gateway, edit

pytestmark = pytest.mark.unit

PAGE = "https://impactoost.example/ondernemingen/{id}"
HEADINGS = [column.title for column in ENTERPRISE_COLUMNS]
CHECKED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _holding(label: str, **fields: Any) -> HoldingRow:
    values: dict[str, Any] = {
        "enterprise_id": "e1",
        "label": label,
        "holding_id": f"{label}-1",
        "level": "trede-3",
        "pso30plus": label == "pso",
        "status": "gecertificeerd",
        "valid_from": date(2024, 3, 12),
        "valid_until": date(2027, 3, 12),
        "counts": True,
        "source_url": f"https://register.example/{label}/1",
        "last_verified_at": CHECKED,
    }
    return HoldingRow(**(values | fields))


def _enterprise(name: str = "Café Ærdig", *holdings: HoldingRow, **fields: Any) -> EnterpriseView:
    values: dict[str, Any] = {
        "enterprise_id": "e1",
        "version": 1,
        "listed": True,
        "name": name,
        "sort_name": name.lower(),
        "search_text": name.lower(),
        "place": "Enschede",
        "municipality": "Enschede",
        "province": "Overijssel",
        "region": "Twente",
        "website": "https://aerdig.example/",
        "kvk": ["01234567"],
        "listed_since": datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        "categories": ["catering"],
        "supplement": {
            "contact": {
                "name": "Eva de Vries",
                "email": "inkoop@aerdig.example",
                "phone": "+31612345678",
            },
            "updated_at": "2026-03-01T09:00:00+00:00",
        },
    }
    row = EnterpriseRow(**(values | fields))
    return enterprise_view(row, list(holdings), {"pso": None})


def _csv_rows(table: Table) -> list[list[str]]:
    data = csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_one_row_per_label_with_its_evidence_and_the_enterprise_on_each() -> None:
    enterprise = _enterprise(
        "Café Ærdig", _holding("pso"), _holding("cedris", level="leerwerkbedrijf")
    )
    table = enterprise_table([enterprise], PAGE)
    rows = [dict(zip(HEADINGS, row, strict=True)) for row in table.rows]
    assert [row["Label"] for row in rows] == ["PSO", "Cedris leerwerkbedrijf"]
    pso, cedris = rows
    assert (pso["Niveau"], pso["PSO 30+"], cedris["PSO 30+"]) == ("Trede 3", "ja", None)
    assert (pso["Geldig vanaf"], pso["Geldig tot"]) == (date(2024, 3, 12), date(2027, 3, 12))
    assert pso["Laatst gecontroleerd"] == date(2026, 3, 1)
    assert pso["Registerlink"] == "https://register.example/pso/1"
    assert all(row["Naam"] == "Café Ærdig" and row["KvK-nummer"] == "01234567" for row in rows)
    assert pso["Categorieën"] == "Catering"
    assert pso["CPV-codes"] == "55520000-1; 55510000-8; 55523100-3"
    assert (pso["Contactpersoon"], pso["E-mail contact"]) == (
        "Eva de Vries",
        "inkoop@aerdig.example",
    )
    # Listed at 00:30 Dutch time on 1 January: the Dutch date, not the UTC one.
    assert pso["In het overzicht sinds"] == date(2026, 1, 1)
    assert pso["Pagina op het platform"] == "https://impactoost.example/ondernemingen/e1"


def test_an_enterprise_without_labels_still_gets_one_row() -> None:
    table = enterprise_table([_enterprise("Zonder Label")], PAGE)
    [row] = table.rows
    named = dict(zip(HEADINGS, row, strict=True))
    assert named["Naam"] == "Zonder Label" and named["Label"] is None


def test_csv_opens_in_dutch_excel_with_dates_accents_and_no_formulas() -> None:
    hostile = _enterprise('=HYPERLINK("http://evil")', _holding("pso"), place="+31 Plaats")
    table = enterprise_table([_enterprise("Café Ærdig", _holding("pso")), hostile], PAGE)
    header, first, second = _csv_rows(table)
    assert header == HEADINGS
    named = dict(zip(header, first, strict=True))
    assert named["Naam"] == "Café Ærdig"
    assert (named["Geldig vanaf"], named["Geldig tot"]) == ("12-03-2024", "12-03-2027")
    assert named["E-mail contact"] == "inkoop@aerdig.example"
    assert named["Telefoon contact"] == "'+31612345678"
    hostile_row = dict(zip(header, second, strict=True))
    assert hostile_row["Naam"] == '\'=HYPERLINK("http://evil")'
    assert hostile_row["Plaats"] == "'+31 Plaats"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_in_csv(start: str) -> None:
    table = Table(ENTERPRISE_COLUMNS[:1], [[f"{start}1+1"]])
    [_, [cell]] = _csv_rows(table)
    assert cell == f"'{start}1+1"


def test_xlsx_has_a_bold_frozen_header_widths_real_dates_and_text_that_stays_text() -> None:
    hostile = _enterprise("=1+2", _holding("pso"))
    table = enterprise_table([_enterprise("Café Ærdig", _holding("pso")), hostile], PAGE)
    workbook = load_workbook(io.BytesIO(xlsx_bytes(table, "Ondernemingen")))
    sheet = workbook["Ondernemingen"]
    header = [cell.value for cell in sheet[1]]
    assert header == HEADINGS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == ENTERPRISE_COLUMNS[0].width
    assert sheet.auto_filter.ref == f"A1:V{len(table.rows) + 1}"
    first = {title: cell for title, cell in zip(header, sheet[2], strict=True)}
    assert first["Naam"].value == "Café Ærdig"
    assert first["Geldig tot"].value == datetime(2027, 3, 12)
    assert first["Geldig tot"].number_format == "DD-MM-YYYY"
    assert first["KvK-nummer"].value == "01234567" and first["KvK-nummer"].data_type == "s"
    named = {title: cell for title, cell in zip(header, sheet[3], strict=True)}
    assert named["Naam"].value == "=1+2" and named["Naam"].data_type == "s"


def test_xlsx_drops_control_characters_a_sheet_cannot_hold() -> None:
    table = Table(ENTERPRISE_COLUMNS[:1], [["Bel\x07 ons"]])
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table, "Lijst: a/b"))).active
    assert sheet is not None and sheet.title == "Lijst  a b"
    assert sheet["A2"].value == "Bel ons"


def test_a_list_adds_status_and_note_after_each_row() -> None:
    entries = [
        (_enterprise("Vermeld", _holding("pso")), ListStatus(True, note="Bellen in mei")),
        (
            _enterprise("Verlopen"),
            ListStatus(False, date(2026, 3, 13), "het label PSO is verlopen", ""),
        ),
    ]
    table = list_table(entries, PAGE)
    assert [c.title for c in table.columns] == HEADINGS + [c.title for c in LIST_COLUMNS]
    _, listed, lapsed = _csv_rows(table)
    assert listed[-4:] == ["vermeld", "", "", "Bellen in mei"]
    assert lapsed[-4:] == ["niet meer vermeld", "13-03-2026", "het label PSO is verlopen", ""]


async def test_a_list_exports_as_csv_and_xlsx_named_after_it(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await buyer.create("Kerst & Co – Één")
        for enterprise_id in ("bakkerij", "fietser"):
            await buyer.post("/inkooplijsten/toevoegen", enterprise_id=enterprise_id)
        await buyer.post(edit(token, "notitie"), enterprise_id="fietser", note="-korting?")
        share = await buyer.share_token(token)
        as_csv = await buyer.client.get(f"/inkooplijsten/bekijken/{share}/export.csv")
        as_xlsx = await buyer.client.get(edit(token, "export.xlsx"))
        unknown = await buyer.client.get(edit(token, "export.pdf"))
    day = buyer.clock.now.strftime("%Y-%m-%d")
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="inkooplijst-kerst-co-een-{day}.csv"'
    )
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["Naam"], r["Notitie"]) for r in rows] == [
        ("Bakkerij Één", ""),
        ("'=De Groene Fietser", "'-korting?"),
    ]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Bakkerij Één", "=De Groene Fietser"]
    assert sheet["K2"].value == datetime(2024, 3, 12)
    assert as_xlsx.headers["content-disposition"].endswith(f'-{day}.xlsx"')
    assert unknown.status_code == 404


async def test_a_search_exports_every_match_not_one_page(tmp_path: Path) -> None:
    bakeries = [listed(f"b{n}", name=f"Bakker {n:02}", kvk=()) for n in range(1, 13)]
    async with buyer_gateway(tmp_path, *bakeries, gateway_export_max=12) as buyer:
        page = (await buyer.client.get("/?q=bakker&page_size=5")).text
        exported = await buyer.client.get("/zoeken/export.csv?q=bakker&page_size=5&page=2")
        buyer.record(listed("b13", name="Bakker 13"))
        too_many = await buyer.client.get("/zoeken/export.xlsx?q=bakker")
        refused_page = (await buyer.client.get("/?q=bakker")).text
        invalid = await buyer.client.get("/zoeken/export.csv?label=onbekend")
    assert "/zoeken/export.csv?q=bakker&amp;page_size=5" in page
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["Naam"] for row in rows] == [f"Bakker {n:02}" for n in range(1, 13)]
    assert exported.headers["content-disposition"].startswith(
        'attachment; filename="ondernemingen-'
    )
    assert too_many.status_code == 422 and "hoogstens 12" in too_many.text
    assert "Kies meer filters om deze resultaten te exporteren" in refused_page
    assert invalid.status_code == 422 and "Onbekend label" in invalid.text


async def test_exports_past_the_hourly_limit_are_refused_until_the_hour_has_passed(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        limit = buyer.app.state.shortlists.exports.limit
        answers = [await buyer.client.get("/zoeken/export.csv") for _ in range(limit)]
        refused = await buyer.client.get("/zoeken/export.xlsx")
        buyer.clock.advance(seconds=3601)
        again = await buyer.client.get("/zoeken/export.csv")
    assert {answer.status_code for answer in answers} == {200}
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    assert "Te veel exports" in refused.text
    assert again.status_code == 200
