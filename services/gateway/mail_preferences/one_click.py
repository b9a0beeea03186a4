"""Recognising an RFC 8058 one-click unsubscribe: a POST whose body is exactly the pair
`List-Unsubscribe=One-Click`, sent by a mail program (no cookie, no form token: RFC 8058
forbids the one and cannot know the other). The RFC asks mail programs for
`multipart/form-data` and allows `application/x-www-form-urlencoded`; both are read here,
with the standard library, from a body of at most `MAX_BODY` bytes.
"""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_BODY = 4096
ONE_CLICK = [("List-Unsubscribe", "One-Click")]


async def read_small_body(request: Request) -> bytes | None:
    """The body, or None when it is larger than a one-click POST or a choice form can be."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body


def form_pairs(content_type: str, body: bytes) -> list[tuple[str, str]] | None:
    """The (name, value) pairs of a URL-encoded or multipart form; None for anything else
    or a body that cannot be read."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == "application/x-www-form-urlencoded":
            return parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        if kind == "multipart/form-data":
            return _multipart_pairs(content_type, body)
    except (UnicodeDecodeError, ValueError):
        return None
    return None


def is_one_click(pairs: list[tuple[str, str]]) -> bool:
    """Whether the form is exactly RFC 8058's one-click body."""
    return pairs == ONE_CLICK


def _multipart_pairs(content_type: str, body: bytes) -> list[tuple[str, str]] | None:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            return None
        pairs.append((name, _text(part)))
    return pairs


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode(part.get_content_charset() or "utf-8")
