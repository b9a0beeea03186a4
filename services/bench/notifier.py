"""Notifier: mails per second into a local SMTP server, from the first publish of listing
events until the server received the last welcome mail, against a bare `smtplib` client
sending the same mails (the very bytes the notifier sent, to the same recipients) to the
same server over one reused connection; and the notifier's CPU time per mail (/proc).

The notifier runs as `impactoost serve notifier` with a 225,000-row contacts file and no
quiet period (each welcome due at once; the default 90 s would measure the wait). The mail
server counts in a process of its own, so it costs both sides the same.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.subjects import ENTERPRISES_STREAM
from services.bench.jetstream import Message, connect, publish_all, wait_for_acks, wait_for_pull
from services.bench.mail_events import (
    CONTACT_ROWS,
    Received,
    contact_email,
    contact_lines,
    contact_row,
    cpu_seconds,
    listing_messages,
    mails_per_second,
)
from services.bench.mail_sink import MailSink, mail_sink
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.stack import BENCH_INBOX, child_module, nats_server, service_processes
from services.kit.nats_users import NOTIFIER_MAIL

WARM_UP_MAILS = 20
TIMEOUT = 600.0
CLIENT_START_SECONDS = 60.0


@dataclass
class NotifierFigures:
    """Per repetition: mails/s of the notifier and of the bare client, and the notifier's
    CPU milliseconds per mail."""

    notifier: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def mails_sent(plan: Plan) -> int:
    """How many listing events (and so welcome mails) the notifier is given."""
    return WARM_UP_MAILS + plan.repetitions * plan.notifier_mails


async def measure_notifier(plan: Plan, folder: Path) -> NotifierFigures:
    """The notifier and the bare client, alternating, on one mail server."""
    contacts = folder / "contacts.csv"
    await asyncio.to_thread(_write_contacts, contacts)
    figures = NotifierFigures()
    async with mail_sink(folder / "smtp") as sink, nats_server(folder) as server:
        env = {
            "IMPACTOOST_SMTP_HOST": "127.0.0.1",
            "IMPACTOOST_SMTP_PORT": str(sink.port),
            "IMPACTOOST_NOTIFIER_CONTACTS_FILE": str(contacts),
            "IMPACTOOST_MAIL_QUIET_SECONDS": "0",
        }
        async with service_processes(folder, server, ["notifier"], env) as platform:
            pid = platform.processes["notifier"].pid
            client = await connect(server.url, BENCH_INBOX)
            try:
                js = client.jetstream()
                await wait_for_pull(js, ENTERPRISES_STREAM.name, NOTIFIER_MAIL, 60)
                total = mails_sent(plan)
                await _notifier_run(js, sink, pid, listing_messages("w", 0, WARM_UP_MAILS, total))
                for rep in range(plan.repetitions):
                    first = WARM_UP_MAILS + rep * plan.notifier_mails
                    messages = listing_messages(f"r{rep}", first, plan.notifier_mails, total)
                    rate, cpu, mails = await _notifier_run(js, sink, pid, messages)
                    _check_recipients(mails, first, len(messages), total)
                    figures.notifier.append(rate)
                    figures.cpu_ms.append(cpu * 1000)
                    figures.bare.append(await _bare_run(sink, mails, folder / "smtp"))
                    say(
                        f"notifier: repetition {rep + 1}: {rate:.0f} mails/s, bare "
                        f"{figures.bare[-1]:.0f} mails/s, {cpu * 1000:.1f} ms CPU/mail"
                    )
            finally:
                await client.close()
        figures.details = await _no_doubles(sink, plan)
    return figures


def _write_contacts(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(contact_lines())


async def _notifier_run(
    js: Any, sink: MailSink, pid: int, messages: Sequence[Message]
) -> tuple[float, float, list[Received]]:
    """Publish the listings; mails/s until the last welcome arrived, the notifier's CPU
    seconds per mail (until its last event was also acknowledged), and the mails."""
    already = len(sink.received)
    cpu_before = _cpu(pid)
    began = time.monotonic()
    last_seq = await publish_all(js, messages)
    mails = (await sink.wait_for(already + len(messages), TIMEOUT))[already:]
    await wait_for_acks(js, ENTERPRISES_STREAM.name, NOTIFIER_MAIL, last_seq, TIMEOUT)
    cpu = (_cpu(pid) - cpu_before) / len(messages)
    return mails_per_second(len(mails), began, mails[-1].at), cpu, mails


async def _bare_run(sink: MailSink, mails: Sequence[Received], folder: Path) -> float:
    """The bare client sends `mails` again; its mails/s from `go` to the last arrival."""
    plan = folder / "bare-plan.txt"
    lines = "".join(f"{mail.line()}\n" for mail in mails)
    await asyncio.to_thread(plan.write_text, lines, encoding="utf-8")
    already = len(sink.received)
    args = ("127.0.0.1", str(sink.port), str(sink.store), str(plan))
    async with child_module("services.bench.smtp_client", *args, stdin=True) as client:
        assert client.stdout is not None and client.stdin is not None
        ready = await asyncio.wait_for(client.stdout.readline(), CLIENT_START_SECONDS)
        if ready.strip() != b"ready":
            raise RuntimeError(f"bare client did not start: {await _stderr(client)}")
        began = time.monotonic()
        client.stdin.write(b"go\n")
        await client.stdin.drain()
        arrived = (await sink.wait_for(already + len(mails), TIMEOUT))[already:]
        await asyncio.wait_for(client.wait(), TIMEOUT)
    if client.returncode != 0:
        raise RuntimeError(f"bare client failed: {await _stderr(client)}")
    return mails_per_second(len(arrived), began, arrived[-1].at)


async def _stderr(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    return (await process.stderr.read()).decode(errors="replace")[-500:]


def _cpu(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    return cpu_seconds(stat, os.sysconf("SC_CLK_TCK"))


def _check_recipients(mails: Sequence[Received], first: int, count: int, total: int) -> None:
    """Every enterprise of the run got its welcome at its contacts address, once."""
    expected = sorted(contact_email(contact_row(m, total)) for m in range(first, first + count))
    got = sorted(r for mail in mails for r in mail.recipients)
    if got != expected:
        raise RuntimeError(f"the notifier mailed {len(got)} recipients, not the {count} expected")


async def _no_doubles(sink: MailSink, plan: Plan) -> dict[str, Any]:
    """After a pause, the server holds exactly the mails sent: none was mailed twice."""
    await asyncio.sleep(2.0)
    expected = mails_sent(plan) + plan.repetitions * plan.notifier_mails
    if len(sink.received) != expected:
        raise RuntimeError(f"the mail server received {len(sink.received)} mails, not {expected}")
    sizes = [mail.length for mail in sink.received[WARM_UP_MAILS:]]
    return {
        "mails_received": len(sink.received),
        "contacts_rows": CONTACT_ROWS,
        "mean_mail_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
        "quiet_seconds": 0,
        "bare_client": "smtplib, one connection reused for all mails, bytes composed before",
    }
