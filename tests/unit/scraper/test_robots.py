"""robots.txt as RFC 9309 reads it: the examples of the RFC, and the cases where the standard
library's parser (first matching line, prefixes only) answers otherwise."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

import pytest

from services.scraper.http import parse_robots, product_token

pytestmark = pytest.mark.unit
SITE = "https://www.example.com"

# RFC 9309 §5.1, "Simple Example".
RFC_EXAMPLE = """\
User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot
"""


@pytest.mark.parametrize(
    ("agent", "path", "allowed"),
    [
        # foobot: everything is disallowed except the two allowed paths.
        ("foobot", "/example/page.html", True),
        ("foobot", "/example/allowed.gif", True),
        ("foobot", "/example/other.html", False),
        ("foobot", "/", False),
        # barbot and bazbot share one group.
        ("barbot", "/example/page.html", False),
        ("bazbot", "/example/page.html", False),
        ("barbot", "/example/other.html", True),
        ("bazbot", "/picture.gif", True),
        # quxbot's group is empty: everything is allowed, the `*` group does not apply.
        ("quxbot", "/example/page.html", True),
        ("quxbot", "/picture.gif", True),
        # Anybody else gets the `*` group.
        ("otherbot", "/picture.gif", False),
        ("otherbot", "/picture.gif?size=1", True),  # `$` anchors the end
        ("otherbot", "/images/deep/picture.gif", False),  # `*` spans slashes
        ("otherbot", "/example/", False),
        ("otherbot", "/publications/2024", True),
        ("otherbot", "/index.html", True),
    ],
)
def test_the_rfc_9309_simple_example_is_read_as_the_rfc_says(
    agent: str, path: str, allowed: bool
) -> None:
    assert parse_robots(RFC_EXAMPLE).can_fetch(SITE + path, agent) is allowed


@pytest.mark.parametrize(
    ("rules", "path", "allowed"),
    [
        # §5.2 "Longest Match": the most specific rule wins, whatever their order.
        (
            "Allow: /example/page/\nDisallow: /example/page/disallowed.gif",
            "/example/page/disallowed.gif",
            False,
        ),
        (
            "Allow: /example/page/\nDisallow: /example/page/disallowed.gif",
            "/example/page/other.gif",
            True,
        ),
        ("Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php", "/wp-admin/admin-ajax.php", True),
        ("Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php", "/wp-admin/options.php", False),
        # §2.2.2: an Allow and a Disallow of equal length: Allow wins.
        ("Disallow: /page\nAllow: /page", "/page", True),
        # §2.2.3: `*` matches any sequence, `$` the end of the path.
        ("Disallow: /*.php$", "/index.php", False),
        ("Disallow: /*.php$", "/index.php?lang=nl", True),
        ("Disallow: /this/*/exactly", "/this/path/exactly", False),
        ("Disallow: /this/*/exactly", "/this/path/nearly", True),
        ("Disallow: /\nAllow: /this/path/exactly$", "/this/path/exactly", True),
        ("Disallow: /\nAllow: /this/path/exactly$", "/this/path/exactly/not", False),
        # A longer wildcard Disallow beats a shorter plain Allow.
        ("Allow: /register/\nDisallow: /register/*?s=", "/register/?s=fiets", False),
        # §2.2.2: paths are compared percent-encoded, so a UTF-8 path matches its encoding.
        ("Disallow: /foo/bar/%E3%83%84", "/foo/bar/ツ", False),
        ("Disallow: /foo/bar/ツ", "/foo/bar/%E3%83%84", False),
        # An empty Disallow disallows nothing.
        ("Disallow:", "/anything", True),
    ],
)
def test_paths_match_with_wildcards_and_the_longest_rule_wins(
    rules: str, path: str, allowed: bool
) -> None:
    robots = parse_robots("User-agent: *\n" + rules + "\n")
    assert robots.can_fetch(SITE + path, "impactoost-scraper") is allowed


@pytest.mark.parametrize(
    ("rules", "path"),
    [
        ("Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php", "/wp-admin/admin-ajax.php"),
        ("Disallow: /page\nAllow: /page", "/page"),
        ("Disallow: /*.php$", "/index.php"),
        ("Disallow: /\nAllow: /this/path/exactly$", "/this/path/exactly"),
    ],
)
def test_these_cases_are_ones_the_standard_library_parser_gets_wrong(rules: str, path: str) -> None:
    text = "User-agent: *\n" + rules + "\n"
    stdlib = RobotFileParser()
    stdlib.parse(text.splitlines())
    ours = parse_robots(text).can_fetch(SITE + path, "impactoost-scraper")
    assert stdlib.can_fetch("impactoost-scraper", SITE + path) is not ours


GROUPS = """\
User-agent: *
Disallow: /

User-agent: Impactoost-Scraper
Disallow: /beheer/

User-agent: otherbot
Allow: /

User-agent: impactoost-scraper
Disallow: /private/
"""


def test_our_product_token_picks_our_group_case_insensitively_and_merges_repeated_groups() -> None:
    robots = parse_robots(GROUPS)
    token = product_token("impactoost-scraper/0.1 (+https://impactoost.nl/over-de-scraper)")
    assert token == "impactoost-scraper"
    assert robots.can_fetch(SITE + "/register/", token)  # our group, not `*`
    assert not robots.can_fetch(SITE + "/beheer/x", token)
    assert not robots.can_fetch(SITE + "/private/x", token)  # the second group of the same name
    assert not robots.can_fetch(SITE + "/register/", "somebot")  # `*` for everybody else


def test_robots_txt_itself_is_always_allowed_and_crawl_delay_is_per_group() -> None:
    robots = parse_robots(
        "User-agent: *\nDisallow: /\nCrawl-delay: 9\n\n"
        "User-agent: impactoost-scraper\nCrawl-delay: 2\n"
    )
    assert robots.can_fetch(SITE + "/robots.txt", "somebot")
    assert robots.crawl_delay("impactoost-scraper") == 2.0
    assert robots.crawl_delay("somebot") == 9.0
