"""HTML of the demo Cedris member list, in the format label-sources.md §4 describes."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from contracts.subjects import slug

if TYPE_CHECKING:
    from services.demo.sites.cedris import Member

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#222}
.site-header{background:#e4002b;color:#fff;padding:1rem 2rem;display:flex;gap:2rem}
.site-header a{color:#fff;text-decoration:none}main{padding:1rem 2rem;max-width:70rem}
.provincies a{margin-right:.6rem}ul.leden{list-style:none;padding:0}
li.lid{display:grid;grid-template-columns:2fr 1fr 1fr;padding:.3rem 0;border-bottom:1px solid #eee}
.lid__type{color:#555;font-size:.9em}footer{padding:2rem;color:#666;font-size:.9em}
"""


def _layout(title: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} - Cedris</title>
<link rel="stylesheet" href="/wp-content/themes/cedris/style.css">
<style>{_STYLE}</style>
</head>
<body class="page-template-leden">
<header class="site-header">
  <a class="logo" href="/">Cedris</a>
  <nav class="hoofdmenu"><a href="/">Home</a> <a href="/leden/">Leden</a>
  <a href="/over-cedris/">Over Cedris</a> <a href="/contact/">Contact</a></nav>
</header>
<main>
{content}
</main>
<footer>Cedris, vereniging van inclusieve werkgevers &middot; demo-ledenlijst van impactoost,
geen echte gegevens &middot; <a href="/privacy/">Privacyverklaring</a></footer>
</body>
</html>
"""


def _member(m: Member) -> str:
    href = f' href="{escape(m.website)}"' if m.website else ""
    return f"""    <li class="lid" data-lid="{escape(m.id)}">
      <a class="lid__naam"{href}>{escape(m.naam)}</a>
      <span class="lid__plaats">{escape(m.plaats)}</span>
      <span class="lid__type">{escape(m.type)}</span>
    </li>"""


def _section(province: str, members: Sequence[Member]) -> str:
    items = "\n".join(_member(m) for m in members)
    name = escape(province)
    return f"""<section class="leden-provincie" id="{slug(province)}" data-provincie="{name}">
  <h2>{name}</h2>
  <ul class="leden">
{items}
  </ul>
</section>"""


def members_page(sections: Sequence[tuple[str, Sequence[Member]]]) -> str:
    """The member list, one section per province."""
    total = sum(len(members) for _, members in sections)
    jump = " ".join(f'<a href="#{slug(p)}">{escape(p)}</a>' for p, _ in sections)
    body = "\n".join(_section(province, members) for province, members in sections)
    return _layout(
        "Leden",
        f"""<h1>Onze leden</h1>
<p class="intro">Cedris is de vereniging van inclusieve werkgevers: leerwerkbedrijven en sociaal
ontwikkelbedrijven, gemeenten en andere organisaties die werken aan werk voor iedereen.</p>
<p class="resultaten">{total} leden</p>
<nav class="provincies" aria-label="Provincies">{jump}</nav>
{body}""",
    )


def home() -> str:
    """The front page."""
    return _layout(
        "Home",
        """<h1>Cedris</h1>
<p>Cedris verbindt organisaties die mensen met een afstand tot de arbeidsmarkt aan het werk
helpen. Bekijk <a href="/leden/">onze leden</a>.</p>""",
    )


def maintenance() -> str:
    """What the member list shows while the site is maintained: no sections at all."""
    return _layout(
        "Onderhoud",
        """<h1>Onze leden</h1>
<div class="melding">De ledenlijst is tijdelijk niet beschikbaar wegens onderhoud.
Probeer het later opnieuw.</div>""",
    )


def not_found() -> str:
    """The 404 page."""
    return _layout("Pagina niet gevonden", "<h1>Pagina niet gevonden</h1>")
