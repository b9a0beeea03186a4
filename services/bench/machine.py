"""Which machine a benchmark ran on: CPU, cores, memory, OS and the servers' versions."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from services.kit.postgres import pg_bindir
from services.kit.processes import find_executable


def cpu_model(cpuinfo: str) -> str:
    """The first `model name` in /proc/cpuinfo text; `unknown` without one."""
    found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    return found.group(1).strip() if found else "unknown"


def mem_total_mb(meminfo: str) -> int | None:
    """MemTotal of /proc/meminfo text, in MB."""
    found = re.search(r"^MemTotal:\s*(\d+)\s*kB", meminfo, re.MULTILINE)
    return int(found.group(1)) // 1024 if found else None


def describe_machine() -> dict[str, Any]:
    """What the report names as the machine it ran on."""
    return {
        "cpu": cpu_model(_read("/proc/cpuinfo")),
        "cores": os.cpu_count(),
        "memory_mb": mem_total_mb(_read("/proc/meminfo")),
        "os": platform.platform(),
        "python": platform.python_version(),
        "nats_server": _version([find_executable("nats-server"), "--version"]),
        "postgresql": _version([str(pg_bindir() / "postgres"), "--version"]),
    }


def code_version(repository: Path) -> dict[str, Any]:
    """Which code ran: the commit, and the files changed since (figures depend on them)."""
    commit = _version(["git", "-C", str(repository), "rev-parse", "--short", "HEAD"])
    try:
        status = subprocess.run(
            ["git", "-C", str(repository), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        status = ""
    return {"commit": commit, "uncommitted": [line[3:] for line in status.splitlines()]}


def summary_line(machine: dict[str, Any]) -> str:
    """One line for the terminal and the README."""
    memory = machine.get("memory_mb")
    memory_text = f"{memory / 1024:.0f} GB RAM" if memory else "RAM unknown"
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {memory_text}, {machine['os']}, "
        f"Python {machine['python']}, {machine['nats_server']}, {machine['postgresql']}"
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if done.stdout or done.stderr
        else "unknown"
    )
