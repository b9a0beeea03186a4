"""Reading Social Enterprise NL's member list: cards, load-more batches, profiles, hostility."""

from __future__ import annotations

import random
from datetime import date
from html import escape
from urllib.parse import parse_qs

import httpx
import pytest
from parsel import Selector

from services.scraper.errors import FetchFailed, FormatChanged
from services.scraper.http import parse_robots
from services.scraper.policy import LabelPolicy, apply_overrides
from services.scraper.sources.base import KnownHolding, SourceResult
from services.scraper.sources.senl import SenlSource
from services.scraper.sources.senl_parsing import (
    Card,
    parse_card,
    parse_cards,
    parse_members_page,
    parse_profile,
)
from tests.unit.scraper.fakes import FakeWeb, fixture_reader, polite_client, random_markup

pytestmark = pytest.mark.unit
BASE = "https://www.social-enterprise.test"
LIST = f"{BASE}/wie-doen-het/"
AJAX = f"{BASE}/wp-admin/admin-ajax.php"
TODAY = date(2025, 6, 1)
fixture = fixture_reader("senl")
WORDPRESS_ROBOTS = (
    "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
    f"Sitemap: {BASE}/wp-sitemap.xml\n"
)
FIRST_BATCH = [
    "tunga",
    "de-fietsfabriek-zwolle",
    "koffie-en-kansen",
    "caf-de-verbinding",
    "hackers-hoek",
    "naaiatelier-twente",
    "groen-doet-goed",
    "brood-op-de-plank",
]
SECOND_BATCH = [
    "zorgboerderij-de-hoeve",
    "drukkerij-de-kans",
    "heel-lange-naam",
    "repair-cafe-arnhem",
]
THIRD_BATCH = ["textiel-terug", "buurtbedrijf-nijmegen-oost"]
PROFILES = {
    "tunga": "profile_tunga.html",
    "de-fietsfabriek-zwolle": "profile_fietsfabriek.html",
    "koffie-en-kansen": "profile_empty_name.html",
    "hackers-hoek": "profile_hostile.html",
    "naaiatelier-twente": "profile_partner.html",
    "groen-doet-goed": "profile_minimal.html",
    "brood-op-de-plank": "profile_no_kind.html",
}


def card(slug: str = "tunga", name: str | None = "Tunga") -> Card:
    return Card(slug, name, f"{LIST}{slug}/", "0123456789abcdef")


def profile(name: str) -> str:
    """A plain Lid profile, for members the test does not look at closely."""
    return fixture("profile_minimal.html").replace("Groen Doet Goed", escape(name))


def html(text: str) -> httpx.Response:
    return httpx.Response(200, text=text, headers={"content-type": "text/html; charset=UTF-8"})


def member_web(list_page: str | None = None, *batches: str) -> FakeWeb:
    """The fixture site: list page, load-more answers in turn (then empty), every profile."""
    web = FakeWeb().serve(f"{BASE}/robots.txt", httpx.Response(200, text=WORDPRESS_ROBOTS))
    web.html(LIST, list_page or fixture("members.html"))
    answers = batches or (fixture("batch2.html"), fixture("batch3.html"))
    web.serve(AJAX, *(html(a) for a in answers), html(""))
    for slug in FIRST_BATCH + SECOND_BATCH + THIRD_BATCH:
        page = fixture(PROFILES[slug]) if slug in PROFILES else profile(slug.replace("-", " "))
        web.html(f"{LIST}{slug}/", page)
    return web


def posts(web: FakeWeb) -> list[dict[str, list[str]]]:
    return [parse_qs(r.content.decode()) for r in web.requests if r.method == "POST"]


def profile_paths(web: FakeWeb) -> list[str]:
    return [p for p in web.paths() if p.startswith("/wie-doen-het/") and p != "/wie-doen-het/"]


async def read(
    web: FakeWeb, known: dict[str, KnownHolding] | None = None, policy: LabelPolicy | None = None
) -> SourceResult:
    source = SenlSource(BASE) if policy is None else SenlSource(BASE, policy=policy)
    return await source.fetch(polite_client(web), TODAY, known or {})


# The list page and load-more answers


def test_the_list_page_yields_the_first_batch_and_the_load_more_button() -> None:
    first, more = parse_members_page(fixture("members.html"), LIST)
    assert [c.slug for c in first.cards] == FIRST_BATCH
    assert (more.action, more.page, more.nonce) == ("se_load_members", 2, "c0ffee12")
    assert first.warnings == []


def test_card_names_are_decoded_and_stripped_of_markup() -> None:
    first, _ = parse_members_page(fixture("members.html"), LIST)
    names = {c.slug: c.name for c in first.cards}
    assert names["koffie-en-kansen"] == "Koffie & Kansen"
    assert names["caf-de-verbinding"] == "Café De Verbinding"
    assert names["hackers-hoek"] == "Hackers' Hoek"
    assert names["naaiatelier-twente"] == "Naaiatelier Twente"


def test_profile_urls_are_on_our_host_whether_linked_relatively_or_absolutely() -> None:
    first, _ = parse_members_page(fixture("members.html"), LIST)
    urls = {c.slug: c.profile_url for c in first.cards}
    assert urls["tunga"] == f"{LIST}tunga/"
    assert urls["caf-de-verbinding"] == f"{LIST}caf-de-verbinding/"


def test_a_load_more_answer_is_read_like_the_list_and_odd_cards_become_warnings() -> None:
    batch = parse_cards(Selector(text=fixture("batch2.html")), "batch 2", LIST)
    assert [c.slug for c in batch.cards] == ["zorgboerderij-de-hoeve", "tunga", *SECOND_BATCH[1:]]
    assert batch.entries == 8
    assert batch.warnings == [
        "batch 2 member 3: skipped: profile link leaves the site "
        "(https://elders.example/wie-doen-het/phishing-bv/); not followed",
        "batch 2 member 5: skipped: no profile link",
        "batch 2 member 8: skipped: link '/over-ons/' is not a member profile",
    ]


def test_hostile_and_overlong_card_names_are_cleaned_and_capped() -> None:
    names = {
        c.slug: c.name for c in parse_cards(Selector(text=fixture("batch2.html")), "b", LIST).cards
    }
    assert names["drukkerij-de-kans"] == "Drukkerij De Kans"
    long = names["heel-lange-naam"]
    assert long is not None and len(long) <= 200 and long.endswith("Enschede…")


def test_a_card_hash_changes_with_the_name_and_only_with_what_the_card_shows() -> None:
    element = Selector(text=fixture("batch3.html")).css("div.member")[0]
    same = Selector(
        text=fixture("batch3.html").replace('src="/media/textiel-terug.png"', 'src="/x.jpg"')
    ).css("div.member")[0]
    renamed = Selector(
        text=fixture("batch3.html").replace("Textiel Terug", "Textiel Terug B.V.")
    ).css("div.member")[0]
    digest = parse_card(element, LIST).digest
    assert len(digest) == 16
    assert parse_card(same, LIST).digest == digest
    assert parse_card(renamed, LIST).digest != digest


def test_a_page_without_the_member_container_is_a_format_change() -> None:
    with pytest.raises(FormatChanged, match="no div#membershipCntr"):
        parse_members_page(fixture("no_container.html"), LIST)


def test_an_empty_member_container_is_a_format_change_not_an_empty_list() -> None:
    with pytest.raises(FormatChanged, match="no members in div#membershipCntr"):
        parse_members_page(fixture("empty_container.html"), LIST)


@pytest.mark.parametrize(
    "button",
    [
        "",
        '<button id="morenews" data-page="2" data-nonce="c0ffee12">Laad meer</button>',
        '<button id="morenews" data-action="se_load_members" data-page="twee" '
        'data-nonce="c0ffee12">Laad meer</button>',
        '<button id="morenews" data-action="se_load_members" data-page="2" '
        'data-nonce="c0&amp;ffee">Laad meer</button>',
    ],
)
def test_a_missing_or_garbled_load_more_button_is_a_format_change(button: str) -> None:
    page = fixture("members.html").replace(
        '<button id="morenews" class="btn btn-secondary" data-action="se_load_members" '
        'data-page="2" data-nonce="c0ffee12">Laad meer</button>',
        button,
    )
    with pytest.raises(FormatChanged, match="load-more button"):
        parse_members_page(page, LIST)


# Profiles


def test_the_example_profile_of_the_format_is_read_completely() -> None:
    observation, notes = parse_profile(fixture("profile_tunga.html"), card(), TODAY)
    assert notes == []
    assert observation.model_dump() == {
        "label": "senl",
        "holding_id": "tunga",
        "name": "Tunga",
        "place": "Amsterdam",
        "kvk": (),
        "website": "https://tunga.io/",
        "level": "boost",
        "pso30plus": False,
        "status": "lid",
        "valid_from": None,
        "valid_until": None,
        "counts": True,
        "source_url": f"{LIST}tunga/",
        "themes": ("Arbeidsparticipatie",),
        "summary": "Tunga leidt jongeren uit kwetsbare wijken op tot softwareontwikkelaar en "
        "laat hen werken aan echte opdrachten.",
    }


def test_a_lid_profile_normalises_the_website_and_keeps_each_theme_once() -> None:
    observation, _ = parse_profile(
        fixture("profile_fietsfabriek.html"), card("de-fietsfabriek-zwolle", None), TODAY
    )
    assert (observation.level, observation.counts) == ("lid", True)
    assert observation.website == "https://defietsfabriek-zwolle.nl/"
    assert observation.themes == ("Arbeidsparticipatie", "Circulaire economie")


def test_a_profile_without_place_website_or_themes_leaves_them_empty() -> None:
    observation, notes = parse_profile(
        fixture("profile_minimal.html"), card("groen-doet-goed"), TODAY
    )
    assert (observation.place, observation.website, observation.themes) == (None, None, ())
    assert (observation.name, observation.level, observation.counts) == (
        "Groen Doet Goed",
        "lid",
        True,
    )
    assert notes == []


@pytest.mark.parametrize(
    ("published", "level"),
    [
        ("Lid", "lid"),
        ("lid", "lid"),
        ("BOOST-lid", "boost"),
        ("BOOST lid", "boost"),
        ("boost&#8209;LID", "boost"),
        ("Boost", "boost"),
    ],
)
def test_both_membership_kinds_are_normalised_and_count(published: str, level: str) -> None:
    page = fixture("profile_tunga.html").replace(">BOOST-lid<", f">{published}<")
    observation, notes = parse_profile(page, card(), TODAY)
    assert (observation.level, observation.status, observation.counts) == (level, "lid", True)
    assert notes == []


def test_a_member_without_a_published_kind_counts_with_a_warning() -> None:
    observation, notes = parse_profile(
        fixture("profile_no_kind.html"), card("brood-op-de-plank"), TODAY
    )
    assert (observation.level, observation.counts) == (None, True)
    assert notes == ["no membership kind published"]


def test_an_unknown_membership_kind_is_kept_as_published_and_does_not_count() -> None:
    observation, notes = parse_profile(
        fixture("profile_partner.html"), card("naaiatelier-twente"), TODAY
    )
    assert (observation.level, observation.counts) == ("partner", False)
    assert notes == ["unknown membership kind 'partner'; kept as published"]


def test_hostile_markup_on_a_profile_never_reaches_the_observation() -> None:
    observation, notes = parse_profile(fixture("profile_hostile.html"), card("hackers-hoek"), TODAY)
    assert observation.name == "Hackers' Hoek & Co"
    assert observation.place == "Hengelo (O)"
    assert observation.website is None and "website unreadable; left empty" in notes
    assert observation.level == "boost"
    assert observation.themes[:2] == ("Digitale inclusie", "Onderwijs")
    assert len(observation.themes[2]) == 80 and observation.themes[2].endswith("…")
    assert observation.summary == "Wij bouwen apps met jongeren. meer"
    for text in (observation.name, observation.place, observation.summary, *observation.themes):
        assert text is not None
        assert "<" not in text and "script" not in text.lower() and "\u202e" not in text


def test_a_profile_without_a_description_has_no_summary() -> None:
    page = fixture("profile_tunga.html").replace("member-description", "member-elsewhere")
    observation, _ = parse_profile(page, card(), TODAY)
    assert observation.summary is None


def test_more_themes_than_the_cap_are_cut_with_a_warning() -> None:
    themes = "".join(f'<li class="thema">Thema {n}</li>' for n in range(30))
    page = fixture("profile_tunga.html").replace(
        '<li class="thema">Arbeidsparticipatie</li>', themes
    )
    observation, notes = parse_profile(page, card(), TODAY)
    assert len(observation.themes) == 20 and observation.themes[-1] == "Thema 19"
    assert notes == ["30 themes published; the first 20 kept"]


def test_an_empty_profile_name_falls_back_to_the_name_on_the_card() -> None:
    observation, notes = parse_profile(
        fixture("profile_empty_name.html"), card("koffie-en-kansen", "Koffie & Kansen"), TODAY
    )
    assert observation.name == "Koffie & Kansen"
    assert observation.website == "https://koffieenkansen.nl/"
    assert observation.level == "boost"
    assert notes == ["no name on the profile; the member list's name used"]


def test_a_profile_in_an_unknown_layout_is_a_format_change() -> None:
    with pytest.raises(FormatChanged, match="profile page format has probably changed"):
        parse_profile(fixture("profile_new_layout.html"), card("caf-de-verbinding"), TODAY)


# Whole runs over a fake web


async def test_the_whole_list_is_read_batch_by_batch_and_every_member_from_its_profile() -> None:
    web = member_web()
    result = await read(web)
    expected = FIRST_BATCH + SECOND_BATCH + THIRD_BATCH
    assert [o.holding_id for o in result.observations] == expected
    assert web.paths()[:5] == ["/robots.txt", "/wie-doen-het/", *["/wp-admin/admin-ajax.php"] * 3]
    assert posts(web) == [
        {"action": ["se_load_members"], "page": [str(n)], "nonce": ["c0ffee12"]} for n in (2, 3, 4)
    ]
    assert profile_paths(web) == [f"/wie-doen-het/{slug}/" for slug in expected]
    assert set(result.cards) == set(expected) and result.pages == 1 + 3 + len(expected)
    assert all(o.source_url == f"{LIST}{o.holding_id}/" for o in result.observations)


async def test_load_more_is_posted_form_encoded_as_robots_txt_allows_admin_ajax() -> None:
    web = member_web()
    await read(web)
    ajax = [r for r in web.requests if r.method == "POST"]
    assert {r.headers["content-type"] for r in ajax} == {"application/x-www-form-urlencoded"}
    assert all(r.url.path == "/wp-admin/admin-ajax.php" for r in ajax)


async def test_a_profile_link_to_a_foreign_host_is_never_fetched() -> None:
    web = member_web()
    result = await read(web)
    assert all(r.url.host == "www.social-enterprise.test" for r in web.requests)
    assert "phishing-bv" not in result.cards
    assert any("elders.example" in w and "not followed" in w for w in result.warnings)


async def test_a_member_listed_again_in_a_later_batch_is_read_once_with_a_warning() -> None:
    web = member_web()
    result = await read(web)
    assert [o.holding_id for o in result.observations].count("tunga") == 1
    assert profile_paths(web).count("/wie-doen-het/tunga/") == 1
    assert any("member tunga listed again; first kept" in w for w in result.warnings)


async def test_profile_warnings_name_the_profile() -> None:
    result = await read(member_web())
    assert f"{LIST}brood-op-de-plank/: no membership kind published" in result.warnings


async def test_a_load_more_that_repeats_a_batch_fails_instead_of_looping() -> None:
    web = member_web(None, fixture("batch3.html"))
    web.serve(AJAX, html(fixture("batch3.html")))
    with pytest.raises(FormatChanged, match="only repeats members already read"):
        await read(web)
    assert [p["page"] for p in posts(web)] == [["2"], ["3"]]
    assert profile_paths(web) == []


async def test_a_load_more_that_never_ends_fails_at_the_batch_limit() -> None:
    counter = iter(range(10_000))

    def endless(request: httpx.Request) -> httpx.Response:
        n = next(counter)
        return html(
            f'<div class="member"><a href="/wie-doen-het/lid-{n}/"><span>Lid {n}</span></a></div>'
        )

    web = member_web().serve(AJAX, endless)
    with pytest.raises(FormatChanged, match="more than 5 load-more batches"):
        await SenlSource(BASE, max_batches=5).fetch(polite_client(web), TODAY)
    assert len(posts(web)) == 5


@pytest.mark.parametrize("answer", ["0", "-1", "<p>Je sessie is verlopen.</p>"])
async def test_an_answer_that_is_neither_cards_nor_empty_is_a_format_change(answer: str) -> None:
    web = member_web(None, answer)
    with pytest.raises(FormatChanged, match="not member cards"):
        await read(web)


async def test_a_refused_nonce_fails_the_run() -> None:
    web = member_web().serve(AJAX, httpx.Response(403, text="-1"))
    with pytest.raises(FetchFailed, match="HTTP 403") as failure:
        await read(web)
    assert failure.value.status == 403


async def test_a_batch_of_only_unreadable_cards_is_a_format_change() -> None:
    web = member_web(None, '<div class="member"><a href="/over-ons/"><span>x</span></a></div>')
    with pytest.raises(FormatChanged, match="none of the 1 member cards could be read"):
        await read(web)


async def test_a_missing_container_fails_before_any_load_more() -> None:
    web = member_web(fixture("no_container.html"))
    with pytest.raises(FormatChanged, match="no div#membershipCntr"):
        await read(web)
    assert web.paths() == ["/robots.txt", "/wie-doen-het/"]


async def test_a_member_with_no_name_anywhere_is_skipped_with_a_warning() -> None:
    web = member_web()
    page = fixture("members.html").replace("<span>Koffie &amp; Kansen</span>", "")
    web.html(LIST, page)
    result = await read(web)
    assert "koffie-en-kansen" not in result.cards
    assert f"{LIST}koffie-en-kansen/: skipped: no name on the profile or in the member list" in (
        result.warnings
    )


# Profiles only for new or changed cards


async def test_unchanged_cards_reuse_the_last_observations_without_profile_requests() -> None:
    first = await read(member_web())
    known = {o.holding_id: KnownHolding(first.cards[o.holding_id], o) for o in first.observations}
    web = member_web()
    second = await read(web, known)
    assert second.observations == first.observations and second.cards == first.cards
    assert profile_paths(web) == []
    assert web.paths() == ["/robots.txt", "/wie-doen-het/", *["/wp-admin/admin-ajax.php"] * 3]


async def test_a_changed_card_fetches_exactly_that_profile() -> None:
    first = await read(member_web())
    known = {o.holding_id: KnownHolding(first.cards[o.holding_id], o) for o in first.observations}
    renamed = fixture("members.html").replace("Groen Doet Goed", "Groen Doet Goed B.V.")
    web = member_web(renamed)
    second = await read(web, known)
    assert profile_paths(web) == ["/wie-doen-het/groen-doet-goed/"]
    assert second.cards["groen-doet-goed"] != first.cards["groen-doet-goed"]
    assert len(second.observations) == len(first.observations)


async def test_a_reused_observation_has_counts_judged_again() -> None:
    first = await read(member_web())
    stale = {
        o.holding_id: KnownHolding(
            first.cards[o.holding_id], o.model_copy(update={"counts": False})
        )
        for o in first.observations
    }
    second = await read(member_web(), stale)
    counts = {o.holding_id: o.counts for o in second.observations}
    assert counts["tunga"] is True and counts["naaiatelier-twente"] is False


async def test_a_new_member_is_read_from_its_profile_while_known_ones_are_not() -> None:
    first = await read(member_web())
    known = {
        o.holding_id: KnownHolding(first.cards[o.holding_id], o)
        for o in first.observations
        if o.holding_id != "textiel-terug"
    }
    web = member_web()
    await read(web, known)
    assert profile_paths(web) == ["/wie-doen-het/textiel-terug/"]


# robots.txt as RFC 9309 reads it


@pytest.mark.parametrize(
    ("rules", "path", "allowed"),
    [
        (WORDPRESS_ROBOTS, "/wp-admin/admin-ajax.php", True),
        (WORDPRESS_ROBOTS, "/wp-admin/options.php", False),
        (WORDPRESS_ROBOTS, "/wie-doen-het/", True),
        (
            "User-agent: *\nAllow: /wp-admin/admin-ajax.php\nDisallow: /wp-admin/\n",
            "/wp-admin/admin-ajax.php",
            True,
        ),
        (
            "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n",
            "/wp-admin/x",
            False,
        ),
        ("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a/b", True),
        ("User-agent: *\nAllow: /\nDisallow: /leden/\n", "/leden/x", False),
        ("User-agent: impactoost\nDisallow: /\nAllow: /wie-doen-het/\n", "/wie-doen-het/", True),
        ("User-agent: impactoost\nDisallow: /\nAllow: /wie-doen-het/\n", "/wp-admin/", False),
    ],
)
def test_the_longest_matching_robots_rule_wins_and_allow_wins_a_tie(
    rules: str, path: str, allowed: bool
) -> None:
    assert parse_robots(rules).can_fetch(f"{BASE}{path}", "impactoost") is allowed


async def test_the_polite_client_posts_to_admin_ajax_under_a_wordpress_robots_txt() -> None:
    web = member_web()
    page = await polite_client(web).post(AJAX, form={"action": "se_load_members", "page": "2"})
    assert "zorgboerderij-de-hoeve" in page.text


# Fuzzing the card parser


def _random_piece(rng: random.Random) -> str:
    return random_markup(
        rng,
        "</span>",
        "<!--",
        "'\"",
        "é",
        " ",
        "/wie-doen-het/",
        "javascript:",
        "//elders.example",
        "x" * 300,
        most=10,
    )


def test_random_hostile_cards_give_clean_cards_or_warnings_never_a_crash() -> None:
    rng = random.Random(20250601)
    for _ in range(300):
        href = escape(_random_piece(rng) + rng.choice(["", "lid/", "a-b/"]), quote=True)
        fragment = (
            f'<div class="member"><a href="{href}"><span>{_random_piece(rng)}</span></a></div>'
        )
        batch = parse_cards(Selector(text=fragment), "fuzz", LIST)
        assert len(batch.cards) + len(batch.warnings) == batch.entries
        for found in batch.cards:
            assert found.profile_url.startswith(LIST) and len(found.slug) <= 120
            assert found.name is None or ("<" not in found.name and len(found.name) <= 200)


REGULAR_ONLY = apply_overrides({"senl": {"levels": ["lid"], "unpublished_level_counts": False}})


async def test_only_regular_members_count_when_the_listing_policy_says_so() -> None:
    result = await read(member_web(), policy=REGULAR_ONLY.senl)
    counts = {o.holding_id: o.counts for o in result.observations}
    assert counts["tunga"] is False  # BOOST-lid
    assert counts["brood-op-de-plank"] is False  # no kind published
    assert counts["de-fietsfabriek-zwolle"] is True  # Lid


async def test_a_reused_member_is_judged_by_the_policy_of_this_run() -> None:
    first = await read(member_web())
    known = {o.holding_id: KnownHolding(first.cards[o.holding_id], o) for o in first.observations}
    web = member_web()
    second = await read(web, known, policy=REGULAR_ONLY.senl)
    assert profile_paths(web) == []
    before = {o.holding_id: o.counts for o in first.observations}
    after = {o.holding_id: o.counts for o in second.observations}
    assert (before["tunga"], after["tunga"]) == (True, False)
    assert (before["groen-doet-goed"], after["groen-doet-goed"]) == (True, True)
