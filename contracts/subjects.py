"""Subject and stream names, and the stream definitions every deployment creates.

Subjects run broad to narrow and carry the version, so another region can subscribe to
``impact.v1.enterprises.gelderland.>`` and ignore the rest.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import Field

from contracts.base import Frozen
from contracts.labels import LabelName

PREFIX = "impact.v1"
UNKNOWN = "onbekend"

LabelKind = Literal["granted", "changed", "lapsed"]
ScrapeKind = Literal["completed", "failed"]
EnterpriseKind = Literal[
    "listed", "updated", "delisted", "recertification_due", "supplement_hidden"
]
SignInKind = Literal["requested", "granted", "link_issued", "editor_granted", "editor_link_issued"]
PreferenceKind = Literal["mail"]
AlertKind = Literal["confirmation_requested", "digest_ready"]
NewsKind = Literal["published", "updated", "withdrawn"]
AgendaKind = Literal["scheduled", "changed", "cancelled"]

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


class StreamSpec(Frozen):
    """A JetStream stream, declared once and created idempotently at start-up."""

    name: str
    subjects: tuple[str, ...]
    retention: Literal["limits", "interest", "workqueue"] = "limits"
    storage: Literal["file", "memory"] = "file"
    duplicate_window_seconds: float = Field(default=120.0, gt=0)
    max_age_days: float | None = None
    max_msgs_per_subject: int | None = Field(
        default=None, ge=1, description="Keep only the newest messages of each subject"
    )
    max_msgs: int | None = Field(default=None, ge=1, description="Messages kept at most")
    max_bytes: int | None = Field(default=None, ge=1, description="Bytes kept at most")
    max_msg_size: int | None = Field(
        default=None, ge=1, description="A larger message (body and headers) is refused"
    )
    discard: Literal["old", "new"] = Field(
        default="old",
        description="At a limit: `old` drops the oldest messages, `new` refuses the publish",
    )
    replicas: int = Field(default=1, ge=1, le=5)


# Every stream has an age, a size and a message-size limit fitting its role, so nothing grows
# without bound and no consumer is handed an absurd message. nats-server reserves a stream's
# max_bytes in its store at creation and refuses a stream that does not fit, so the caps
# together stay near 3 GiB: far below a deployed node's 10 GB, and a demo on a laptop starts.
#
# History is kept for a little over a year (a label's yearly renewal and a backup cycle):
# the registry reads LABELS as it comes; a new gateway or subscriber starts from the present,
# ENTERPRISE_STATES, which keeps every enterprise's latest event without an age limit. The
# size caps hold years of a big region (an event is a few kB); past them the oldest goes.
HISTORY_DAYS = 400
LABELS_STREAM = StreamSpec(
    name="LABELS",
    subjects=(f"{PREFIX}.labels.>",),
    max_age_days=HISTORY_DAYS,
    max_bytes=1 * GIB,
    max_msgs=2_000_000,
    max_msg_size=256 * KIB,  # two observations of capped fields are a few kB
)
SCRAPES_STREAM = StreamSpec(
    name="SCRAPES",
    subjects=(f"{PREFIX}.scrapes.>",),
    max_age_days=90,
    max_bytes=64 * MIB,
    max_msgs=100_000,
    max_msg_size=64 * KIB,
)
ENTERPRISES_STREAM = StreamSpec(
    name="ENTERPRISES",
    subjects=(f"{PREFIX}.enterprises.>",),
    max_age_days=HISTORY_DAYS,
    max_bytes=1 * GIB,
    max_msgs=2_000_000,
    max_msg_size=1 * MIB,  # an enterprise's whole state: the server's max_payload at most
)
# The present of ENTERPRISES: one subject per enterprise, holding only its latest event.
# Full, it refuses a new enterprise (the registry's relay shows the backlog) rather than
# silently dropping the oldest enterprise from the present; a newer event of one it holds
# still replaces the old one.
ENTERPRISE_STATES_STREAM = StreamSpec(
    name="ENTERPRISE_STATES",
    subjects=(f"{PREFIX}.states.>",),
    max_msgs_per_subject=1,
    max_bytes=512 * MIB,
    max_msgs=500_000,
    max_msg_size=1 * MIB,
    discard="new",
)
# Requests between services, small and short-lived: a flood is refused at the publisher
# (discard new) instead of pushing out requests not yet handled.
# Supplements and sign-ins name people's addresses: kept no longer than their use needs.
SUPPLEMENTS_STREAM = StreamSpec(
    name="SUPPLEMENTS",
    subjects=(f"{PREFIX}.supplements.>",),
    max_age_days=30,
    max_bytes=64 * MIB,
    max_msgs=100_000,
    max_msg_size=64 * KIB,
    discard="new",
)
SIGNINS_STREAM = StreamSpec(
    name="SIGNINS",
    subjects=(f"{PREFIX}.signin.>",),
    max_age_days=1,
    max_bytes=16 * MIB,
    max_msgs=100_000,
    max_msg_size=16 * KIB,
    discard="new",
)
# Mail preferences: the gateway publishes a choice, the notifier records it within seconds.
PREFERENCES_STREAM = StreamSpec(
    name="PREFERENCES",
    subjects=(f"{PREFIX}.preferences.>",),
    max_age_days=7,
    max_bytes=16 * MIB,
    max_msgs=100_000,
    max_msg_size=16 * KIB,
    discard="new",
)
# Alert mails name buyers' addresses and carry their links: kept a few days, enough for the
# notifier to outlast a mail server's outage, and not for regional subscribers.
ALERTS_STREAM = StreamSpec(
    name="ALERTS",
    subjects=(f"{PREFIX}.alerts.>",),
    max_age_days=3,
    max_bytes=64 * MIB,
    max_msgs=100_000,
    max_msg_size=256 * KIB,  # a digest lists at most 50 enterprises
    discard="new",
)
# Hotspots' news and agenda, for our pages and for any region that follows them. Items are a
# few kB; a year of a busy region's hotspots is far below these caps, and the oldest go first.
NEWS_STREAM = StreamSpec(
    name="NEWS",
    subjects=(f"{PREFIX}.news.>",),
    max_age_days=HISTORY_DAYS,
    max_bytes=16 * MIB,
    max_msgs=50_000,
    max_msg_size=64 * KIB,  # one item: its HTML is capped at 20,000 characters
)
AGENDA_STREAM = StreamSpec(
    name="AGENDA",
    subjects=(f"{PREFIX}.agenda.>",),
    max_age_days=HISTORY_DAYS,
    max_bytes=16 * MIB,
    max_msgs=50_000,
    max_msg_size=64 * KIB,
)
# Dead letters: messages a consumer gave up on (or an event the registry could not publish),
# with why, for the operator (`impactoost dlq`). Outside `impact.v1`: never for subscribers,
# and they may name people's addresses, so they are kept a month. A dead letter carries any
# stream's message, so its size is only the server's max_payload; a flood of them pushes out
# the oldest rather than stop a consumer from giving up on a message.
DEAD_LETTER_PREFIX = "impactoost.deadletters"
DEADLETTERS_STREAM = StreamSpec(
    name="DEADLETTERS",
    subjects=(f"{DEAD_LETTER_PREFIX}.>",),
    max_age_days=30,
    max_bytes=256 * MIB,
    max_msgs=100_000,
)
# Health requests (core NATS, no stream): each service answers on its own subject.
HEALTH_PREFIX = "impactoost.health"
STREAMS: tuple[StreamSpec, ...] = (
    LABELS_STREAM,
    SCRAPES_STREAM,
    ENTERPRISES_STREAM,
    ENTERPRISE_STATES_STREAM,
    SUPPLEMENTS_STREAM,
    SIGNINS_STREAM,
    PREFERENCES_STREAM,
    ALERTS_STREAM,
    NEWS_STREAM,
    AGENDA_STREAM,
    DEADLETTERS_STREAM,
)


def slug(text: str | None) -> str:
    """A subject token: lower-case ASCII, dashes for anything else; `onbekend` when empty."""
    if not text:
        return UNKNOWN
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    token = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return token or UNKNOWN


def label_subject(label: LabelName, kind: LabelKind) -> str:
    """`impact.v1.labels.<label>.<kind>`."""
    return f"{PREFIX}.labels.{label}.{kind}"


def scrape_subject(label: LabelName, kind: ScrapeKind) -> str:
    """`impact.v1.scrapes.<label>.<kind>`."""
    return f"{PREFIX}.scrapes.{label}.{kind}"


def enterprise_subject(province: str | None, region: str | None, kind: EnterpriseKind) -> str:
    """`impact.v1.enterprises.<province>.<region>.<kind>`, `onbekend` where not known."""
    return f"{PREFIX}.enterprises.{slug(province)}.{slug(region)}.{kind}"


def state_subject(province: str | None, region: str | None, enterprise_id: str) -> str:
    """`impact.v1.states.<province>.<region>.<enterprise_id>`: where an enterprise's latest
    event is kept, `onbekend` where the place is not known."""
    token = slug(enterprise_id)
    if token != enterprise_id:
        raise ValueError(f"an enterprise id is a subject token, not {enterprise_id!r}")
    return f"{PREFIX}.states.{slug(province)}.{slug(region)}.{token}"


def supplement_subject() -> str:
    """`impact.v1.supplements.submitted`."""
    return f"{PREFIX}.supplements.submitted"


def signin_subject(kind: SignInKind) -> str:
    """`impact.v1.signin.<kind>`."""
    return f"{PREFIX}.signin.{kind}"


def preference_subject(kind: PreferenceKind) -> str:
    """`impact.v1.preferences.<kind>`."""
    return f"{PREFIX}.preferences.{kind}"


def alert_subject(kind: AlertKind) -> str:
    """`impact.v1.alerts.<kind>`."""
    return f"{PREFIX}.alerts.{kind}"


def news_subject(hotspot: str, kind: NewsKind) -> str:
    """`impact.v1.news.<hotspot>.<kind>`."""
    return f"{PREFIX}.news.{_hotspot_token(hotspot)}.{kind}"


def agenda_subject(hotspot: str, kind: AgendaKind) -> str:
    """`impact.v1.agenda.<hotspot>.<kind>`."""
    return f"{PREFIX}.agenda.{_hotspot_token(hotspot)}.{kind}"


def _hotspot_token(hotspot: str) -> str:
    if slug(hotspot) != hotspot:
        raise ValueError(f"a hotspot is named by its slug, not {hotspot!r}")
    return hotspot


# Core NATS requests (not streamed): answered at once by whoever listens, or by nobody.
COMMANDS_PREFIX = f"{PREFIX}.commands"
SCRAPE_COMMANDS = f"{COMMANDS_PREFIX}.scrape"
"""On-demand scrapes, body `{"label": "pso"}`, answered by the scraper with the run's summary."""
DEMO_COMMANDS = f"{COMMANDS_PREFIX}.demo.>"
"""Requests to running demos; each demo answers on its own `demo_command_subject`."""


def demo_command_subject(instance: str) -> str:
    """`impact.v1.commands.demo.<instance>.advance`: where one running demo takes its next step."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", instance):
        raise ValueError(f"not a subject token: {instance!r}")
    return f"{COMMANDS_PREFIX}.demo.{instance}.advance"


def dead_letter_subject(service: str, consumer: str) -> str:
    """`impactoost.deadletters.<service>.<consumer>`: where `service` puts what its durable
    (or its outbox relay, consumer `outbox`) gave up on."""
    for token in (service, consumer):
        if not re.fullmatch(r"[A-Za-z0-9_-]+", token):
            raise ValueError(f"not a subject token: {token!r}")
    return f"{DEAD_LETTER_PREFIX}.{service}.{consumer}"


def health_subject(service: str) -> str:
    """`impactoost.health.<service>`: a core NATS request there is answered with the
    service's health report (services/kit/health.py). Outside `impact.v1`, like the dead
    letters: operational, never for subscribers."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", service):
        raise ValueError(f"not a subject token: {service!r}")
    return f"{HEALTH_PREFIX}.{service}"


def stream_of(subject: str) -> StreamSpec:
    """The stream that holds `subject`."""
    for spec in STREAMS:
        if any(subject.startswith(pattern.removesuffix(">")) for pattern in spec.subjects):
            return spec
    raise ValueError(f"no stream holds {subject}")


ALL_LABEL_EVENTS = f"{PREFIX}.labels.*.*"
ALL_SCRAPE_EVENTS = f"{PREFIX}.scrapes.*.*"
ALL_ENTERPRISE_EVENTS = f"{PREFIX}.enterprises.*.*.*"
ALL_ENTERPRISE_STATES = f"{PREFIX}.states.*.*.*"
ALL_NEWS_EVENTS = f"{PREFIX}.news.*.*"
ALL_AGENDA_EVENTS = f"{PREFIX}.agenda.*.*"
