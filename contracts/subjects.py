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
EnterpriseKind = Literal["listed", "updated", "delisted", "recertification_due"]


class StreamSpec(Frozen):
    """A JetStream stream, declared once and created idempotently at start-up."""

    name: str
    subjects: tuple[str, ...]
    retention: Literal["limits", "interest", "workqueue"] = "limits"
    storage: Literal["file", "memory"] = "file"
    duplicate_window_seconds: float = Field(default=120.0, gt=0)
    max_age_days: float | None = None
    replicas: int = Field(default=1, ge=1, le=5)


LABELS_STREAM = StreamSpec(name="LABELS", subjects=(f"{PREFIX}.labels.>",))
SCRAPES_STREAM = StreamSpec(name="SCRAPES", subjects=(f"{PREFIX}.scrapes.>",), max_age_days=90)
ENTERPRISES_STREAM = StreamSpec(name="ENTERPRISES", subjects=(f"{PREFIX}.enterprises.>",))
STREAMS: tuple[StreamSpec, ...] = (LABELS_STREAM, SCRAPES_STREAM, ENTERPRISES_STREAM)


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


ALL_LABEL_EVENTS = f"{PREFIX}.labels.*.*"
ALL_SCRAPE_EVENTS = f"{PREFIX}.scrapes.*.*"
ALL_ENTERPRISE_EVENTS = f"{PREFIX}.enterprises.*.*.*"
