"""Who may do what on NATS: one user per service in the platform's account, each allowed only
the subjects it publishes, the JetStream API calls its own streams and durables need, and
replies under its own inbox prefix.

This table is the one definition: the demo's and the tests' servers, `impactoost nats
accounts` and the deployment's accounts file are all rendered from it (nats_config.py).
No user may delete or purge a stream: nothing grants `$JS.API.STREAM.DELETE` or `PURGE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.subjects import (
    AGENDA_STREAM,
    ALERTS_STREAM,
    DEAD_LETTER_PREFIX,
    DEADLETTERS_STREAM,
    DEMO_COMMANDS,
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
    HEALTH_PREFIX,
    LABELS_STREAM,
    NEWS_STREAM,
    PREFERENCES_STREAM,
    PREFIX,
    SCRAPE_COMMANDS,
    SCRAPES_STREAM,
    SIGNINS_STREAM,
    SUPPLEMENTS_STREAM,
    health_subject,
    preference_subject,
    signin_subject,
    supplement_subject,
)

PLATFORM_ACCOUNT = "IMPACT"
ADMIN = "admin"
"""The operator's user: sets regions up and repairs (nats_config.admin_permissions)."""

# Durable consumers, `<service>-<purpose>`: named here so the permissions grant exactly them.
REGISTRY_LABELS = "registry-labels"
REGISTRY_SUPPLEMENTS = "registry-supplements"
REGISTRY_SIGNINS = "registry-signins"
NOTIFIER_MAIL = "notifier-mail"
NOTIFIER_SIGNINS = "notifier-signins"
NOTIFIER_EDITOR_SIGNINS = "notifier-editor-signins"
"""Mails the links of hotspot editors the gateway granted."""
NOTIFIER_PREFERENCES = "notifier-preferences"
NOTIFIER_ALERTS = "notifier-alerts"
NOTIFIER_DEADLETTERS = "notifier-deadletters"
"""Reads the dead letters for the operator's e-mail digest."""
SCRAPER_BUCKET = "scraper-state"
"""The scraper's key-value bucket (its stream is `KV_scraper-state`)."""
ANY_HEALTH = f"{HEALTH_PREFIX}.*"
"""Every service's health subject: the gateway and the operator ask there."""
ANY_DURABLE = "*"
"""A service whose durable names are settings (the gateway's) gets any name on its streams,
except the other services' durables, which stay denied to it."""


@dataclass(frozen=True)
class Durable:
    """A durable consumer a user owns on a stream."""

    stream: str
    name: str


@dataclass(frozen=True)
class ServiceUser:
    """A NATS user and what it is allowed."""

    name: str
    publishes: tuple[str, ...] = ()
    subscribes: tuple[str, ...] = ()
    owns: tuple[str, ...] = ()
    """Streams it brings to the declared configuration (create and update)."""
    reads: tuple[str, ...] = ()
    """Streams it reads or publishes to; it may create them when missing, never update."""
    durables: tuple[Durable, ...] = ()
    deletes_durables: bool = False
    answers_requests: bool = False
    """Whether it may reply to requests sent to it (core NATS request/reply)."""
    key_values: tuple[str, ...] = ()

    @property
    def inbox_prefix(self) -> str:
        """The only inbox it may subscribe to."""
        return f"_INBOX_{self.name}"


SCRAPER = ServiceUser(
    name="scraper",
    publishes=(
        f"{PREFIX}.labels.>",
        f"{PREFIX}.scrapes.>",
        f"{PREFIX}.news.>",
        f"{PREFIX}.agenda.>",
        f"{DEAD_LETTER_PREFIX}.scraper.>",
    ),
    subscribes=(SCRAPE_COMMANDS, health_subject("scraper")),
    owns=(LABELS_STREAM.name, SCRAPES_STREAM.name, NEWS_STREAM.name, AGENDA_STREAM.name),
    reads=(DEADLETTERS_STREAM.name,),
    answers_requests=True,
    key_values=(SCRAPER_BUCKET,),
)
REGISTRY = ServiceUser(
    name="registry",
    publishes=(
        f"{PREFIX}.enterprises.>",
        f"{PREFIX}.states.>",
        signin_subject("granted"),
        f"{DEAD_LETTER_PREFIX}.registry.>",
    ),
    subscribes=(health_subject("registry"),),
    answers_requests=True,
    owns=(ENTERPRISES_STREAM.name, ENTERPRISE_STATES_STREAM.name, DEADLETTERS_STREAM.name),
    reads=(LABELS_STREAM.name, SUPPLEMENTS_STREAM.name, SIGNINS_STREAM.name),
    durables=(
        Durable(LABELS_STREAM.name, REGISTRY_LABELS),
        Durable(SUPPLEMENTS_STREAM.name, REGISTRY_SUPPLEMENTS),
        Durable(SIGNINS_STREAM.name, REGISTRY_SIGNINS),
    ),
)
NOTIFIER = ServiceUser(
    name="notifier",
    publishes=(
        signin_subject("link_issued"),
        signin_subject("editor_link_issued"),
        f"{DEAD_LETTER_PREFIX}.notifier.>",
    ),
    subscribes=(health_subject("notifier"),),
    answers_requests=True,
    reads=(
        ENTERPRISES_STREAM.name,
        SIGNINS_STREAM.name,
        PREFERENCES_STREAM.name,
        ALERTS_STREAM.name,
        DEADLETTERS_STREAM.name,
    ),
    durables=(
        Durable(ENTERPRISES_STREAM.name, NOTIFIER_MAIL),
        Durable(SIGNINS_STREAM.name, NOTIFIER_SIGNINS),
        Durable(SIGNINS_STREAM.name, NOTIFIER_EDITOR_SIGNINS),
        Durable(PREFERENCES_STREAM.name, NOTIFIER_PREFERENCES),
        Durable(ALERTS_STREAM.name, NOTIFIER_ALERTS),
        Durable(DEADLETTERS_STREAM.name, NOTIFIER_DEADLETTERS),
    ),
)
GATEWAY = ServiceUser(
    name="gateway",
    publishes=(
        signin_subject("requested"),
        # The gateway decides editors' sign-ins itself: it holds the operator's hotspots file.
        signin_subject("editor_granted"),
        supplement_subject(),
        preference_subject("mail"),
        f"{PREFIX}.alerts.>",
        # Items the hotspots' editors enter by hand (their hotspots are the operator's file).
        f"{PREFIX}.news.>",
        f"{PREFIX}.agenda.>",
        f"{DEAD_LETTER_PREFIX}.gateway.>",
        ANY_HEALTH,
    ),
    subscribes=(health_subject("gateway"),),
    answers_requests=True,
    owns=(
        SUPPLEMENTS_STREAM.name,
        SIGNINS_STREAM.name,
        PREFERENCES_STREAM.name,
        ALERTS_STREAM.name,
    ),
    reads=(
        ENTERPRISES_STREAM.name,
        ENTERPRISE_STATES_STREAM.name,
        SCRAPES_STREAM.name,
        NEWS_STREAM.name,
        AGENDA_STREAM.name,
        DEADLETTERS_STREAM.name,
    ),
    durables=tuple(
        Durable(stream, ANY_DURABLE)
        for stream in (
            ENTERPRISES_STREAM.name,
            ENTERPRISE_STATES_STREAM.name,
            SCRAPES_STREAM.name,
            SIGNINS_STREAM.name,
            NEWS_STREAM.name,
            AGENDA_STREAM.name,
        )
    ),
    deletes_durables=True,
)
SERVICE_USERS: tuple[ServiceUser, ...] = (SCRAPER, REGISTRY, NOTIFIER, GATEWAY)
DEMO = ServiceUser(
    name="demo",
    publishes=(SCRAPE_COMMANDS, DEMO_COMMANDS, supplement_subject()),
    subscribes=(DEMO_COMMANDS,),
    reads=(SUPPLEMENTS_STREAM.name,),
    answers_requests=True,
)
"""The demo's director and seeder (they stand in for registries and enterprises), and the
`impactoost demo` and `scrape` commands run beside it; never part of a deployment."""
