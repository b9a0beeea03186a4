"""The province and region slugs of the enterprise subjects, published as data.

`contracts/data/subject_slugs.csv` is generated from `contracts/data/gemeenten.csv` with
`contracts.subjects.slug`; this test keeps it from going stale. Regenerate it with
`.venv/bin/python -m tests.unit.test_subject_slugs`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from contracts.places import municipalities
from contracts.subjects import enterprise_subject, slug

SLUGS_FILE = Path(__file__).resolve().parents[2] / "contracts" / "data" / "subject_slugs.csv"
pytestmark = pytest.mark.unit

HEADER = ("province", "province_slug", "region", "region_slug")


def subject_slug_rows() -> list[tuple[str, str, str, str]]:
    """Every (province, region) pair of a municipality with both slugs, sorted by name."""
    pairs = {(m.province, m.labour_market_region) for m in municipalities()}
    return [(p, slug(p), r, slug(r)) for p, r in sorted(pairs)]


def subject_slugs_csv() -> str:
    """The file's content as the code generates it (Unix line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(subject_slug_rows())
    return out.getvalue()


def test_published_slugs_equal_what_the_code_generates() -> None:
    assert SLUGS_FILE.read_text("utf-8") == subject_slugs_csv()


def test_every_published_pair_names_a_valid_enterprise_subject() -> None:
    rows = list(csv.DictReader(io.StringIO(SLUGS_FILE.read_text("utf-8"))))
    assert {row["province_slug"] for row in rows} >= {"overijssel", "gelderland", "groningen"}
    for row in rows:
        subject = enterprise_subject(row["province"], row["region"], "listed")
        assert (
            subject == f"impact.v1.enterprises.{row['province_slug']}.{row['region_slug']}.listed"
        )
        assert "onbekend" not in (row["province_slug"], row["region_slug"])


if __name__ == "__main__":
    SLUGS_FILE.write_text(subject_slugs_csv(), "utf-8")
