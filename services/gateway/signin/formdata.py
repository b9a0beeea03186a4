"""Reading a posted HTML form (`application/x-www-form-urlencoded`, what our forms send).

Parsed with the standard library, so the gateway needs no multipart parser: the forms here
upload no files. A body past `MAX_BODY` is refused unread.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import HTTPException
from starlette.requests import Request

MAX_BODY = 64 * 1024
FormFields = dict[str, list[str]]


async def read_form(request: Request) -> FormFields:
    """Every field of the posted form, each with its values in order; empty for a body that
    is not a URL-encoded form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return {}
    fields: FormFields = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def first(fields: FormFields, name: str) -> str:
    """The first value of a field, or an empty string."""
    values = fields.get(name)
    return values[0] if values else ""
