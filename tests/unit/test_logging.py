"""Log output: one whole JSON object per line, whichever thread or library writes it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

# Worker threads log through structlog while the event loop's libraries (uvicorn's access
# log) log through the standard library, as in the gateway under load.
WRITERS = textwrap.dedent(
    """
    import logging, threading
    import structlog
    from services.kit.logging import configure_logging

    configure_logging("json", "info")
    log, access = structlog.get_logger(), logging.getLogger("uvicorn.access")

    def write(n):
        for i in range(400):
            log.info("recorded", writer=n, i=i)
            access.info('127.0.0.1 - "GET /healthz HTTP/1.1" %s', 200)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    """
)


def test_lines_from_threads_and_both_logging_paths_never_run_together() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WRITERS], capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stderr.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 4 * 400 * 2
    assert sum(r["event"] == "recorded" for r in records) == 4 * 400
    assert all(r["level"] == "info" and "timestamp" in r for r in records)
