"""HTML of the demo PSO register, in the format label-sources.md §1 describes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.demo.sites.pso import Certificate

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#1d2b36}
.site-header{background:#00567a;color:#fff;padding:1rem 2rem;display:flex;gap:2rem}
.site-header a{color:#fff;text-decoration:none}main{padding:1rem 2rem;max-width:70rem}
table.pso-register{border-collapse:collapse;width:100%}
.pso-register th,.pso-register td{border-bottom:1px solid #cfd8dc;padding:.4rem;text-align:left}
.pso30{background:#f4b400;border-radius:.3rem;padding:0 .3rem;font-size:.8em}
.pagination a{margin-right:.6rem}footer{padding:2rem;color:#607d8b;font-size:.9em}
"""


def _date(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def _layout(title: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | PSO Nederland</title>
<style>{_STYLE}</style>
<script>window.dataLayer = window.dataLayer || [];
dataLayer.push({{"pagina": "register"}});</script>
</head>
<body>
<header class="site-header">
  <a class="logo" href="/">PSO Nederland</a>
  <nav class="hoofdmenu"><a href="/">Home</a> <a href="/pso-register/">PSO-register</a>
  <a href="/over-pso/">Over de Prestatieladder</a> <a href="/contact/">Contact</a></nav>
</header>
<main>
{content}
</main>
<footer>Prestatieladder Socialer Ondernemen &middot; demo-register van impactoost,
geen echte gegevens &middot; <a href="/privacy/">Privacyverklaring</a></footer>
</body>
</html>
"""


def _row(cert: Certificate) -> str:
    mark = ' <span class="pso30">PSO 30+</span>' if cert.pso30 else ""
    number = escape(cert.number)
    link = f'<a href="/pso-register/certificaat/{number}">{escape(cert.organisatie)}</a>'
    return f"""    <tr class="pso-register__row" data-certificaat="{number}">
      <td class="organisatie">{link}</td>
      <td class="plaats">{escape(cert.plaats)}</td>
      <td class="kvk">{escape(cert.kvk)}</td>
      <td class="niveau">{escape(cert.niveau)}{mark}</td>
      <td class="ingang">{_date(cert.ingang)}</td>
      <td class="geldig">{_date(cert.geldig)}</td>
    </tr>"""


def _pagination(page: int, pages: int) -> str:
    links = []
    if page > 1:
        links.append(f'<a rel="prev" href="/pso-register/?pagina={page - 1}">Vorige</a>')
    for number in range(1, pages + 1):
        current = ' aria-current="page"' if number == page else ""
        links.append(f'<a href="/pso-register/?pagina={number}"{current}>{number}</a>')
    if page < pages:
        links.append(f'<a rel="next" href="/pso-register/?pagina={page + 1}">Volgende</a>')
    return '<nav class="pagination" aria-label="Paginering">' + " ".join(links) + "</nav>"


def register_page(rows: Sequence[Certificate], page: int, pages: int, total: int) -> str:
    """One page of the register table with its pagination."""
    body = "\n".join(_row(c) for c in rows)
    return _layout(
        "PSO-register",
        f"""<h1>PSO-register</h1>
<p class="intro">In het PSO-register staan alle organisaties met een geldig certificaat op de
Prestatieladder Socialer Ondernemen. Een certificaat is twee jaar geldig.</p>
<form class="zoeken" action="/pso-register/" method="get">
  <label>Zoek een organisatie <input type="search" name="zoek"></label> <button>Zoeken</button>
</form>
<p class="resultaten">{total} organisaties &middot; pagina {page} van {pages}</p>
<table class="pso-register">
  <thead><tr><th>Organisatie</th><th>Vestigingsplaats</th><th>KvK-nummer(s)</th>
             <th>Prestatieniveau</th><th>Ingangsdatum</th><th>Geldig tot</th></tr></thead>
  <tbody>
{body}
  </tbody>
</table>
{_pagination(page, pages)}""",
    )


def certificate_page(cert: Certificate) -> str:
    """The detail page of one certificate."""
    mark = " (PSO 30+)" if cert.pso30 else ""
    return _layout(
        cert.organisatie,
        f"""<h1>{escape(cert.organisatie)}</h1>
<dl class="certificaat">
  <dt>Certificaatnummer</dt><dd>{escape(cert.number)}</dd>
  <dt>Vestigingsplaats</dt><dd>{escape(cert.plaats)}</dd>
  <dt>KvK-nummer(s)</dt><dd>{escape(cert.kvk) or "&ndash;"}</dd>
  <dt>Prestatieniveau</dt><dd>{escape(cert.niveau)}{mark}</dd>
  <dt>Ingangsdatum</dt><dd>{_date(cert.ingang)}</dd>
  <dt>Geldig tot</dt><dd>{_date(cert.geldig)}</dd>
</dl>
<p><a href="/pso-register/">Terug naar het register</a></p>""",
    )


def home() -> str:
    """The front page."""
    return _layout(
        "Home",
        """<h1>Prestatieladder Socialer Ondernemen</h1>
<p>De PSO meet hoeveel een organisatie bijdraagt aan werk voor mensen met een afstand tot de
arbeidsmarkt. Bekijk het <a href="/pso-register/">PSO-register</a>.</p>""",
    )


def maintenance() -> str:
    """What the register shows while it is being maintained: no table at all."""
    return _layout(
        "Onderhoud",
        """<h1>PSO-register</h1>
<div class="melding">Het register is tijdelijk niet beschikbaar wegens onderhoud.
Probeer het later opnieuw.</div>""",
    )


def not_found() -> str:
    """The 404 page."""
    return _layout("Pagina niet gevonden", "<h1>Pagina niet gevonden</h1>")
