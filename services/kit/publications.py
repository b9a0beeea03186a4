"""What a service publishes, declared once: its publisher refuses any other subject, and its
AsyncAPI document lists exactly these (services/kit/asyncapi.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.subjects import StreamSpec


class UndeclaredSubject(ValueError):
    """A publish to a subject the service did not declare: a bug, refused before it goes out."""


@dataclass(frozen=True)
class Publication:
    """Subjects a service publishes to (NATS wildcards allowed), with the events' schema."""

    subject: str
    schema: Any
    stream: StreamSpec
    title: str
    description: str

    def covers(self, subject: str) -> bool:
        """Whether the concrete `subject` is one of these."""
        return subject_matches(self.subject, subject)


def check_declared(publications: Sequence[Publication], subject: str) -> None:
    """Raise UndeclaredSubject unless one of `publications` covers `subject`."""
    if not any(p.covers(subject) for p in publications):
        raise UndeclaredSubject(f"{subject} is not among this service's publications")


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` is one token, a final `>` one or more."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for i, part in enumerate(wanted):
        if part == ">":
            return i == len(wanted) - 1 and len(tokens) > i
        if i >= len(tokens) or part not in ("*", tokens[i]):
            return False
    return len(tokens) == len(wanted)
