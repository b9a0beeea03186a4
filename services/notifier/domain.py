"""Pure rules: how labels, dates and changes read in Dutch, and how contacts are matched."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urlsplit

from contracts.enterprises import EnterpriseState, LabelHolding
from contracts.labels import LabelName
from services.kit.dutch import LOCAL, long_date

LABEL_DISPLAY_NAMES: dict[LabelName, str] = {
    "pso": "PSO (Prestatieladder Socialer Ondernemen)",
    "codeso": "Code Sociale Ondernemingen",
    "senl": "Social Enterprise NL",
    "cedris": "Cedris leerwerkbedrijf",
}


_LEVEL_NAMES = {"boost": "BOOST"}

# Keys of EnterpriseUpdated.changes, in the order a reader expects them.
_CHANGE_PHRASES = {
    "labels": "de labels waarmee u zichtbaar bent",
    "level": "het niveau van uw label",
    "validity": "de geldigheid van uw label",
    "valid_from": "de geldigheid van uw label",
    "valid_until": "de geldigheid van uw label",
    "status": "de status van uw label",
    "name": "uw naam",
    "place": "uw vestigingsplaats",
    "website": "uw website",
    "kvk": "uw KvK-nummer(s)",
    "themes": "uw thema's",
}
_OTHER_CHANGES = "overige gegevens van uw vermelding"
GRACE_MARK = "„hercertificering loopt”"

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class LabelLine:
    """One label as a mail shows it."""

    name: str
    level: str | None
    validity: str


def dutch_date(day: date) -> str:
    """`12 maart 2026`."""
    return long_date(day)


def label_name(label: LabelName) -> str:
    """The display name of a label."""
    return LABEL_DISPLAY_NAMES[label]


def level_name(holding: LabelHolding) -> str | None:
    """A normalised level (`trede-3`) as people write it (`Trede 3`), with the PSO 30+ mark."""
    if not holding.level:
        return "PSO 30+" if holding.pso30plus else None
    text = _LEVEL_NAMES.get(holding.level) or holding.level.replace("-", " ").capitalize()
    return f"{text}, PSO 30+" if holding.pso30plus else text


def validity(valid_from: date | None, valid_until: date | None) -> str:
    """The validity period in words; `tot en met` because the last day still counts."""
    if valid_from and valid_until:
        return f"geldig van {dutch_date(valid_from)} tot en met {dutch_date(valid_until)}"
    if valid_until:
        return f"geldig tot en met {dutch_date(valid_until)}"
    if valid_from:
        return f"geldig vanaf {dutch_date(valid_from)}"
    return "geen einddatum bekend"


def holding_validity(holding: LabelHolding) -> str:
    """The validity period, plus until when a lapsed label still counts (grace period)."""
    text = validity(holding.valid_from, holding.valid_until)
    if holding.grace_until:
        return f"{text}; hercertificering loopt tot en met {dutch_date(holding.grace_until)}"
    return text


def counting_holdings(state: EnterpriseState) -> list[LabelHolding]:
    """The holdings that make the enterprise visible (those that count), in display order."""
    return sorted(
        (h for h in state.labels if h.counts),
        key=lambda h: (list(LABEL_DISPLAY_NAMES).index(h.label), h.holding_id),
    )


def visible_labels(state: EnterpriseState) -> tuple[LabelLine, ...]:
    """The labels that make the enterprise visible, as the mails show them."""
    return tuple(
        LabelLine(label_name(h.label), level_name(h), holding_validity(h))
        for h in counting_holdings(state)
    )


def describe_changes(changes: tuple[str, ...], state: EnterpriseState) -> tuple[str, ...]:
    """What changed in `state`, in Dutch, each phrase once; unknown keys read as `overige
    gegevens`."""
    phrases = [
        grace_phrase(state) if key == "grace_until" else _CHANGE_PHRASES.get(key, _OTHER_CHANGES)
        for key in changes
    ]
    return tuple(dict.fromkeys(phrases)) or (_OTHER_CHANGES,)


def grace_phrase(state: EnterpriseState) -> str:
    """How a started or ended grace period reads: until when the listing stays, or that the
    mark is gone (a label counts again)."""
    if state.grace_until is None:
        return f"uw vermelding toont niet langer {GRACE_MARK}"
    lapsed = [label_name(h.label) for h in counting_holdings(state) if h.grace_until]
    which = f"uw label {lapsed[0]} is" if len(lapsed) == 1 else "uw labels zijn"
    return (
        f"{which} vervallen; uw vermelding blijft zichtbaar als {GRACE_MARK} "
        f"tot en met {dutch_date(state.grace_until)}"
    )


def days_left(valid_until: date, at: datetime) -> int:
    """Whole days from `at` (its Dutch date) to a label's last valid day; never negative."""
    return max(0, (valid_until - at.astimezone(LOCAL).date()).days)


def days_left_text(days: int) -> str:
    """`nog 30 dagen`, `nog 1 dag`, `alleen vandaag nog`."""
    if days <= 0:
        return "alleen vandaag nog"
    return "nog 1 dag" if days == 1 else f"nog {days} dagen"


def listing_url(base_url: str, enterprise_id: str) -> str:
    """The enterprise's page on the public site."""
    return f"{base_url.rstrip('/')}/ondernemingen/{quote(enterprise_id, safe='')}"


def message_id(event_id: str) -> str:
    """A Message-ID derived only from the event, so a re-sent mail is recognisably the same."""
    if _SAFE_ID.match(event_id):
        return f"<{event_id}@impactoost>"
    return f"<{hashlib.sha256(event_id.encode()).hexdigest()[:32]}@impactoost>"


def normalise_kvk(text: str) -> str | None:
    """Digits only, zero-padded to 8 (spreadsheets drop leading zeros); None if not a KvK."""
    digits = re.sub(r"[\s.]", "", text)
    if not digits.isdigit() or len(digits) > 8:
        return None
    return digits.zfill(8)


def normalise_website(text: str) -> str | None:
    """`https://host/`: lower-case host, no `www.`, no port or path; None without a host."""
    text = text.strip()
    if not text:
        return None
    host = urlsplit(text if "://" in text else f"https://{text}").hostname
    if not host:
        return None
    return f"https://{host.removeprefix('www.')}/"
