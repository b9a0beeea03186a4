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


@cache
def cpv_codes() -> dict[str, str]:
    """Every code in the shipped list with its Dutch description, in code order."""
    text = resources.files("contracts").joinpath("data", "cpv2008.csv").read_text("utf-8")
    codes: dict[str, str] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code, description = row["code"].strip(), row["nl"].strip()
        if not CPV_CODE.match(code) or not description or code in codes:
            raise ValueError(f"cpv2008.csv line {line}: {code!r} is not a new, described code")
        codes[code] = description
    return dict(sorted(codes.items()))


def cpv_description(code: str) -> str | None:
    """The official Dutch wording of a code, or None when the code is not in the list."""
    return cpv_codes().get(code)
