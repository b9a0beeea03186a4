"""What the scraper publishes: each supported label's events and its runs' outcomes, and the
hotspots' news and agenda read from their feeds. Its
publisher refuses any other subject, and its AsyncAPI document lists exactly these."""

from __future__ import annotations

import functools

from contracts.agenda import AnyAgendaEvent
from contracts.base import Event
from contracts.labels import LabelChanged, LabelGranted, LabelLapsed
from contracts.news import AnyNewsEvent
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from contracts.subjects import (
    AGENDA_STREAM,
    ALL_AGENDA_EVENTS,
    ALL_NEWS_EVENTS,
    LABELS_STREAM,
    NEWS_STREAM,
    SCRAPES_STREAM,
    LabelKind,
    ScrapeKind,
    label_subject,
    scrape_subject,
)
from services.kit.publications import Publication
from services.scraper.sources import supported_labels

_LABEL_EVENTS: tuple[tuple[LabelKind, type[Event]], ...] = (
    ("granted", LabelGranted),
    ("changed", LabelChanged),
    ("lapsed", LabelLapsed),
)
_SCRAPE_EVENTS: tuple[tuple[ScrapeKind, type[Event]], ...] = (
    ("completed", ScrapeCompleted),
    ("failed", ScrapeFailed),
)


@functools.cache
def scraper_publications() -> tuple[Publication, ...]:
    """Every subject the scraper may publish to, with its schema."""
    labels = [
        Publication(
            label_subject(label, kind), model, LABELS_STREAM, f"to_labels_{label}_{kind}", ""
        )
        for label in supported_labels()
        for kind, model in _LABEL_EVENTS
    ]
    scrapes = [
        Publication(
            scrape_subject(label, kind), model, SCRAPES_STREAM, f"to_scrapes_{label}_{kind}", ""
        )
        for label in supported_labels()
        for kind, model in _SCRAPE_EVENTS
    ]
    feeds = [
        Publication(
            ALL_NEWS_EVENTS,
            AnyNewsEvent,
            NEWS_STREAM,
            "to_news",
            "A hotspot's news read from its feed: published, updated, withdrawn",
        ),
        Publication(
            ALL_AGENDA_EVENTS,
            AnyAgendaEvent,
            AGENDA_STREAM,
            "to_agenda",
            "A hotspot's agenda read from its feed: scheduled, changed, cancelled",
        ),
    ]
    return (*labels, *scrapes, *feeds)
