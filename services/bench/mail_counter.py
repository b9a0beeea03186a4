"""The notifier benchmark's mail server, in a process of its own: aiosmtpd accepting every
mail, appending its bytes to one store file and printing one line per mail (see
`mail_events.Received`), so the benchmark knows when the last mail arrived and what it was.

    python -m services.bench.mail_counter PORT STORE

It prints `ready` once it listens and runs until its standard input closes. It does the
same work for the notifier's mails and for the bare client's.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import IO, Any

from aiosmtpd.smtp import SMTP

from services.bench.mail_events import Received


class CountingHandler:
    """Keeps each mail's bytes in the store and announces it on stdout."""

    def __init__(self, store: IO[bytes]) -> None:
        self.store = store
        self.offset = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Accept the mail."""
        content: bytes = envelope.original_content or envelope.content
        self.store.write(content)
        self.store.flush()
        received = Received(
            time.monotonic(),
            self.offset,
            len(content),
            envelope.mail_from or "",
            tuple(envelope.rcpt_tos),
        )
        self.offset += len(content)
        sys.stdout.write(received.line() + "\n")
        sys.stdout.flush()
        return "250 Message accepted for delivery"


async def serve(port: int, store_path: Path) -> None:
    """Listen on 127.0.0.1:`port` until stdin closes."""
    loop = asyncio.get_running_loop()
    with store_path.open("wb") as store:
        handler = CountingHandler(store)
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="127.0.0.1", decode_data=False), "127.0.0.1", port
        )
        print("ready", flush=True)
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()
        await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), Path(sys.argv[2])))
