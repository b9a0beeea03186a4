"""What enterprises offer, in the categories buyers think in, each mapped to CPV 2008 codes.

The list is versioned: a category's slug never changes meaning (a renamed category keeps
its slug; a withdrawn one is never reused), so stored choices and subscribers' filters stay
valid. `keywords` are the words, lower-case and without accents, by which the registry
recognises a category in what the label registries publish and by which a buyer's search
finds it.

Derivation rules (`services/registry/categories.py`): the texts a registry publishes about a
holding (name, themes or impact areas, level or member type, summary) are folded: lower
case, accents dropped (NFKD without combining marks), hyphens inside words removed
("re-integratie" is "reintegratie", "sociaal-ontwikkelbedrijf" is "sociaalontwikkelbedrijf"),
then split into words. A keyword of fewer than six letters must be a whole word ("post" is
not "postcode"); a longer one may stand anywhere in a word ("cateraar" in "lunchcateraar",
"koerier" in "fietskoeriers"). Generic words ("werk", "circulair", "voedsel", "zorg" inside
other words) are kept out of the keywords so that an impact theme alone never makes a
category: a category says what a buyer can order.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from contracts.base import Frozen

CATEGORY_LIST_VERSION = 1
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CPV_PATTERN = r"^\d{8}-\d$"


class Category(Frozen):
    """One category: a stable slug, its Dutch name, its CPV codes and its keywords."""

    slug: str = Field(pattern=SLUG_PATTERN, max_length=60)
    name: str = Field(min_length=1, max_length=80)
    cpv: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()


def _category(slug: str, name: str, cpv: str, keywords: str) -> Category:
    return Category(slug=slug, name=name, cpv=tuple(cpv.split()), keywords=tuple(keywords.split()))


CATEGORIES: tuple[Category, ...] = (
    _category(
        "catering",
        "Catering",
        "55520000-1 55510000-8 55523100-3",
        "catering cateraar cateren horeca lunch lunches lunchroom broodjes soep soepbar "
        "soepen restaurant brasserie koffiebar kookschool koks keuken maaltijd maaltijden "
        "buffet kantine gerechten",
    ),
    _category(
        "schoonmaak",
        "Schoonmaak",
        "90910000-9 90911200-8 90911300-9 90919200-4",
        "schoonmaak schoonmaken schoonmaker schoonmakers reiniging glazenwasser glazenwassen "
        "glasbewassing",
    ),
    _category(
        "groenonderhoud",
        "Groenonderhoud",
        "77310000-6 77311000-3 77313000-7 77314000-4 77340000-5",
        "groenonderhoud groenvoorziening groenbeheer groenploeg hovenier hoveniers "
        "tuinonderhoud bermen parken snoeien",
    ),
    _category(
        "relatiegeschenken-en-kerstpakketten",
        "Relatiegeschenken en kerstpakketten",
        "18530000-3",
        "relatiegeschenk relatiegeschenken kerstpakket kerstpakketten geschenk geschenken "
        "cadeau cadeaus giftbox",
    ),
    _category(
        "drukwerk-en-vormgeving",
        "Drukwerk en vormgeving",
        "79800000-2 79810000-5 79811000-2 79823000-9 79822500-7",
        "drukwerk drukkerij drukken grafisch grafische vormgeving folders visitekaartjes "
        "jaarverslagen",
    ),
    _category(
        "post-en-bezorging",
        "Post en bezorging",
        "64120000-3 64121100-1 64121200-2 79571000-7",
        "post postbezorging bezorging bezorgen koerier koeriers pakketbezorging mailing verzending",
    ),
    _category(
        "re-integratie-en-arbeidsontwikkeling",
        "Re-integratie en arbeidsontwikkeling",
        "79611000-0 79634000-7 79632000-3 80530000-8",
        "reintegratie leerwerkbedrijf leerwerkplaats leerwerktraject leerwerkplek "
        "jobcoaching arbeidsontwikkeling ontwikkelbedrijf werkervaring participatiewet "
        "werkbedrijf",
    ),
    _category(
        "facilitaire-diensten",
        "Facilitaire diensten",
        "79993000-1 79993100-2 79921000-6 79992000-4",
        "facilitair facilitaire receptie beveiliging postkamer concierge klussen klusdienst "
        "verhuizen verhuisbedrijf",
    ),
    _category(
        "kringloop-en-hergebruik",
        "Kringloop en hergebruik",
        "90514000-3 50850000-8",
        "kringloop kringloopwinkel hergebruik tweedehands recycling upcycle upcycling "
        "demontage demonteert restmateriaal opknappen opknapt afgeschreven reparatie "
        "repair",
    ),
    _category(
        "fietsen-en-mobiliteit",
        "Fietsen en mobiliteit",
        "34430000-0 60130000-8",
        "fiets fietsen fietsenmakerij fietsenmaker rijwiel rijwielen mobiliteit vervoer "
        "personenvervoer",
    ),
    _category(
        "textiel-en-bedrijfskleding",
        "Textiel en bedrijfskleding",
        "18100000-0 18110000-3 39500000-7 98393000-4",
        "textiel bedrijfskleding werkkleding kleding naaiatelier kleermaker naaien vermaakt "
        "vermaken",
    ),
    _category(
        "ict-en-digitale-toegankelijkheid",
        "ICT en digitale toegankelijkheid",
        "72000000-5 72400000-4 72413000-8",
        "ict website websites webbureau software toegankelijk toegankelijke "
        "toegankelijkheid digitaal digitale digitaliseert digitaliseren archieven scannen",
    ),
    _category(
        "bouw-en-onderhoud",
        "Bouw en onderhoud",
        "45000000-7 45400000-1 45442100-8 50700000-2",
        "bouwbedrijf onderhoudsbedrijf klussen schilder schilderwerk timmerwerk renovatie "
        "houtwerkplaats",
    ),
    _category(
        "voeding-en-streekproducten",
        "Voeding en streekproducten",
        "15000000-8 15300000-1 15810000-9 15860000-4",
        "voeding streekproduct streekproducten bakkerij bakker bakkers brood broodfabriek "
        "koffiebranderij koffiebonen thee honing imkerij kaas kaasmakerij groentepakket "
        "tuinderij boerderijwinkel",
    ),
    _category(
        "verpakken-en-assemblage",
        "Verpakken en assemblage",
        "79921000-6",
        "verpakken verpakking verpakkingsindustrie inpakken assemblage montagebedrijf "
        "montagewerkplaats montagewerk orderpicking",
    ),
    _category(
        "wasserij",
        "Wasserij",
        "98310000-9 98311000-6 98312000-3",
        "wasserij strijken strijkservice stomerij linnen",
    ),
    _category(
        "detachering-en-inhuur",
        "Detachering en inhuur",
        "79610000-3 79620000-6",
        "detachering detacheren inhuur uitzenden uitzendbureau groepsdetachering",
    ),
    _category(
        "zorg-en-welzijn",
        "Zorg en welzijn",
        "85000000-9 85300000-2 85310000-5",
        "zorg welzijn dagbesteding zorgboerderij zorgkwekerij ggz thuiszorg",
    ),
)


@cache
def categories_by_slug() -> dict[str, Category]:
    """Every category by its slug, in list order."""
    return {category.slug: category for category in CATEGORIES}


def category_named(slug: str) -> Category | None:
    """The category with this slug, or None."""
    return categories_by_slug().get(slug)
