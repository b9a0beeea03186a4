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
from functools import cache

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
def _keywords(category: Category) -> tuple[str, ...]:
    # Folded once per category, not for every enterprise a label event touches.
    return tuple(folded(keyword) for keyword in category.keywords)


def matches(category: Category, words: frozenset[str]) -> bool:
    """Whether any keyword of `category` occurs in `words` by the whole-word/inside-word rule."""
    for keyword in _keywords(category):
        if len(keyword) < WHOLE_WORD_BELOW:
            if keyword in words:
                return True
        elif any(keyword in word for word in words):
            return True
    return False


def derive_categories(observations: Iterable[Observation]) -> tuple[str, ...]:
    """Slugs of the categories the published texts point to, in `CATEGORIES` order."""
    words: frozenset[str] = frozenset()
    for observation in observations:
        for text in published_texts(observation):
            words |= words_of(text)
    if not words:
        return ()
    return tuple(category.slug for category in CATEGORIES if matches(category, words))
