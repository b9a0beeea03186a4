"""Pure rules: how labels, dates and changes read in Dutch, and which changes are mailed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote, urlencode

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseState,
    EnterpriseUpdated,
    LabelHolding,
)
from contracts.labels import LABEL_FULL_NAMES, LABELS, LabelName
from contracts.signin import (
    LINK_MINUTES,
    EditorLinkIssued,
    EditorSignInGranted,
    SignInGranted,
    SignInLinkIssued,
)
from contracts.supplements import SupplementField
from services.kit.dutch import LOCAL, long_date

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
    "summary": "de beschrijving uit het register van uw label",
    "categories": "uw categorieën",
    "categories_chosen": "uw categorieën",
    "supplement": "de gegevens die u zelf heeft aangevuld",
}
# Changes the enterprise made itself, or that only follow from what a register describes:
# telling the enterprise about these alone would be noise (it just did them, or they are
# not about its labels). They are still named when a mailed change comes with them.
QUIET_CHANGES = frozenset({"supplement", "categories", "categories_chosen", "summary"})
SUPPLEMENT_FIELD_NAMES: dict[SupplementField, str] = {
    "description": "omschrijving",
    "categories": "categorieën",
    "keywords": "trefwoorden",
    "delivery_areas": "levergebied",
    "contact": "contactpersoon voor inkopers",
    "website": "website",
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
    return LABEL_FULL_NAMES[label]


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
        key=lambda h: (LABELS.index(h.label), h.holding_id),
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
    return max(0, (valid_until - local_date(at)).days)


def local_date(at: datetime) -> date:
    """The Dutch date at `at`; at the calendar's very ends (year 1 or 9999, which the
    contracts allow) where local time would overflow, the UTC date, at most a day off."""
    try:
        return at.astimezone(LOCAL).date()
    except OverflowError:
        return at.date()


def days_left_text(days: int) -> str:
    """`nog 30 dagen`, `nog 1 dag`, `alleen vandaag nog`."""
    if days <= 0:
        return "alleen vandaag nog"
    return "nog 1 dag" if days == 1 else f"nog {days} dagen"


def listing_url(base_url: str, enterprise_id: str) -> str:
    """The enterprise's page on the public site."""
    return f"{base_url.rstrip('/')}/ondernemingen/{quote(enterprise_id, safe='')}"


def message_id(event_id: str, domain: str) -> str:
    """A Message-ID on the platform's own `domain`, derived only from the event, so a re-sent
    mail is recognisably the same."""
    if _SAFE_ID.match(event_id):
        return f"<{event_id}@{domain}>"
    return f"<{hashlib.sha256(event_id.encode()).hexdigest()[:32]}@{domain}>"


def is_mailed(event: EnterpriseEvent) -> bool:
    """Whether the enterprise hears of this event: not of an update that only touches its
    own supplement, its categories or a register's description, nor of a move to another
    province or region (it keeps its listing)."""
    if isinstance(event, EnterpriseUpdated):
        return not (event.changes and set(event.changes) <= QUIET_CHANGES)
    return not is_move(event)


def is_move(event: EnterpriseEvent) -> bool:
    """Whether the event is half of a move: the delisting under the old subject, or the
    listing under the new one (which keeps the `listed_since` of the listing it continues)."""
    if isinstance(event, EnterpriseDelisted):
        return event.reason == "moved"
    if isinstance(event, EnterpriseListed):
        since = event.enterprise.listed_since
        return since is not None and since < event.occurred_at
    return False


def hidden_field_names(fields: tuple[SupplementField, ...]) -> tuple[str, ...]:
    """The hidden supplement fields, in Dutch, in the order the edit form shows them."""
    return tuple(SUPPLEMENT_FIELD_NAMES[f] for f in SUPPLEMENT_FIELD_NAMES if f in fields)


def supplement_url(base_url: str, enterprise_id: str) -> str:
    """Where the enterprise asks for a sign-in link to change what it added."""
    return f"{listing_url(base_url, enterprise_id)}/aanvullen"


def signin_url(base_url: str, token: str) -> str:
    """The link in a sign-in mail; the gateway asks for a confirming click before using it."""
    return f"{base_url.rstrip('/')}/aanvullen/inloggen?{urlencode({'token': token})}"


def preferences_url(base_url: str, token: str) -> str:
    """The page where an enterprise stops or restarts its non-essential mails (the gateway's),
    also the target of the RFC 8058 one-click unsubscribe."""
    return f"{base_url.rstrip('/')}/berichten/{quote(token, safe='')}"


def link_issued(
    granted: SignInGranted, hashed: str, now: datetime, source: str
) -> SignInLinkIssued:
    """The fact that a link with this hash goes to the granted address, valid from `now`.

    Its id follows from the grant and the hash: a publish retried for the same link is one
    message, while the new link a retried grant gets is a new one (not a duplicate that
    JetStream's window would drop, leaving the gateway without the hash of the mailed link).
    """
    return SignInLinkIssued(
        event_id=deterministic_id(granted.event_id, "link_issued", hashed),
        occurred_at=now,
        source=source,
        enterprise_id=granted.enterprise_id,
        email=granted.email,
        token_hash=hashed,
        expires_at=now + timedelta(minutes=LINK_MINUTES),
    )


def editor_signin_url(base_url: str, token: str) -> str:
    """The link in a hotspot editor's sign-in mail; the gateway asks for a confirming click."""
    return f"{base_url.rstrip('/')}/redactie/inloggen?{urlencode({'token': token})}"


def editor_link_issued(
    granted: EditorSignInGranted, hashed: str, now: datetime, source: str
) -> EditorLinkIssued:
    """The fact that an editor's link with this hash goes to the granted address (its id
    follows from the grant and the hash, as `link_issued`'s does)."""
    return EditorLinkIssued(
        event_id=deterministic_id(granted.event_id, "editor_link_issued", hashed),
        occurred_at=now,
        source=source,
        hotspot=granted.hotspot,
        email=granted.email,
        token_hash=hashed,
        expires_at=now + timedelta(minutes=LINK_MINUTES),
    )


def buyers_contact(state: EnterpriseState) -> str | None:
    """The e-mail address the enterprise itself gave for buyers, while buyers see it: where
    its mail goes when the operator's contacts file has no address for it."""
    contact = state.supplement.contact if state.supplement else None
    return contact.email if contact else None
