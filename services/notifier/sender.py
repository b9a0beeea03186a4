"""The sender: a background task that sends the enterprise mails that are due.

It looks every `interval` seconds, and at once when woken (the consumer wakes it for a
mail due now, such as a delisting). Mails follow each other over one SMTP session, closed
once a pass finds nothing to send. A failing pass (the database away) is logged and
tried again on the next; a mail the mail server defers waits in the database, not here.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from services.notifier.bootstrap import Notifier
from services.notifier.handlers import send_due_mails
from services.notifier.retention import forget_recipients

log = structlog.get_logger()
# How often the sender also forgets the addresses of mails done longer ago than the setting.
FORGET_EVERY_PASSES = 3600


class MailSender:
    """Runs `send_due_mails` between `start` and `stop`."""

    def __init__(self, notifier: Notifier, interval: float = 1.0) -> None:
        self.notifier = notifier
        self.interval = interval
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Look for due mails now rather than at the next interval."""
        self._woken.set()

    def forget(self) -> int:
        """Forget the addresses of mails done longer ago than the setting says."""
        notifier = self.notifier
        forgotten = forget_recipients(
            notifier.deliveries.engine, notifier.clock() - notifier.keep_recipients
        )
        if forgotten:
            log.info("mail_recipients_forgotten", mails=forgotten)
        return forgotten

    async def start(self) -> None:
        """Start the background task (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notifier-sender")

    async def stop(self) -> None:
        """Stop after the mail in progress: never between the mail server's acceptance of a
        mail and the commit that records it."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._woken.set()
        await task
        await asyncio.to_thread(self.notifier.mailer.close)

    async def _run(self) -> None:
        passes = 0
        while not self._stopping:
            self._woken.clear()
            try:
                sent = await asyncio.to_thread(
                    send_due_mails, self.notifier, lambda: self._stopping
                )
                if not sent:  # nothing more to send for now: the SMTP session is let go
                    await asyncio.to_thread(self.notifier.mailer.close)
                if passes % FORGET_EVERY_PASSES == 0:
                    await asyncio.to_thread(self.forget)
            except Exception as exc:
                log.warning("mail_pass_failed", error=f"{type(exc).__name__}: {exc}")
            passes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.interval)
