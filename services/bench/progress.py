"""Progress lines on stderr while the benchmarks run (the table goes to stdout)."""

from __future__ import annotations

import sys
import time

_STARTED = time.perf_counter()


def say(text: str) -> None:
    """Print `[  12.3s] text` to stderr, seconds counted from the start of the run."""
    print(f"[{time.perf_counter() - _STARTED:6.1f}s] {text}", file=sys.stderr, flush=True)
