"""The operator's file of SROI coordinators: read once, checked, never invented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.gateway.regions.coordinators import CoordinatorsFileError, load_coordinators

pytestmark = pytest.mark.unit


def _entry(**fields: Any) -> dict[str, Any]:
    return {
        "region": "twente",
        "name": "A. de Vries",
        "organisation": "Gemeente Enschede",
        "email": "sroi@enschede.example",
        "checked_on": "2026-11-02",
    } | fields


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "coordinators.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_without_a_file_no_coordinator_is_known() -> None:
    assert load_coordinators(None) == {}


def test_coordinators_are_grouped_under_the_regions_own_spelling(tmp_path: Path) -> None:
    path = _write(tmp_path, [_entry(), _entry(name="B. Jansen"), _entry(region="Achterhoek")])
    found = load_coordinators(path)
    assert sorted(found) == ["Achterhoek", "Twente"]
    assert [c.name for c in found["Twente"]] == ["A. de Vries", "B. Jansen"]


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (_entry(region="Atlantis"), "entry 2: region"),
        (_entry(email="not an address"), "entry 2: email"),
        (_entry(website="javascript:alert(1)"), "entry 2: website"),
        (_entry(checked_on="gisteren"), "entry 2: checked_on"),
        (_entry(nickname="x"), "entry 2: nickname"),
        ({"region": "Twente"}, "entry 2: name"),
    ],
)
def test_a_wrong_entry_is_named_with_its_field(tmp_path: Path, entry: Any, said: str) -> None:
    with pytest.raises(CoordinatorsFileError, match=said):
        load_coordinators(_write(tmp_path, [_entry(), entry]))


@pytest.mark.parametrize("content", ["{not json", '{"region": "Twente"}', "\udcff"])
def test_a_file_that_is_not_a_json_list_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "coordinators.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(CoordinatorsFileError, match=r"coordinators\.json"):
        load_coordinators(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CoordinatorsFileError, match="cannot be read"):
        load_coordinators(tmp_path / "absent.json")
