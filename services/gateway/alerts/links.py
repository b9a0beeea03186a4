"""The alerts' links: unguessable tokens derived from the server secret, and the absolute
URLs mails carry, always on the configured public address (never a request's Host).

A token is the HMAC of the alert's random id under the gateway's secret, one per purpose,
so the gateway can put the same manage and unsubscribe link in every mail while storing
only the tokens' hashes: the database alone opens no alert.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Literal
from urllib.parse import urlencode

from contracts.alerts import AlertFilters
from contracts.signin import token_hash
from services.gateway.signin.secret import ServerSecret

Purpose = Literal["confirm", "manage"]
MAX_TOKEN = 100
CONFIRM_PATH = "/meldingen/bevestigen"
MANAGE_PATH = "/meldingen/beheren"
UNSUBSCRIBE_PATH = "/meldingen/afmelden"


def alert_token(secret: ServerSecret, alert_id: str, purpose: Purpose) -> str:
    """The alert's token for `purpose` (43 URL-safe characters)."""
    mac = hmac.new(secret.value(), f"alert\x1f{purpose}\x1f{alert_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def stored_hash(token: str) -> str | None:
    """How a token is looked up; None for one too long to be ours."""
    return token_hash(token) if token and len(token) <= MAX_TOKEN else None


class PublicLinks:
    """Absolute links on the public base URL."""

    def __init__(self, public_base_url: str) -> None:
        self.base = public_base_url.rstrip("/")

    def with_token(self, path: str, token: str) -> str:
        """`path` on the public address, carrying `token`."""
        return f"{self.base}{path}?{urlencode({'token': token})}"

    def enterprise(self, enterprise_id: str) -> str:
        """The enterprise's page (for one that left: the page that says since when and why)."""
        return f"{self.base}/ondernemingen/{enterprise_id}"

    def search(self, filters: AlertFilters) -> str:
        """The search page with the alert's filters."""
        params = [("category", c) for c in filters.category]
        params += [("label", label) for label in filters.label]
        params += [("region", filters.region)] if filters.region else []
        return f"{self.base}/?{urlencode(params)}" if params else f"{self.base}/"
