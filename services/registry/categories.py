"""Categories derived from what the label registries publish (placeholder by the lead; the
helper writing this module replaces it)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from contracts.categories import CATEGORIES
from contracts.labels import Observation


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"(?<=\w)-(?=\w)", "", folded)
    return re.findall(r"[a-z0-9]+", folded)


def derive_categories(observations: Iterable[Observation]) -> tuple[str, ...]:
    """Category slugs whose keywords occur in the observations' names, themes, levels and
    summaries, in list order."""
    words: set[str] = set()
    for obs in observations:
        for text in (obs.name, obs.level or "", obs.summary or "", *obs.themes):
            words.update(_words(text))
    found = []
    for category in CATEGORIES:
        for keyword in category.keywords:
            if keyword in words or (len(keyword) >= 6 and any(keyword in w for w in words)):
                found.append(category.slug)
                break
    return tuple(found)
