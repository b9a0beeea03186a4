"""CSV as Dutch Excel opens it by a double click: UTF-8 with a byte order mark (else accents
break), `;` between fields (the Dutch list separator), CRLF line ends, dates as dd-mm-jjjj."""

from __future__ import annotations

import csv
import io
from datetime import date

from services.gateway.exports.columns import Table, Value

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection):
# a leading apostrophe makes it text, as OWASP advises.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(table: Table) -> bytes:
    """The table as CSV for Dutch Excel."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([cell_text(column.title) for column in table.columns])
    writer.writerows([cell_text(value) for value in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def cell_text(value: Value) -> str:
    """A cell as text: dates dd-mm-jjjj, a would-be formula made harmless, None empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
