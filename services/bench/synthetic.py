"""Synthetic but realistic data: label events with distinct holdings, enterprise states.

Places are real municipalities of Overijssel and Gelderland (what the registry serves and
resolves from its bundled data); every holding has its own KvK number, website and name, so
no two merge and each founds an enterprise of its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseState, LabelHolding
from contracts.labels import LABELS, LabelGranted, LabelName, Observation
from contracts.supplements import BuyersContact, ListingSupplement

# (place, province, labour-market region), as in the registry's bundled reference data.
PLACES: tuple[tuple[str, str, str], ...] = (
    ("Enschede", "Overijssel", "Twente"),
    ("Hengelo", "Overijssel", "Twente"),
    ("Almelo", "Overijssel", "Twente"),
    ("Oldenzaal", "Overijssel", "Twente"),
    ("Haaksbergen", "Overijssel", "Twente"),
    ("Zwolle", "Overijssel", "Regio Zwolle"),
    ("Kampen", "Overijssel", "Regio Zwolle"),
    ("Hardenberg", "Overijssel", "Regio Zwolle"),
    ("Deventer", "Overijssel", "Stedendriehoek en Noordwest Veluwe"),
    ("Apeldoorn", "Gelderland", "Stedendriehoek en Noordwest Veluwe"),
    ("Zutphen", "Gelderland", "Stedendriehoek en Noordwest Veluwe"),
    ("Harderwijk", "Gelderland", "Stedendriehoek en Noordwest Veluwe"),
    ("Arnhem", "Gelderland", "Midden-Gelderland"),
    ("Zevenaar", "Gelderland", "Midden-Gelderland"),
    ("Nijmegen", "Gelderland", "Rijk van Nijmegen"),
    ("Wijchen", "Gelderland", "Rijk van Nijmegen"),
    ("Ede", "Gelderland", "Food Valley"),
    ("Wageningen", "Gelderland", "Food Valley"),
    ("Doetinchem", "Gelderland", "Achterhoek"),
    ("Winterswijk", "Gelderland", "Achterhoek"),
    ("Tiel", "Gelderland", "Rivierenland"),
    ("Culemborg", "Gelderland", "Rivierenland"),
)
# Each trade with the category the registry derives for it.
TRADE_CATEGORIES = {
    "Kringloop": "kringloop-en-hergebruik",
    "Catering": "catering",
    "Schoonmaak": "schoonmaak",
    "Groenonderhoud": "groenonderhoud",
    "Kerstpakketten": "relatiegeschenken-en-kerstpakketten",
    "Fietsenwerkplaats": "fietsen-en-mobiliteit",
    "Koffiebranderij": "voeding-en-streekproducten",
    "Drukkerij": "drukwerk-en-vormgeving",
    "Houtwerkplaats": "bouw-en-onderhoud",
    "Strijkservice": "wasserij",
}
TRADES = tuple(TRADE_CATEGORIES)
# Where the enterprises that completed their listing deliver (every fourth one).
DELIVERY_AREAS: tuple[tuple[str, ...], ...] = (
    ("heel Nederland",),
    ("Twente", "Regio Zwolle"),
    ("Arnhem", "Nijmegen", "Ede"),
)
THEMES = ("catering", "schoonmaak", "groen", "relatiegeschenken", "kerstpakketten")
_STATUS: dict[LabelName, tuple[str | None, str]] = {
    "pso": ("trede-2", "gecertificeerd"),
    "codeso": (None, "geregistreerd"),
    "senl": (None, "lid"),
    "cedris": (None, "leerwerkbedrijf"),
}
MOMENT = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def label_granted(run: str, index: int) -> LabelGranted:
    """The `index`-th new holding of benchmark run `run` (distinct from every other one)."""
    label = LABELS[index % len(LABELS)]
    holding_id = f"BENCH-{run}-{index:07d}"
    place, _, _ = PLACES[index % len(PLACES)]
    level, status = _STATUS[label]
    trade = TRADES[index % len(TRADES)]
    observation = Observation(
        label=label,
        holding_id=holding_id,
        name=f"{trade} {place} {run} {index}",
        place=place,
        kvk=(f"{(hash_number(run, index)):08d}",),
        website=f"https://{trade.lower()}-{run.lower()}-{index}.example/",
        level=level,
        status=status,
        valid_from=date(2025, 1, 6),
        valid_until=date(2028, 1, 6),
        counts=True,
        source_url=f"https://registry.example/{label}/{holding_id}",
        themes=(THEMES[index % len(THEMES)],),
    )
    event_id = deterministic_id("bench", label, holding_id, "granted")
    return LabelGranted(
        event_id=event_id, occurred_at=MOMENT, source="impactoost-bench", observation=observation
    )


def hash_number(run: str, index: int) -> int:
    """An 8-digit number derived from (run, index): distinct KvK numbers without a counter."""
    return int(deterministic_id("kvk", run, index)[:12], 16) % 100_000_000


def enterprise_state(index: int) -> EnterpriseState:
    """A listed enterprise for the gateway's read model: one to three counting labels, a
    derived category, and every fourth one a supplement of its own."""
    place, province, region = PLACES[index % len(PLACES)]
    trade = TRADES[(index // len(PLACES)) % len(TRADES)]
    labels = tuple(_holding(LABELS[(index + k) % len(LABELS)], index) for k in range(1 + index % 3))
    return EnterpriseState(
        enterprise_id=f"bench{index:011d}",
        version=1,
        name=f"{trade} {place} {index}",
        place=place,
        municipality=place,
        province=province,
        region=region,
        website=f"https://{trade.lower()}-{index}.example/",
        kvk=(f"{hash_number('state', index):08d}",),
        labels=labels,
        themes=(THEMES[index % len(THEMES)],),
        listed=True,
        listed_since=MOMENT - timedelta(days=index % 700),
        summary=f"{trade} met werkplekken voor mensen met een afstand tot de arbeidsmarkt.",
        categories=(TRADE_CATEGORIES[trade],),
        categories_chosen=index % 4 == 0,
        supplement=_supplement(index, trade) if index % 4 == 0 else None,
    )


def _supplement(index: int, trade: str) -> ListingSupplement:
    return ListingSupplement(
        description=f"{trade} voor bedrijven en overheden.\nVraag naar onze mogelijkheden.",
        categories=(TRADE_CATEGORIES[trade],),
        keywords=("social return", trade.lower()),
        delivery_areas=DELIVERY_AREAS[(index // 4) % len(DELIVERY_AREAS)],
        contact=BuyersContact(email=f"inkoop@{trade.lower()}-{index}.example"),
        updated_at=MOMENT,
    )


def _holding(label: LabelName, index: int) -> LabelHolding:
    level, status = _STATUS[label]
    return LabelHolding(
        label=label,
        holding_id=f"{label.upper()}-{index:07d}",
        level=level,
        status=status,
        valid_from=date(2025, 1, 6),
        valid_until=date(2028, 1, 6),
        counts=True,
        source_url=f"https://registry.example/{label}/{index}",
        last_verified_at=MOMENT,
    )
