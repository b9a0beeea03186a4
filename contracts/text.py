"""Folding text for matching: the one definition the registry's category rules and the
gateway's search share, so a keyword and a buyer's word compare the same way."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case with accents dropped: `Taalcafé` -> `taalcafe` (NFKD, combining marks
    dropped); other scripts stay as they are."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
