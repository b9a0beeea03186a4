"""How the page of an enterprise that is no longer listed says since when and why (Dutch)."""

from __future__ import annotations

from contracts.categories import categories_by_slug
from services.gateway.pages.formatting import date_nl
from services.gateway.pages.search_links import search_url
from services.gateway.read_model.queries import SearchQuery
from services.gateway.read_model.views import EnterpriseGone

# What lapsed, per label, as the subject of "… is verlopen / beëindigd".
_LAPSED = {
    "pso": ("haar PSO-certificaat", "is verlopen"),
    "codeso": ("haar registratie bij de Code Sociale Ondernemingen", "is verlopen"),
    "senl": ("haar lidmaatschap van Social Enterprise NL", "is beëindigd"),
    "cedris": ("haar erkenning als leerwerkbedrijf door Cedris", "is beëindigd"),
}
_ELSEWHERE = {
    "outside_region": "zij buiten de regio van dit overzicht is gevestigd",
    "moved": "zij is verhuisd naar een plaats buiten de regio van dit overzicht",
}


def gone_message(gone: EnterpriseGone) -> str:
    """`Kringloop Twente staat sinds 13 maart 2026 niet meer in het overzicht, omdat haar
    PSO-certificaat is verlopen.`"""
    since = date_nl(gone.delisted_at)
    when = f"sinds {since} " if since else ""
    sentence = f"{gone.name} staat {when}niet meer in het overzicht"
    because = _because(gone, since)
    return f"{sentence}, omdat {because}." if because else f"{sentence}."


def _because(gone: EnterpriseGone, since: str) -> str | None:
    if gone.reason == "label_lapsed" and gone.lapsed_label in _LAPSED:
        what, ended = _LAPSED[gone.lapsed_label]
        on = date_nl(gone.lapsed_on)
        return f"{what} op {on} {ended}" if on and on != since else f"{what} {ended}"
    return _ELSEWHERE.get(gone.reason or "")


def alternatives_url(base: str, gone: EnterpriseGone) -> str:
    """The search for enterprises offering what it offered; the plain search without any."""
    offered = [slug for slug in gone.categories if slug in categories_by_slug()]
    return search_url(base, SearchQuery(category=offered), 1)
