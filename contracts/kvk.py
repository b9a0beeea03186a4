"""KvK numbers (Kamer van Koophandel): the one rule by which every service reads them.

A KvK number is 8 ASCII digits, not all zero. Text is read as one as follows:
- digit groups may be separated by spaces (no-break spaces too), dots or dashes:
  `0612 3456`, `61.23.45.67`, `6123-4567`; separators only between digits;
- a leading `KvK`, `KvK-nummer`, `KvK-nr`, `KvK nummer:`, `Nr.` (any case) is dropped;
- 7 digits are a number whose leading zero a spreadsheet dropped: `6123456` -> `06123456`;
- anything else is not a KvK number: fewer than 7 or more than 8 digits, letters, other
  scripts' digits, all zeros, two numbers run together. `normalise_kvk` returns None for it
  and `parse_kvk` raises ValueError, so a wrong number is never made up from garbage.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

KVK_DIGITS = 8
LEGACY_KVK_DIGITS = 7
"""A spreadsheet or register that stored the number as an integer lost its leading zero."""
MAX_KVK_INPUT = 60
"""Longer text is no single KvK number, whatever it holds (and is not scanned)."""

_PREFIX = re.compile(r"(?:kvk(?:[\s-]*(?:nummer|nr))?|nr)\.?\s*:?\s*", re.IGNORECASE)
_GROUPED_DIGITS = re.compile(r"[0-9]+(?:[\s.-]+[0-9]+)*")
_SEPARATORS = re.compile(r"[\s.-]+")


def normalise_kvk(text: str) -> str | None:
    """The 8-digit KvK number `text` holds (see the module's rules); None when it holds none."""
    if len(text) > MAX_KVK_INPUT:
        return None
    stripped = text.strip()
    prefix = _PREFIX.match(stripped)
    if prefix is not None:
        stripped = stripped[prefix.end() :]
    if not _GROUPED_DIGITS.fullmatch(stripped):
        return None
    digits = _SEPARATORS.sub("", stripped)
    if not LEGACY_KVK_DIGITS <= len(digits) <= KVK_DIGITS or int(digits) == 0:
        return None
    return digits.zfill(KVK_DIGITS)


def parse_kvk(text: str) -> str:
    """The 8-digit KvK number `text` holds; ValueError when it holds none."""
    number = normalise_kvk(text)
    if number is None:
        shown = text if len(text) <= 40 else text[:39] + "…"
        raise ValueError(f"not a KvK number (8 digits): {shown!r}")
    return number


KvkNumber = Annotated[str, AfterValidator(parse_kvk)]
"""A field holding a KvK number: any form `parse_kvk` reads, stored as its 8 digits."""
