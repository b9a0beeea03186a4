"""Turn untrusted registry text into clean observation fields; shared by every adapter.

Registry pages are hostile input: names may carry markup, entities, control characters or
absurd lengths. Everything here is pure and never raises on odd input except where a caller
must tell "absent" from "unreadable" (dates), which raise ValueError.
"""

from __future__ import annotations

import calendar
import html
import re
import unicodedata
from datetime import date
from typing import NamedTuple
from urllib.parse import urlsplit

from contracts.kvk import normalise_kvk
from contracts.labels import KVK_PER_HOLDING_MAX
from services.kit.dutch import MONTH_NUMBERS

# Text a person sees in an element: never script, style or template content.
VISIBLE_TEXT = (
    ".//text()[not(ancestor::script) and not(ancestor::style) "
    "and not(ancestor::noscript) and not(ancestor::template)]"
)
MAX_NAME = 200
MAX_PLACE = 120
MAX_LEVEL = 60
MAX_HOLDING_ID = 120
MAX_SUMMARY = 2000  # as contracts.labels.Observation.summary allows
# Descriptions longer than this are not read further: nobody writes a 100 kB card excerpt.
_MAX_SUMMARY_INPUT = 100_000

_HIDDEN_BLOCK = re.compile(
    r"<(script|style|noscript|template|iframe|object)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_INLINE_TAG = re.compile(r"</?(?:a|b|i|em|strong|span|small|sup|sub|u|abbr|font)\b[^<>]*>", re.I)
_TAG = re.compile(r"<[/!?]?[a-z][^<>]*(?:>|$)", re.I)
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffd]"
)
_KVK_SEPARATORS = re.compile(r"[,;/|\n]+")
_HOST = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!//|\d)", re.I)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_LONG_DATE = re.compile(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{4})")


def clean_text(raw: str | None, max_length: int) -> str | None:
    """Entities decoded, markup and invisible characters removed, whitespace collapsed, capped.

    Returns None when nothing readable is left.
    """
    if raw is None:
        return None
    text = html.unescape(raw)
    text = _HIDDEN_BLOCK.sub(" ", text)
    text = _COMMENT.sub(" ", text)
    text = _INLINE_TAG.sub("", text)
    text = _TAG.sub(" ", text)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    return truncate(text, max_length) or None


def truncate(text: str, max_length: int) -> str:
    """Cap `text` at `max_length` characters, marking a cut with an ellipsis."""
    if len(text) <= max_length:
        return text
    return text[: max_length - 1].rstrip() + "…"


def clean_summary(raw_html: str | None, max_length: int = MAX_SUMMARY) -> str | None:
    """A description's HTML as plain text: markup, scripts and styles gone, whitespace
    collapsed, cut at a word boundary; None when nothing readable is left."""
    text = clean_text((raw_html or "")[:_MAX_SUMMARY_INPUT], _MAX_SUMMARY_INPUT)
    return truncate_words(text, max_length) if text else None


def truncate_words(text: str, max_length: int) -> str:
    """Cap `text` at `max_length` characters, cutting between words and marking the cut."""
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    space = cut.rfind(" ")
    # A text without spaces near the end (a URL, a run of letters) is cut where it must be.
    if space > max_length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def token(text: str | None, max_length: int = MAX_LEVEL) -> str | None:
    """A normalised keyword: `Trede 3` -> `trede-3`, `BOOST-lid` -> `boost-lid`."""
    if not text:
        return None
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or None


class KvkNumbers(NamedTuple):
    """The KvK numbers read from one field: the valid ones normalised, the rest as found."""

    valid: tuple[str, ...]
    rejected: tuple[str, ...]


def split_kvk(field: str | None) -> KvkNumbers:
    """Every KvK number in a field listing several (commas, semicolons, slashes, lines), read
    by the one rule (`contracts.kvk`); beyond the contracts' limit per holding the rest are
    rejected (and so reported), never made into an event that cannot be published."""
    valid: list[str] = []
    rejected: list[str] = []
    for part in _KVK_SEPARATORS.split(clean_text(field, 2000) or ""):
        if not part.strip():
            continue
        number = normalise_kvk(part)
        if number is None:
            rejected.append(truncate(part.strip(), 40))
        elif number in valid:
            continue
        elif len(valid) >= KVK_PER_HOLDING_MAX:
            rejected.append(f"{number} (more than {KVK_PER_HOLDING_MAX})")
        else:
            valid.append(number)
    return KvkNumbers(tuple(valid), tuple(rejected))


def normalise_website(raw: str | None) -> str | None:
    """`http://WWW.Example.nl/over-ons?x=1` -> `https://example.nl/`; None when not a web URL."""
    text = clean_text(raw, 500)
    if not text or " " in text:
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif _OTHER_SCHEME.match(text):
        return None
    elif "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".").lower().encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = host.removeprefix("www.")
    if not _HOST.fullmatch(host):
        return None
    return f"https://{host}/"


def parse_dutch_date(text: str | None) -> date | None:
    """`12-03-2024`, `1-3-2024`, `12/03/2024` or `14 juni 2022`; None when empty.

    Raises ValueError for text that is there but is not such a date.
    """
    cleaned = " ".join((text or "").split()).lower()
    if not cleaned:
        return None
    if match := _NUMERIC_DATE.fullmatch(cleaned):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if (match := _LONG_DATE.fullmatch(cleaned)) and match.group(2) in MONTH_NUMBERS:
        return date(int(match.group(3)), MONTH_NUMBERS[match.group(2)], int(match.group(1)))
    raise ValueError(f"not a Dutch date: {truncate(cleaned, 40)!r}")


def parse_month_end(text: str | None) -> date | None:
    """`juni 2026` -> 2026-06-30 (the last day of that month); None when empty.

    Raises ValueError for text that is there but is not a month and year.
    """
    cleaned = " ".join((text or "").split()).lower()
    if not cleaned:
        return None
    match = _MONTH_YEAR.fullmatch(cleaned)
    if not match or match.group(1) not in MONTH_NUMBERS:
        raise ValueError(f"not a Dutch month and year: {truncate(cleaned, 40)!r}")
    year, month = int(match.group(2)), MONTH_NUMBERS[match.group(1)]
    return date(year, month, calendar.monthrange(year, month)[1])
