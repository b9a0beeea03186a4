"""How a dead letter is shown to a person (`impactoost dlq`, the operator's digest mail).

A dead letter holds what a consumer could not read: its headers and body may contain any
bytes, terminal escape sequences included. Everything shown passes `printable`, which
escapes what is not plain printable text, so nothing reaches a terminal or a mail raw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

REASON_CHARS = 80
BODY_CHARS = 8000
_KEPT = frozenset("\n")


def printable(text: str, limit: int | None = None, *, keep_newlines: bool = False) -> str:
    """`text` with every control, format (bidi) or unassigned character escaped as `\\x..`
    or `\\u....`, shortened to `limit` characters with `…`."""
    kept = _KEPT if keep_newlines else frozenset()
    out = "".join(ch if ch.isprintable() or ch in kept else _escaped(ch) for ch in text)
    if limit is not None and len(out) > limit:
        return out[: max(0, limit - 1)] + "…"
    return out


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def body_text(body: bytes, limit: int = BODY_CHARS) -> str:
    """The body for reading: indented JSON when it is JSON, else its text with undecodable
    bytes and control characters escaped; at most `limit` characters."""
    try:
        pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:  # not UTF-8, or not JSON
        pretty = body.decode("utf-8", errors="backslashreplace")
    shown = printable(pretty, limit, keep_newlines=True)
    if len(pretty) > limit:
        shown += f"\n(shortened: {len(body)} bytes in all)"
    return shown


@dataclass(frozen=True)
class LetterSummary:
    """The facts of one dead letter that fit on a line."""

    sequence: int
    dead_at: str
    service: str
    consumer: str
    kind: str
    subject: str
    event_id: str
    reason: str

    def line(self, reason_chars: int = REASON_CHARS) -> str:
        """`seq  when  service/consumer  kind  subject  event id  reason`, made safe."""
        cells = (
            str(self.sequence),
            self.dead_at or "-",
            f"{self.service or '-'}/{self.consumer or '-'}",
            self.kind or "-",
            self.subject or "-",
            self.event_id or "-",
        )
        safe = [printable(cell, 120) for cell in cells]
        return "  ".join([*safe, printable(self.reason or "-", reason_chars)])
