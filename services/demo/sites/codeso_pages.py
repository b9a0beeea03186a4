"""HTML and JSON of the demo Code Sociale Ondernemingen register (label-sources.md §2)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from services.kit.dutch import MONTHS, long_date

if TYPE_CHECKING:
    from services.demo.sites.codeso import Registration

ENDPOINT_PATH = "/wp-json/wp/v2/kadence_query/query"

_STYLE = """
body{font-family:Georgia,serif;margin:0;color:#22313f}
.site-header{background:#2e7d5b;color:#fff;padding:1rem 2rem;display:flex;gap:2rem}
.site-header a{color:#fff;text-decoration:none}main{padding:1rem 2rem;max-width:70rem}
.kb-query-loop{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:1rem}
.kb-query-item{border:1px solid #cfd8dc;border-radius:.4rem;padding:1rem}
.so-status{font-weight:bold}.so-impact li{display:inline-block;margin-right:.4rem}
dl.so-gegevens dt{font-weight:bold}footer{padding:2rem;color:#607d8b;font-size:.9em}
"""


def _wp_json(value: object) -> str:
    """JSON the way WordPress's wp_json_encode writes it: ASCII only, slashes escaped."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def _layout(title: str, content: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl-NL">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} &#8211; Code Sociale Ondernemingen</title>
<link rel="stylesheet" id="kadence-global-css" media="all"
  href="/wp-content/themes/kadence/assets/css/global.min.css?ver=1.2.9">
<style>{_STYLE}</style>
<link rel="https://api.w.org/" href="/wp-json/">
{head}</head>
<body class="wp-singular page-template-default wp-theme-kadence">
<header class="site-header">
  <a class="logo" href="/">Code Sociale Ondernemingen</a>
  <nav class="hoofdmenu"><a href="/">Home</a> <a href="/register/">Register</a>
  <a href="/de-code/">De Code</a> <a href="/aanmelden/">Aanmelden</a>
  <a href="/contact/">Contact</a></nav>
</header>
<main id="inner-wrap">
{content}
</main>
<footer>Code Sociale Ondernemingen &middot; demo-register van impactoost, geen echte gegevens
&middot; <a href="/privacyverklaring/">Privacyverklaring</a></footer>
</body>
</html>
"""


def register_page(base_url: str, nonce: str, ql_id: int) -> str:
    """The register page: an empty query loop the browser fills through the REST endpoint."""
    settings = _wp_json({"url": base_url + ENDPOINT_PATH, "nonce": nonce})
    script = f"""<script id="kadence-blocks-pro-query-js-extra">
var kbp_query_loop_rest_endpoint = {settings};
</script>
<script id="kadence-blocks-pro-query-js"
  src="/wp-content/plugins/kadence-blocks-pro/includes/assets/js/kb-query-block.min.js?ver=2.4.1">
</script>
"""
    return _layout(
        "Register",
        f"""<h1>Register</h1>
<p class="intro">In het register staan sociale ondernemingen die de Code Sociale Ondernemingen
onderschrijven. Een geregistreerde onderneming wordt elke twee jaar opnieuw getoetst;
&lsquo;Aangevraagd&rsquo; betekent dat de toetsing nog loopt.</p>
<div class="wp-block-kadence-query kb-query-loop" data-ql-id="{ql_id}">
  <noscript>Schakel JavaScript in om het register te bekijken.</noscript>
</div>""",
        head=script,
    )


def card(base_url: str, registration: Registration) -> str:
    """One card of the query loop."""
    reg = registration
    link = f"{base_url}/register/{escape(reg.slug)}/"
    place = f'<span class="so-plaats">{escape(reg.plaats)}</span> &middot; ' if reg.plaats else ""
    impact = "".join(f"<li>{escape(theme)}</li>" for theme in reg.impact)
    status_class = reg.status.lower()
    return f"""<article class="kb-query-item sociale-onderneming status-{status_class}">
  <h3 class="entry-title"><a href="{link}">{escape(reg.naam)}</a></h3>
  <div class="so-meta">{place}<span class="so-status">{escape(reg.status)}</span></div>
  <ul class="so-impact">{impact}</ul>
  <div class="entry-excerpt"><p>{escape(reg.samenvatting)}</p></div>
</article>"""


def query_answer(
    base_url: str, page: int, max_pages: int, total: int, cards: Sequence[Registration]
) -> str:
    """The REST endpoint's JSON answer for one page of cards."""
    content = "\n".join(card(base_url, reg) for reg in cards)
    return _wp_json({"content": content, "page": page, "maxPages": max_pages, "postCount": total})


def rest_error(code: str, message: str, status: int) -> str:
    """A WordPress REST error body."""
    return _wp_json({"code": code, "message": message, "data": {"status": status}})


def profile_page(reg: Registration) -> str:
    """A registration's own page: the card's facts plus KvK, website and dates."""
    facts = []
    if reg.kvk:
        facts.append(f"<dt>KvK-nummer</dt><dd>{escape(reg.kvk)}</dd>")
    if reg.website:
        shown = reg.website.split("://", 1)[-1].rstrip("/")
        facts.append(
            f'<dt>Website</dt><dd><a href="{escape(reg.website)}" rel="noopener">'
            f"{escape(shown)}</a></dd>"
        )
    if reg.sinds is not None:
        facts.append(f"<dt>Geregistreerd sinds</dt><dd>{long_date(reg.sinds)}</dd>")
    if reg.toetsing is not None:
        year, month = reg.toetsing
        facts.append(f"<dt>Volgende toetsing</dt><dd>{MONTHS[month - 1]} {year}</dd>")
    impact = "".join(f"<li>{escape(theme)}</li>" for theme in reg.impact)
    place = escape(reg.plaats) if reg.plaats else "Onbekend"
    facts_html = "\n  ".join(facts)
    return _layout(
        reg.naam,
        f"""<article class="sociale-onderneming status-{reg.status.lower()}">
<h1 class="entry-title">{escape(reg.naam)}</h1>
<p class="so-meta">{place} &middot; <span class="so-status">{escape(reg.status)}</span></p>
<div class="entry-content"><p>{escape(reg.samenvatting)}</p></div>
<h2>Impactgebieden</h2>
<ul class="so-impact">{impact}</ul>
<h2>Gegevens</h2>
<dl class="so-gegevens">
  {facts_html}
</dl>
<p><a href="/register/">&larr; Terug naar het register</a></p>
</article>""",
    )


def home() -> str:
    """The front page."""
    return _layout(
        "Home",
        """<h1>Code Sociale Ondernemingen</h1>
<p>Sociale ondernemingen die de Code onderschrijven laten zich registreren en elke twee jaar
toetsen. Bekijk het <a href="/register/">register</a>.</p>""",
    )


def maintenance() -> str:
    """The register while the site is being maintained: no query loop, no REST settings."""
    return _layout(
        "Onderhoud",
        """<h1>Register</h1>
<div class="melding">We werken aan het register. Probeer het later opnieuw.</div>""",
    )


def not_found() -> str:
    """The 404 page."""
    return _layout("Pagina niet gevonden", "<h1>Oeps! Deze pagina bestaat niet.</h1>")
