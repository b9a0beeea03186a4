"""Sessions of signed-in enterprises: a random id in the cookie, only its hash stored (the
link book opens, finds and ends them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

COOKIE = "impactoost_sessie"
COOKIE_PATH = "/aanvullen"


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, for which enterprise, until when."""

    enterprise_id: str
    email: str
    expires_at: datetime
