"""Which enterprise a new holding joins: KvK, then website, then name in the same municipality."""

from __future__ import annotations

import pytest

from services.registry.identity import (
    Candidates,
    Identity,
    Match,
    kvk_numbers,
    match,
    name_key,
    website_host,
)

pytestmark = pytest.mark.unit

ENSCHEDE, HENGELO = "GM0153", "GM0164"


def known(
    kvk: tuple[str, ...] = (),
    website: str | None = None,
    name: str = "Kringloop Twente B.V.",
    municipality: str | None = ENSCHEDE,
) -> Identity:
    return Identity.of(kvk, website, name, municipality)


def finds(existing: Identity, new: Identity) -> Match | None:
    """Whether `new` joins an enterprise `e1` whose only holding is `existing`."""

    def ids(same: bool) -> list[str]:
        return ["e1"] if same else []

    name_same = existing.name_key == new.name_key
    place_same = existing.municipality_code == new.municipality_code is not None
    candidates = Candidates(
        kvk=ids(bool(set(existing.kvk) & set(new.kvk))),
        website=ids(
            existing.website_host is not None and existing.website_host == new.website_host
        ),
        name=ids(name_same and place_same),
    )
    return match(new, candidates)


@pytest.mark.parametrize(
    ("existing", "new", "rule"),
    [
        (known(kvk=("06123456",)), known(kvk=("06123456",), name="Iets anders"), "kvk"),
        (known(kvk=("06123456",)), known(kvk=("0612 3456",), name="Anders"), "kvk"),
        (known(kvk=("06123456",)), known(kvk=("6123456",), name="Anders"), "kvk"),
        (known(kvk=("06.12.34.56",)), known(kvk=("06123456", "07000000")), "kvk"),
        (
            known(website="https://www.kringlooptwente.nl/"),
            known(website="http://kringlooptwente.nl"),
            "website",
        ),
        (
            known(website="kringlooptwente.nl"),
            known(website="https://WWW.KringloopTwente.nl/over-ons"),
            "website",
        ),
        (known(name="Kringloop Twente B.V."), known(name="Stichting Kringloop Twente"), "name"),
        (known(name="Kringloop Twente BV"), known(name="kringloop-twente"), "name"),
        (
            known(name="Zorgboerderij De Hoeve Coöperatie U.A."),
            known(name="Zorgboerderij de Hoeve"),
            "name",
        ),
        (known(name="Café Één V.O.F."), known(name="Cafe Een"), "name"),
        (known(name="Vereniging Samen Sterk"), known(name="Samen  Sterk N.V."), "name"),
        (known(kvk=("01111111",)), known(kvk=("02222222",), name="Iets anders"), None),
        (known(municipality=ENSCHEDE), known(municipality=HENGELO), None),
        (known(municipality=None), known(municipality=None), None),
        (known(municipality=ENSCHEDE), known(municipality=None), None),
        (known(name="Kringloop Twente"), known(name="Kringloop Twente Oost"), None),
        (
            known(website="https://kringloop.nl/"),
            known(website="https://kringloop.com/", name="X"),
            None,
        ),
    ],
    ids=[
        "same-kvk",
        "kvk-with-space",
        "kvk-without-leading-zero",
        "kvk-with-dots-among-several",
        "website-with-and-without-www",
        "website-without-scheme-and-in-capitals",
        "bv-and-stichting",
        "bv-and-punctuation",
        "cooperatie-ua",
        "accents-and-vof",
        "vereniging-nv-and-spaces",
        "different-kvk",
        "same-name-other-municipality",
        "same-name-no-municipality",
        "same-name-one-unresolved",
        "longer-name",
        "other-domain",
    ],
)
def test_a_new_holding_joins_by_the_first_matching_rule(
    existing: Identity, new: Identity, rule: str | None
) -> None:
    found = finds(existing, new)
    assert (found.rule if found else None) == rule


def test_kvk_wins_over_website_and_name_and_kept_apart_enterprises_are_skipped() -> None:
    new = known(kvk=("06123456",), website="https://a.nl/")
    candidates = Candidates(kvk=["e2"], website=["e1"], name=["e1"])
    assert match(new, candidates) == Match("e2", "kvk", "06123456")
    apart = Candidates(kvk=["e2"], website=["e1"], kept_apart=frozenset({"e2"}))
    assert match(new, apart) == Match("e1", "website", "a.nl")
    assert match(new, Candidates(kvk=["e2"], kept_apart=frozenset({"e2"}))) is None


def test_several_candidates_choose_the_lowest_id() -> None:
    found = match(known(kvk=("1234567",)), Candidates(kvk=["e9", "e3"]))
    assert found == Match("e3", "kvk", "01234567")


def test_kvk_numbers_are_the_distinct_eight_digit_numbers_sorted_without_garbage() -> None:
    raw = ("0712 3456", "06123456", "6123456", "—", "1", "06.12.34.56")
    assert kvk_numbers(raw) == ("06123456", "07123456")


def test_hosts_and_names_without_anything_to_compare_are_none() -> None:
    assert website_host(None) is None
    assert website_host("  ") is None
    assert name_key("B.V.") is None
