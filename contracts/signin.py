"""Passwordless sign-in of an enterprise that completes its own listing.

The gateway asks (`SignInRequested`), the registry decides whether the address is trusted for
that enterprise, or files a claim an operator decides (`SignInGranted` either way once
allowed), the notifier mails a single-use link and tells the gateway only its hash
(`SignInLinkIssued`). No event carries a usable link. These events name people's addresses:
their stream keeps them one day, and they are not for regional subscribers.

A hotspot's editors sign in the same way, except that the gateway decides: it holds the
operator's list of editors (`EditorSignInGranted`), and the notifier answers with the hash of
the link it mailed (`EditorLinkIssued`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from contracts.base import Event
from contracts.hotspots import HOTSPOT_SLUG
from contracts.supplements import normalise_email

LINK_MINUTES = 30
"""How long a sign-in link stays valid."""


def token_hash(token: str) -> str:
    """How a sign-in link's secret is stored and compared: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class _AboutAddress(Event):
    enterprise_id: str = Field(min_length=1, max_length=64)
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class SignInRequested(_AboutAddress):
    """Someone asked for a sign-in link for this enterprise at this address."""

    kind: Literal["requested"] = "requested"


class SignInGranted(_AboutAddress):
    """The registry trusts the address for the enterprise: mail it a link. `trusted_by`
    says why: the operator's contacts file, the domain of the website a label registry
    publishes, or an operator who approved a claim."""

    kind: Literal["granted"] = "granted"
    enterprise_name: str
    trusted_by: Literal["contacts_file", "website_domain", "operator"]
    request_event_id: str


class SignInLinkIssued(_AboutAddress):
    """A link was mailed; only the hash of its secret travels."""

    kind: Literal["link_issued"] = "link_issued"
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    expires_at: datetime


class _AboutEditor(Event):
    hotspot: str = Field(pattern=HOTSPOT_SLUG)
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class EditorSignInGranted(_AboutEditor):
    """The address is one of the hotspot's editors in the operator's file (the gateway
    checked): mail it a link to the editors' area."""

    kind: Literal["editor_granted"] = "editor_granted"
    hotspot_name: str = Field(min_length=1, max_length=200)


class EditorLinkIssued(_AboutEditor):
    """An editor's link was mailed; only the hash of its secret travels."""

    kind: Literal["editor_link_issued"] = "editor_link_issued"
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    expires_at: datetime


SignInEvent = (
    SignInRequested | SignInGranted | SignInLinkIssued | EditorSignInGranted | EditorLinkIssued
)
AnySignInEvent = Annotated[SignInEvent, Field(discriminator="kind")]
