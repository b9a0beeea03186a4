"""Resident memory of a process tree, from /proc (Linux): every process's VmRSS, summed.

Summed RSS counts pages shared between processes (libraries, the Python runtime) once per
process, so it overstates what the tree costs the machine a little; that is the figure the
target is stated in, and the report keeps the per-process numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


def vm_rss_kb(status: str) -> int:
    """VmRSS of /proc/<pid>/status text in kB; 0 for a process without one (a zombie)."""
    found = re.search(r"^VmRSS:\s*(\d+)\s*kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def parent_pid(stat: str) -> int:
    """The parent pid in /proc/<pid>/stat text. The command name may hold spaces and
    parentheses, so fields are counted after its last `)`."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1])


def process_label(cmdline: list[str]) -> str:
    """A short name for a process of the platform: the service, nats-server, or the launcher."""
    if "serve" in cmdline and cmdline.index("serve") + 1 < len(cmdline):
        return cmdline[cmdline.index("serve") + 1]
    if cmdline and cmdline[0].endswith("nats-server"):
        return "nats-server"
    if "demo" in cmdline:
        return "launcher (demo sites, mail sink)"
    return Path(cmdline[0]).name if cmdline else "?"


@dataclass(frozen=True)
class ProcessMemory:
    """One process of the tree."""

    pid: int
    label: str
    rss_mb: float


def descendants(root: int) -> list[int]:
    """`root` and every process below it, found by scanning /proc for parent pids."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = parent_pid((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_memory(root: int) -> list[ProcessMemory]:
    """RSS of `root` and its descendants (processes that vanish meanwhile are skipped)."""
    result = []
    for pid in descendants(root):
        try:
            status = (PROC / str(pid) / "status").read_text()
            cmdline = (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        label = process_label([part for part in cmdline.split("\0") if part])
        result.append(ProcessMemory(pid, label, vm_rss_kb(status) / 1024))
    return result


def total_mb(processes: list[ProcessMemory]) -> float:
    """Summed RSS in MB."""
    return sum(p.rss_mb for p in processes)
