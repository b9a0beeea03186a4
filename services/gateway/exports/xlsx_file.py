"""XLSX with openpyxl in write-only mode (rows streamed, not held as cell objects): a bold,
frozen header with filters, set column widths, real dates, and text that stays text."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from services.gateway.exports.columns import Table, Value

DATE_FORMAT = "DD-MM-YYYY"
SHEET_TITLE_MAX = 31


def xlsx_bytes(table: Table, sheet_title: str) -> bytes:
    """The table as a workbook of one sheet named `sheet_title`."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(_sheet_title(sheet_title))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    bold = Font(bold=True)
    header = [_cell(sheet, column.title) for column in table.columns]
    for cell in header:
        cell.font = bold
    sheet.append(header)
    for row in table.rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: Value) -> WriteOnlyCell:
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    cell = WriteOnlyCell(sheet, value=None if value is None else _text(value))
    # Always a string: openpyxl would store text starting with `=` as a formula (which the
    # spreadsheet would run) and `#N/A` as an error value.
    if value is not None:
        cell.data_type = "s"
    return cell


def _text(value: str) -> str:
    # Control characters are not allowed in a worksheet's XML; a cell holds at most 32,767.
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", value)
    return cleaned[:32_767]


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:SHEET_TITLE_MAX] or "Export"
