"""An export as an HTTP download: the file in the asked format, named for what it holds and
the day it was made."""

from __future__ import annotations

from datetime import date
from typing import Literal

from starlette.responses import Response

from services.gateway.exports.columns import Table
from services.gateway.exports.csv_file import csv_bytes
from services.gateway.exports.xlsx_file import xlsx_bytes

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(table: Table, fmt: Format, stem: str, day: date, sheet_title: str) -> Response:
    """The table as a file `<stem>-<yyyy-mm-dd>.<fmt>`, to be saved rather than shown."""
    body = csv_bytes(table) if fmt == "csv" else xlsx_bytes(table, sheet_title)
    filename = f"{stem}-{day:%Y-%m-%d}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
