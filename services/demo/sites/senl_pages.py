"""HTML of the demo Social Enterprise NL member list, in the format of label-sources.md §3."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.demo.sites.senl import Member

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#222}
.site-header{background:#e4003a;color:#fff;padding:1rem 2rem;display:flex;gap:2rem}
.site-header a{color:#fff;text-decoration:none}main{padding:1rem 2rem;max-width:70rem}
#membershipCntr{display:grid;grid-template-columns:repeat(4,1fr);gap:1rem}
.member a{display:block;border:1px solid #ddd;padding:1rem;color:inherit;text-decoration:none}
.member img{width:100%;height:6rem;object-fit:contain;background:#f5f5f5}
#morenews{margin:1.5rem 0;padding:.6rem 1.2rem}.member-facts{list-style:none;padding:0}
footer{padding:2rem;color:#777;font-size:.9em}
"""
_LOAD_MORE_JS = """
document.getElementById('morenews').addEventListener('click', function (e) {
  var b = e.currentTarget, data = new FormData();
  data.append('action', b.dataset.action); data.append('page', b.dataset.page);
  data.append('nonce', b.dataset.nonce);
  fetch(seMembers.ajaxurl, {method: 'POST', body: data}).then(function (r) { return r.text(); })
    .then(function (html) {
      if (!html.trim()) { b.remove(); return; }
      document.getElementById('membershipCntr').insertAdjacentHTML('beforeend', html);
      b.dataset.page = String(Number(b.dataset.page) + 1);
    });
});
"""


def _layout(title: str, content: str, script: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="nl-NL">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} - Social Enterprise NL</title>
<style>{_STYLE}</style>
<script id="se-members-js-extra">
var seMembers = {{"ajaxurl":"\\/wp-admin\\/admin-ajax.php"}};
</script>
</head>
<body>
<header class="site-header">
  <a class="logo" href="/">Social Enterprise NL</a>
  <nav class="main-nav"><a href="/over-ons/">Over ons</a> <a href="/wie-doen-het/">Wie doen het?</a>
  <a href="/lid-worden/">Lid worden</a></nav>
</header>
<main id="content">
{content}
</main>
<footer class="site-footer">Social Enterprise NL &middot; demo-ledenlijst van impactoost,
geen echte gegevens &middot; <a href="/privacy/">Privacy</a></footer>
{script}
</body>
</html>
"""


def member_card(member: Member) -> str:
    """One `div.member` card, as on the list page and in load-more answers."""
    slug = escape(member.slug)
    return (
        f'<div class="member"><a href="/wie-doen-het/{slug}/">'
        f'<img src="/wp-content/uploads/leden/{slug}.png" alt="">'
        f"<span>{escape(member.naam)}</span></a></div>"
    )


def batch(members: Sequence[Member]) -> str:
    """A load-more answer: the next cards, or an empty body when there are no more."""
    return "\n".join(member_card(m) for m in members)


def members_page(first: Sequence[Member], action: str, next_page: int, nonce: str) -> str:
    """The member list: the first batch and the load-more button."""
    cards = "\n  ".join(member_card(m) for m in first)
    return _layout(
        "Wie doen het?",
        f"""<h1>Wie doen het?</h1>
<p class="intro">Deze sociale ondernemingen zijn lid van Social Enterprise NL. Ondernemingen in
de startfase zijn BOOST-lid.</p>
<div id="membershipCntr">
  {cards}
</div>
<button id="morenews" class="btn btn-secondary" data-action="{escape(action)}"
  data-page="{next_page}" data-nonce="{escape(nonce)}">Laad meer</button>""",
        f"<script>{_LOAD_MORE_JS}</script>",
    )


def _fact(cls: str, value: str | None) -> str:
    return f'  <li class="{cls}">{escape(value)}</li>\n' if value else ""


def profile_page(member: Member) -> str:
    """A member's profile; facts that are not known are left out, as on the real site."""
    website = ""
    if member.website:
        shown = member.website.split("://", 1)[-1].rstrip("/")
        href = escape(member.website, quote=True)
        website = f'  <li class="website"><a href="{href}">{escape(shown)}</a></li>\n'
    themes = "".join(_fact("thema", t) for t in member.themas)
    facts = _fact("plaats", member.plaats) + website + _fact("lidmaatschap", member.lidmaatschap)
    return _layout(
        member.naam,
        f"""<article class="member-profile">
<img class="member-logo" src="/wp-content/uploads/leden/{escape(member.slug)}.png" alt="">
<h1 class="member-name">{escape(member.naam)}</h1>
<ul class="member-facts">
{facts}{themes}</ul>
<div class="member-description"><p>{escape(member.beschrijving)}</p></div>
<p class="back"><a href="/wie-doen-het/">&larr; Alle leden</a></p>
</article>""",
    )


def home() -> str:
    """The front page."""
    return _layout(
        "Home",
        """<h1>Social Enterprise NL</h1>
<p>Wij zijn het netwerk van sociale ondernemingen in Nederland.
Bekijk <a href="/wie-doen-het/">wie het doen</a>.</p>""",
    )


def maintenance() -> str:
    """What the member list shows while the site is being rebuilt: no member container."""
    return _layout(
        "Wie doen het?",
        """<h1>Wie doen het?</h1>
<div class="notice">We werken aan onze website.
De ledenlijst is tijdelijk niet beschikbaar.</div>""",
    )


def not_found() -> str:
    """The 404 page."""
    return _layout("Pagina niet gevonden", "<h1>Oeps! Deze pagina bestaat niet.</h1>")
