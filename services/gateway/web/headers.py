"""The security headers every response carries, as raw ASGI header pairs."""

from __future__ import annotations

# No inline script anywhere, no plugins, no framing, forms only to this site.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI's bundle (served from here) sets style attributes and inserts <style> elements;
# scripts stay 'self' only.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs",)

Headers = list[tuple[bytes, bytes]]


def _common(secure: bool) -> Headers:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if secure:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


def security_headers(*, secure: bool) -> tuple[Headers, Headers]:
    """The headers of pages and API answers, and those of the API docs' pages; `secure`
    (an https public address) adds HSTS."""
    common = _common(secure)
    return (
        [(b"content-security-policy", PAGE_POLICY.encode()), *common],
        [(b"content-security-policy", DOCS_POLICY.encode()), *common],
    )
