"""CSRF protection by a signed double submit.

Each browser gets a random key in a cookie; every form carries the HMAC of that key under the
server secret. A forged form from another site can neither read the cookie nor compute the
token, and a token lifted from one browser is worthless in another.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from services.gateway.signin.secret import ServerSecret

COOKIE = "impactoost_csrf"
FIELD = "csrf_token"
_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")
_MAX_AGE = 7 * 24 * 3600


class Csrf:
    """Issues and checks the form tokens of one gateway."""

    def __init__(self, secret: ServerSecret, *, secure: bool) -> None:
        self._secret = secret
        self._secure = secure

    def browser_key(self, request: Request) -> str | None:
        """The browser's key from its cookie, when it holds a well-formed one."""
        key = request.cookies.get(COOKIE, "")
        return key if _KEY.match(key) else None

    def issue(self, request: Request) -> tuple[str, str | None]:
        """The token for this browser's forms, and a new key to set when it has none."""
        key = self.browser_key(request)
        if key is not None:
            return self.token_for(key), None
        key = secrets.token_urlsafe(32)
        return self.token_for(key), key

    def token_for(self, key: str) -> str:
        """The form token of a browser key."""
        mac = hmac.new(self._secret.value(), b"csrf\x1f" + key.encode(), hashlib.sha256)
        return mac.hexdigest()

    def verify(self, request: Request, form: Mapping[str, list[str]]) -> bool:
        """Whether the form's token belongs to this browser's key."""
        key = self.browser_key(request)
        submitted = form.get(FIELD, [""])[-1]
        if key is None or not submitted:
            return False
        return hmac.compare_digest(self.token_for(key), submitted)

    def set_cookie(self, response: Response, key: str) -> None:
        """Give the browser its key (read by no script, sent only with same-site forms)."""
        response.set_cookie(
            COOKIE,
            key,
            max_age=_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self._secure,
        )
