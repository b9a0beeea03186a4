"""Page bytes to text when the declared charset cannot be trusted.

Registry sites are often old CMS installs: a page may say UTF-8 and be Windows-1252, or say
ISO-8859-1 and be UTF-8. UTF-8 validates itself (a Windows-1252 text with accented letters is
practically never valid UTF-8), so valid UTF-8 wins; otherwise the declared charset, and as a
last resort Windows-1252, the usual charset of Dutch pages that are not UTF-8.
"""

from __future__ import annotations

import codecs
import re

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9._:\-]+)", re.I)


def declared_charset(content_type: str | None, body: bytes) -> str | None:
    """The charset the HTTP header, or else a `<meta>` tag near the top, declares (if known)."""
    match = _HEADER_CHARSET.search(content_type or "")
    name = match.group(1) if match else None
    if name is None and (meta := _META_CHARSET.search(body[:4096])):
        name = meta.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_page(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """The page's text, and a warning when its declared charset was wrong or missing."""
    declared = declared_charset(content_type, body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared not in (None, "utf-8") and not body.isascii():
            return text, f"page declares {declared} but is UTF-8; read as UTF-8"
        return text, None
    if declared not in (None, "utf-8"):
        try:
            return body.decode(declared), None
        except UnicodeDecodeError:
            pass
    warning = f"page is not valid {declared or 'UTF-8'}; read as Windows-1252"
    return body.decode("cp1252", errors="replace"), warning
