"""How Dutch place and municipality names are compared: folding, province qualifiers, aliases.

Registries write the same place many ways ("'s-Hertogenbosch", "s Hertogenbosch", "Den Bosch";
"Hengelo (O)", "Hengelo Ov"). Names are compared by a folded key; a trailing province qualifier
is split off as a province hint, the way BAG and PostNL disambiguate namesakes.
"""

from __future__ import annotations

import re
import unicodedata

from contracts.places import PROVINCE_ABBREVIATIONS, PROVINCES, province_named

__all__ = ["PROVINCES", "fold", "name_key", "province_named", "split_qualifier"]

_BARE_QUALIFIERS = frozenset(
    k for k in PROVINCE_ABBREVIATIONS if len(k) > 1 and k not in {"brabant"}
)

# Everyday names for official ones (folded key -> official name).
ALIASES = {
    "den bosch": "'s-Hertogenbosch",
    "hertogenbosch": "'s-Hertogenbosch",
    "den haag": "'s-Gravenhage",
    "the hague": "'s-Gravenhage",
    "nuenen": "Nuenen, Gerwen en Nederwetten",
    "nuenen ca": "Nuenen, Gerwen en Nederwetten",
}

_PAREN = re.compile(r"^(?P<base>.*\S)\s*\((?P<qualifier>[^()]*)\)\s*$")
_BARE = re.compile(r"^(?P<base>.*\S)\s+(?P<qualifier>[A-Za-z.]{2,5})\s*$")


def fold(text: str) -> str:
    """A comparison key: no accents, case, apostrophes, dots or hyphens; "St." reads "Sint"."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['`´.]", "", text)
    text = re.sub(r"[-/,()_]", " ", text)
    return " ".join("sint" if word == "st" else word for word in text.split())


def split_qualifier(name: str) -> tuple[str, str | None]:
    """("Hengelo", "Overijssel") for "Hengelo (O)" or "Hengelo Ov"; (name, None) without one."""
    name = name.strip()
    paren = _PAREN.match(name)
    if paren:
        province = province_named(paren["qualifier"])
        if province is not None:
            return paren["base"], province
        return name, None
    bare = _BARE.match(name)
    if bare and fold(bare["qualifier"]).replace(" ", "") in _BARE_QUALIFIERS:
        return bare["base"], PROVINCE_ABBREVIATIONS[fold(bare["qualifier"]).replace(" ", "")]
    return name, None


def name_key(name: str) -> str:
    """The folded key of a name without its qualifier, everyday aliases mapped to official."""
    key = fold(name)
    alias = ALIASES.get(key)
    return fold(alias) if alias else key
