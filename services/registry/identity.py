"""Which enterprise a new holding belongs to: pure rules over KvK numbers, website hosts and
names, tried in that order.

A holding joins an enterprise sharing a KvK number; else one whose website has the same host
(without `www.`); else one with the same name (legal forms, punctuation, case and accents
ignored) in the same resolved municipality. An enterprise the holding was split from is
never joined again, by any rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from contracts.kvk import normalise_kvk

Rule = Literal["kvk", "website", "name"]
RULES: tuple[Rule, ...] = ("kvk", "website", "name")

# Legal forms as whole words of an accent-free, lower-case, punctuation-free name.
_LEGAL_FORMS = re.compile(
    r"\b(?:b ?v|n ?v|v ?o ?f|c ?v|u ?a|w ?a|stichting|cooperatie|vereniging)\b"
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def kvk_numbers(numbers: Iterable[str]) -> tuple[str, ...]:
    """The distinct KvK numbers (`contracts.kvk`'s rule), sorted; text that holds none is
    left out."""
    return tuple(sorted({n for raw in numbers if (n := normalise_kvk(raw))}))


# Pure and asked several times per event (look-ups, indexes, rows): remembered.
@lru_cache(maxsize=8192)
def website_host(url: str | None) -> str | None:
    """The lower-case host of a website, without `www.`; accepts URLs without a scheme."""
    text = (url or "").strip()
    if not text:
        return None
    if "//" not in text:
        text = f"//{text}"
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


@lru_cache(maxsize=8192)
def name_key(name: str) -> str | None:
    """A name without legal form, punctuation, case, accents or extra spaces; None if empty."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = _NOT_WORD.sub(" ", plain.replace(".", ""))
    key = " ".join(_LEGAL_FORMS.sub(" ", f" {words} ").split())
    return key or None


@dataclass(frozen=True)
class Identity:
    """What a holding is recognised by."""

    kvk: tuple[str, ...]
    website_host: str | None
    name_key: str | None
    municipality_code: str | None

    @classmethod
    @lru_cache(maxsize=4096)  # asked twice per event: read-ahead, then the event itself
    def of(
        cls, kvk: Iterable[str], website: str | None, name: str, municipality_code: str | None
    ) -> Identity:
        """The identity of a holding with these facts (`kvk` hashable, as a tuple is)."""
        return cls(kvk_numbers(kvk), website_host(website), name_key(name), municipality_code)

    def value(self, rule: Rule) -> str | None:
        """The value a rule compares; None when the rule cannot apply."""
        if rule == "kvk":
            return ",".join(self.kvk) or None
        if rule == "website":
            return self.website_host
        if self.name_key is None or self.municipality_code is None:
            return None
        return f"{self.name_key} @ {self.municipality_code}"


@dataclass(frozen=True)
class Candidates:
    """Enterprise ids found for each rule (each list in the repository's order)."""

    kvk: Sequence[str] = ()
    website: Sequence[str] = ()
    name: Sequence[str] = ()
    kept_apart: frozenset[str] = field(default_factory=frozenset)

    def of(self, rule: Rule) -> Sequence[str]:
        """The candidates of one rule."""
        return {"kvk": self.kvk, "website": self.website, "name": self.name}[rule]


@dataclass(frozen=True)
class Match:
    """The enterprise a new holding joins, the rule that matched and the value it compared."""

    enterprise_id: str
    rule: Rule
    value: str


def match(identity: Identity, candidates: Candidates) -> Match | None:
    """The first enterprise the rules find, in rule order, skipping those kept apart."""
    for rule in RULES:
        value = identity.value(rule)
        if value is None:
            continue
        found = [e for e in candidates.of(rule) if e not in candidates.kept_apart]
        if found:
            return Match(min(found), rule, value)
    return None
