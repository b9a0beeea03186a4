"""gzip on the demo sites as the real registries' hosts do it (nginx with `gzip on`).

Text answers of at least `GZIP_MIN_LENGTH` bytes go out gzipped to a client whose
Accept-Encoding allows gzip, with `Vary: Accept-Encoding` on every answer that could have
been compressed; as nginx does, a strong ETag turns weak on the gzipped variant.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass

# A usual gzip_min_length (nginx's default of 20 gzips even tiny answers): below it the gzip
# header and trailer eat most of the saving.
GZIP_MIN_LENGTH = 256
# What WordPress hosts list in gzip_types: markup, JSON from the REST API, plain text.
_COMPRESSIBLE = re.compile(r"^(text/[\w.+-]+|application/([\w.-]+\+)?(json|xml|javascript))\b")
# The statuses nginx's gzip filter compresses.
_COMPRESSED_STATUSES = frozenset({200, 403, 404})
_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
# zlib's and Apache mod_deflate's default, a usual gzip_comp_level (nginx's own default is 1;
# for the demo pages levels 1 to 9 differ by under 4 %). mtime 0 keeps the bytes repeatable.
_LEVEL = 6


@dataclass(frozen=True)
class Coding:
    """How one answer goes out: whether it depends on Accept-Encoding, and whether gzipped."""

    varies: bool
    gzip: bool

    def etag(self, strong: str) -> str:
        """The ETag of this variant: weak when gzipped, since the bytes differ."""
        return f"W/{strong}" if self.gzip and not strong.startswith("W/") else strong

    def headers(self, *, with_body: bool = True) -> dict[str, str]:
        """Vary, and Content-Encoding when a gzipped body goes out (a 304 sends only Vary)."""
        headers = {"Vary": "Accept-Encoding"} if self.varies else {}
        if self.gzip and with_body:
            headers["Content-Encoding"] = "gzip"
        return headers

    def encode(self, body: bytes) -> bytes:
        """The body as sent."""
        return gzip.compress(body, compresslevel=_LEVEL, mtime=0) if self.gzip else body


def negotiate(
    accept_encoding: str | None, status: int, content_type: str | None, size: int
) -> Coding:
    """The coding of an answer of `size` body bytes to a request with this Accept-Encoding."""
    varies = (
        status in _COMPRESSED_STATUSES
        and content_type is not None
        and _COMPRESSIBLE.match(content_type.strip().lower()) is not None
        and size >= GZIP_MIN_LENGTH
    )
    return Coding(varies=varies, gzip=varies and accepts_gzip(accept_encoding))


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding value (RFC 9110 §12.5.3) allows gzip.

    gzip (or x-gzip) listed decides by its weight, q=0 refusing it; otherwise `*` decides.
    No header at all gets no gzip, as nginx does, though the RFC would allow it."""
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weight = _weight(params)
        if coding and weight is not None:
            weights[coding.lower()] = weight
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0.0) > 0


def _weight(params: list[str]) -> float | None:
    """The q value of one Accept-Encoding element (1 when absent), None when malformed."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.fullmatch(value) else None
    return 1.0
