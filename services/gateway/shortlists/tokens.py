"""The links' secrets: 256 bits each, stored as their SHA-256.

The edit secret is random. The share secret is derived from it (an HMAC keyed with the edit
secret over the share link's generation), so the edit page can always show the current share
link without the database holding it, and renewing the share link is raising the generation.
A database leak gives no usable link: the hash of a 256-bit secret cannot be reversed or
guessed, so (unlike a password) it needs no salt or slow hash, and a lookup stays one indexed
equality. Knowing a share link tells nothing of the edit link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    """A fresh link secret: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def share_token(edit_token: str, generation: int) -> str:
    """The share secret of a list's edit secret at this generation of its share link."""
    message = f"share\x1f{generation}".encode("ascii")
    mac = hmac.new(edit_token.encode("ascii"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def new_list_id() -> str:
    """A list's internal id (never shown; the links are the only way in)."""
    return secrets.token_hex(16)


def token_hash(token: str) -> str | None:
    """The stored form of a link secret; None for text that cannot be one."""
    if not _TOKEN.match(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()
