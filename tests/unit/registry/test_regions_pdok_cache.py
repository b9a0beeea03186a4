"""The PDOK answer cache: kept across processes in a file, forgotten when old or unreadable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.registry.regions.pdok_cache import PdokCache, PdokPlace

pytestmark = pytest.mark.unit

LEMMER = (PdokPlace("Lemmer", "De Fryske Marren", "Fryslân", "1940"),)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_answers_saved_to_a_file_are_there_for_the_next_process(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "pdok.json"
    first = PdokCache(path)
    first.load()
    first.put("lemmer", LEMMER)
    first.put("xyzdorp", ())
    first.save()
    second = PdokCache(path)
    second.load()
    assert second.get("lemmer") == LEMMER
    assert second.get("xyzdorp") == ()
    assert second.get("noordwolde") is None


def test_an_old_answer_is_asked_again() -> None:
    clock = Clock()
    cache = PdokCache(max_age=timedelta(days=90), clock=clock)
    cache.put("lemmer", LEMMER)
    clock.now += timedelta(days=89)
    assert cache.get("lemmer") == LEMMER
    clock.now += timedelta(days=2)
    assert cache.get("lemmer") is None


@pytest.mark.parametrize("content", ["{not json", '{"version": 1, "answers": {"x": 3}}', "[]"])
def test_an_unreadable_cache_file_is_an_empty_cache(tmp_path: Path, content: str) -> None:
    path = tmp_path / "pdok.json"
    path.write_text(content, encoding="utf-8")
    cache = PdokCache(path)
    cache.load()
    assert cache.get("x") is None


def test_a_cache_file_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = PdokCache(blocker / "pdok.json")
    cache.put("lemmer", LEMMER)
    cache.save()
    assert cache.get("lemmer") == LEMMER
