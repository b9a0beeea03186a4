"""Hostile HTML and text from feeds made safe: an allow-list of tags, http(s) links only, plain
titles, and lengths capped without cutting a tag or an entity in half."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urljoin

import nh3

from contracts.hotspots import HTML_MAX, TITLE_MAX, source_link
from contracts.supplements import plain_text

ALLOWED_TAGS = frozenset({"p", "br", "a", "strong", "em", "ul", "ol", "li", "blockquote"})
# Their text is never shown either: a stripped <script> tag must not leave its code behind.
CONTENT_DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "template"})
ELLIPSIS = "\u2026"
LINK_REL = "nofollow noopener"


def sanitise_html(value: str, base_url: str, limit: int = HTML_MAX) -> str:
    """`value` with only the allowed tags, links made absolute and checked (a bad one loses
    its address, keeping its text), at most `limit` characters, cut between words."""

    def keep_link(tag: str, attribute: str, link: str) -> str | None:
        if tag == "a" and attribute == "rel":  # nh3 passes its own link_rel through here too
            return LINK_REL
        if tag != "a" or attribute != "href":
            return None
        return checked_link(link, base_url)

    text = without_controls(value)
    cleaned = _clean(text, keep_link)
    cut = limit
    while len(cleaned) > limit and cut > 0:
        cleaned = _clean(_cut_between_words(text, cut) + ELLIPSIS, keep_link)
        cut -= max(len(cleaned) - limit, 64)
    return cleaned if len(cleaned) <= limit else ""


def _clean(text: str, keep_link: object) -> str:
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CONTENT_DROPPED),
        attributes={"a": {"href"}},
        attribute_filter=keep_link,  # type: ignore[arg-type]
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # No <pre> is allowed, so runs of white space (left where scripts were) mean one space.
    return re.sub(r"\s+", " ", cleaned).strip()


def _cut_between_words(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters at a space outside any tag or entity
    (nh3 closes what is left open)."""
    if len(text) <= limit:
        return text
    for position in range(limit, 0, -1):
        if not text[position].isspace():
            continue
        head = text[:position]
        if head.rfind("<") <= head.rfind(">") and head.rfind("&") <= head.rfind(";"):
            return head.rstrip()
    opened = text.rfind("<", 0, limit)
    return text[: opened if opened >= 0 else limit]


def checked_link(link: str, base_url: str) -> str | None:
    """`link` made absolute against `base_url`, if it is then an acceptable http(s) address."""
    try:
        return source_link(urljoin(base_url, link.strip()))
    except ValueError:
        return None


def plain_title(value: str, limit: int = TITLE_MAX) -> str:
    """A title as plain text: tags (and script/style contents) gone, entities decoded, spaces
    folded, at most `limit` characters; empty when nothing readable is left."""
    stripped = nh3.clean(value, tags=set(), clean_content_tags=set(CONTENT_DROPPED))
    one_line = " ".join(without_controls(html.unescape(stripped)).split())
    return shorten(plain_text(one_line), limit)


def without_controls(value: str) -> str:
    """`value` without control and format characters (bidi overrides, NUL, soft hyphens);
    line breaks and tabs kept as spaces or breaks."""
    return "".join(
        char
        for char in value.replace("\t", " ")
        if char in "\n\r" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    )


def text_as_html(value: str) -> str:
    """Plain text (an iCalendar DESCRIPTION) as paragraphs and line breaks, escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value.replace("\r\n", "\n"))]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )


def shorten(text: str, limit: int) -> str:
    """`text` at most `limit` characters, cut between words with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + ELLIPSIS
