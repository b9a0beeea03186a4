"""Item HTML as this gateway shows it: sanitised again with nh3 (a subscriber trusts no
stream with markup), and as plain text for calendar descriptions."""

from __future__ import annotations

import html
import re

import nh3

# Text markup only: no headings (they would break the page's outline), no images (the
# pages load nothing from elsewhere), no tables or styles.
TAGS = {"p", "br", "a", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote"}
ATTRIBUTES = {"a": {"href"}}
SCHEMES = {"http", "https", "mailto"}
DROPPED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript"}
_BREAKS = re.compile(r"<br\s*/?>|</(p|li|blockquote|ul|ol)>", re.IGNORECASE)


def clean_html(markup: str) -> str:
    """`markup` reduced to text markup with http(s) and mailto links, which open without
    passing on this page (`rel="noopener noreferrer nofollow"`)."""
    return nh3.clean(
        markup,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(markup: str) -> str:
    """The text of sanitised `markup`, with a line break where a paragraph, item or break
    ended and no markup left."""
    text = nh3.clean(_BREAKS.sub("\n", markup), tags=set(), clean_content_tags=DROPPED_WITH_CONTENT)
    lines = (" ".join(line.split()) for line in html.unescape(text).split("\n"))
    return "\n".join(line for line in lines if line)
