"""Named crash points, so fault tests can kill a process at an exact step.

Off unless `IMPACTOOST_FAILPOINTS` names them; a production deployment never sets it.
"""

from __future__ import annotations

import os
import signal

import structlog

log = structlog.get_logger()


def hit(name: str, enabled: frozenset[str]) -> None:
    """Kill this process with SIGKILL when the failpoint `name` is enabled."""
    if name in enabled:
        log.warning("failpoint_hit", failpoint=name)
        os.kill(os.getpid(), signal.SIGKILL)
