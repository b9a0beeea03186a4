"""The Common Procurement Vocabulary (CPV 2008): codes and their official Dutch wording.

`data/cpv2008.csv` (`code,nl`) holds the codes as Regulation (EC) No 213/2008 publishes them;
`data/SOURCES.md` says where it comes from and how much of the list it holds. Categories
map only to codes in it (a test checks this).
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib import resources

CPV_CODE = re.compile(r"^\d{8}-\d$")
CPV_COLUMNS = ("code", "nl")


def parse_cpv(text: str, source: str = "cpv2008.csv") -> dict[str, str]:
    """Codes and descriptions from `code,nl` CSV text, in code order.

    Raises ValueError naming the line when the header, a code or a description is wrong, or
    a code repeats: a broken reference file must stop start-up, not shrink the list.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(column.strip() for column in header) != CPV_COLUMNS:
        raise ValueError(f"{source} line 1: header must be 'code,nl', not {header!r}")
    codes: dict[str, str] = {}
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(CPV_COLUMNS):
            raise ValueError(f"{source} line {line}: expected 2 columns, found {len(row)}")
        code, description = row[0].strip(), row[1].strip()
        if not CPV_CODE.match(code):
            raise ValueError(f"{source} line {line}: {code!r} is not a CPV code (dddddddd-d)")
        if not description:
            raise ValueError(f"{source} line {line}: {code} has no description")
        if code in codes:
            raise ValueError(f"{source} line {line}: {code} appears twice")
        codes[code] = description
    return dict(sorted(codes.items()))


@cache
def cpv_codes() -> dict[str, str]:
    """Every code in the shipped list with its Dutch description, in code order."""
    text = resources.files("contracts").joinpath("data", "cpv2008.csv").read_text("utf-8")
    return parse_cpv(text)


def cpv_description(code: str) -> str | None:
    """The official Dutch wording of a code, or None when the code is not in the list."""
    return cpv_codes().get(code)
