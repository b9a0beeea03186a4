"""Derived categories: what an enterprise offers, read from what its label registries publish.

Used only while the enterprise has not chosen its own categories. The rules (see the
`contracts.categories` docstring) are deliberately plain so a buyer can follow them: the
texts a registry publishes about a holding (name, themes, level or member type, summary)
are folded to lower-case words without accents, with hyphens inside words removed
("re-integratie" is "reintegratie"); a keyword of fewer than six letters must equal a word,
a longer one may stand anywhere inside a word ("koerier" in "fietskoeriers").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from contracts.categories import CATEGORIES, Category
from contracts.labels import Observation
from contracts.text import fold

WHOLE_WORD_BELOW = 6
_INNER_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")
_WORD = re.compile(r"[a-z0-9]+")


def folded(text: str) -> str:
    """Folded (contracts.text) with hyphens inside words removed: "Re-integratie" ->
    "reintegratie"."""
    return _INNER_HYPHEN.sub("", fold(text))


# Themes, levels and member types repeat from holding to holding: folded once each.
@lru_cache(maxsize=8192)
def words_of(text: str) -> frozenset[str]:
    """The folded words of a text."""
    return frozenset(_WORD.findall(folded(text)))


def published_texts(observation: Observation) -> list[str]:
    """What a registry says about a holding that can tell what the holder offers."""
    texts = [observation.name, *observation.themes]
    if observation.level:
        texts.append(observation.level)
    if observation.summary:
        texts.append(observation.summary)
    return texts


@cache
def _keywords(category: Category) -> tuple[frozenset[str], re.Pattern[str] | None]:
    # Folded once per category, not for every enterprise a label event touches: the short
    # keywords (whole words), and one pattern for the long ones (anywhere inside a word).
    keywords = [folded(keyword) for keyword in category.keywords]
    whole = frozenset(k for k in keywords if len(k) < WHOLE_WORD_BELOW)
    inside = [re.escape(k) for k in keywords if len(k) >= WHOLE_WORD_BELOW]
    return whole, re.compile("|".join(inside)) if inside else None


def matches(category: Category, words: frozenset[str]) -> bool:
    """Whether any keyword of `category` occurs in `words` by the whole-word/inside-word rule."""
    return _matches(category, words, _joined(words))


def _joined(words: frozenset[str]) -> str:
    # A keyword stands inside some word exactly when it stands in the words joined by a
    # character no word or keyword holds: one substring search instead of one per word.
    return "\0".join(words)


def _matches(category: Category, words: frozenset[str], joined: str) -> bool:
    whole, inside = _keywords(category)
    return not whole.isdisjoint(words) or (inside is not None and inside.search(joined) is not None)


def derive_categories(observations: Iterable[Observation]) -> tuple[str, ...]:
    """Slugs of the categories the published texts point to, in `CATEGORIES` order."""
    words: frozenset[str] = frozenset()
    for observation in observations:
        for text in published_texts(observation):
            words |= words_of(text)
    if not words:
        return ()
    joined = _joined(words)
    return tuple(c.slug for c in CATEGORIES if _matches(c, words, joined))
