"""The notifier benchmark's baseline: a bare `smtplib` client, in a process of its own,
sending mails already composed (the bytes the notifier sent, read from the counting
server's store) over ONE connection it reuses: the plain protocol work of N mails, MAIL
FROM, RCPT TO and DATA each, with nothing else.

    python -m services.bench.smtp_client HOST PORT STORE PLAN

PLAN holds one `Received` line per mail (its place in STORE and its envelope). The client
loads every mail, prints `ready`, sends on a `go` line from stdin, and exits.
"""

from __future__ import annotations

import smtplib
import sys
from pathlib import Path

from services.bench.mail_events import Received


def load(store: Path, plan: Path) -> list[tuple[Received, bytes]]:
    """Each planned mail with its bytes."""
    data = store.read_bytes()
    mails = [Received.parse(line) for line in plan.read_text(encoding="utf-8").splitlines()]
    return [(mail, data[mail.offset : mail.offset + mail.length]) for mail in mails]


def send_all(host: str, port: int, mails: list[tuple[Received, bytes]]) -> None:
    """Every mail over one SMTP session."""
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        for mail, content in mails:
            smtp.sendmail(mail.sender, list(mail.recipients), content)


def main(argv: list[str]) -> None:
    """Load, say `ready`, wait for `go`, send."""
    host, port, store, plan = argv
    mails = load(Path(store), Path(plan))
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("no go")
    send_all(host, int(port), mails)


if __name__ == "__main__":
    main(sys.argv[1:])
