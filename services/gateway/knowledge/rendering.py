"""Markdown to HTML for the knowledge pages: CommonMark with raw HTML off, no images, and
links only to http(s) addresses or paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from markdown_it import MarkdownIt

_SCHEMES = ("http", "https")


def safe_link(url: str) -> bool:
    """Whether a Markdown link may become a live link: http(s) with a host, or a relative one.

    markdown-it already refuses `javascript:` and the like; this also refuses `mailto:`,
    `data:`, `file:` and protocol-relative `//host` links, which the pages have no need for."""
    text = url.strip()
    if not text or any(ord(c) < 32 for c in text) or text.startswith("//"):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)
    return True


def make_renderer() -> MarkdownIt:
    """A CommonMark renderer that writes raw HTML as text and keeps unsafe links inert."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.disable("image")
    # markdown-it-py's documented hook for which links may be rendered.
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md


def render_markdown(text: str, renderer: MarkdownIt | None = None) -> str:
    """The HTML of one page's Markdown."""
    html: str = (renderer or make_renderer()).render(text)
    return html
